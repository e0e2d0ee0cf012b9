// The one client of the public GraphQL API, over HTTP (`/graphql`) and
// graphql-transport-ws (`/graphql/ws`). The session token lives in this
// tab's sessionStorage and travels only in the Authorization header and in
// `connection_init`, so no other site can make the browser use it (no
// cookies, no CSRF), and it is gone when a shared school computer's
// browser closes.
//
// Live subscriptions survive dropped connections: the socket reconnects
// with growing pauses, and every subscription is sent again with the
// variables its owner gives at that moment — for spaces and live rooms the
// `after` cursor of the last event received — so the server replays what
// was missed and nothing is lost or repeated.

const TOKEN = 'lff.token';

export class ApiError extends Error {
  /** `field`: the input a BAD_USER_INPUT is about, when the server names one. */
  constructor(code, message, field = null) {
    super(message);
    this.code = code;
    this.field = field;
  }
}

/**
 * What to tell a person about a failed call: the server's own words where
 * they say what to change (which field, what conflicts, how long to
 * wait), otherwise the catalog's text for the code.
 */
export function errorText(e, t) {
  const code = e instanceof ApiError ? e.code : 'INTERNAL';
  if (['BAD_USER_INPUT', 'CONFLICT', 'RATE_LIMITED'].includes(code)) return e.message;
  return t(`error.${code}`);
}

let signedOutHandler = () => {};
export function onSignedOut(fn) {
  signedOutHandler = fn;
}

// While a call that replaces the session runs (a password change ends every
// session and answers with a new one), the server closing this tab's
// socket for the old session is expected, not a sign-out.
let renewing = 0;

/** Runs `call`, which answers with a new session; the caller sets the token. */
export async function renewingSession(call) {
  renewing += 1;
  try {
    return await call();
  } finally {
    renewing -= 1;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN);
}
export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN, value);
  else sessionStorage.removeItem(TOKEN);
  live.restart();
}

export function authHeaders() {
  const t = token();
  return t ? { Authorization: `Bearer ${t}` } : {};
}

function wait(ms, signal) {
  return new Promise((resolve, reject) => {
    const id = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(id);
      reject(signal.reason);
    });
  });
}

function firstError(body) {
  const e = body?.errors?.[0];
  if (!e) return null;
  return new ApiError(e.extensions?.code || 'INTERNAL', e.message || 'error', e.extensions?.field || null);
}

/**
 * Runs a query or mutation; returns `data` or throws ApiError. Queries are
 * tried again after a network failure (a school's connection drops for a
 * moment); mutations are not, because the first may have arrived.
 */
export async function gql(query, variables = {}, { signal } = {}) {
  const isMutation = /^\s*mutation\b/.test(query);
  for (let attempt = 0; ; attempt += 1) {
    let res;
    try {
      res = await fetch('/graphql', {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/graphql-response+json, application/json',
          ...authHeaders(),
        },
        body: JSON.stringify({ query, variables }),
        signal,
      });
    } catch (e) {
      if (signal?.aborted) throw e;
      if (isMutation || attempt >= 3) throw new ApiError('NETWORK', e.message);
      await wait(500 * 2 ** attempt, signal);
      continue;
    }
    let body = null;
    try {
      body = await res.json();
    } catch {
      throw new ApiError(res.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'INTERNAL', `HTTP ${res.status}`);
    }
    const err = firstError(body);
    if (err && err.code === 'UNAUTHENTICATED' && token()) {
      setToken(null);
      signedOutHandler();
    }
    if (err && !body.data) throw err;
    if (err) {
      // A partial answer (one field refused): the screen decides.
      body.data.__errors = body.errors;
    }
    return body.data;
  }
}

/** The body of a plain-HTTP answer, or the error it carries. */
async function jsonOf(res) {
  let body = null;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(res.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'INTERNAL', `HTTP ${res.status}`);
  }
  if (!res.ok) throw firstError(body) || new ApiError('INTERNAL', `HTTP ${res.status}`);
  return body;
}

/**
 * A signed address of a protected file (`/downloads/…`, `/files/…`) that
 * works without the token for a minute or two: for `<a download>`,
 * `<img>` and `<video>`, so the file goes to disk or the player and never
 * through the page's memory.
 */
export async function signedUrl(url) {
  let res;
  try {
    res = await fetch(`${url}/link`, { method: 'POST', headers: authHeaders() });
  } catch (e) {
    throw new ApiError('NETWORK', e.message);
  }
  return (await jsonOf(res)).url;
}

/** Saves a protected file under its name with the browser's own download. */
export async function download(url, name) {
  const a = document.createElement('a');
  a.href = `${await signedUrl(url)}&download=1`;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
}

/** Uploads a file for a visit card (`POST /files`): `{ id, name, contentType, size }`. */
export async function uploadCardFile(file) {
  let res;
  try {
    res = await fetch(`/files?name=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      headers: { ...authHeaders(), 'content-type': file.type || 'application/octet-stream' },
      body: file,
    });
  } catch (e) {
    throw new ApiError('NETWORK', e.message);
  }
  return jsonOf(res);
}

/** An image from a protected address, for `<img src>`. */
export const imageUrl = signedUrl;

// ---------------------------------------------------------------------------
// Live: one graphql-transport-ws socket for the tab, shared by every
// subscription on the screen.

class Live {
  constructor() {
    this.subs = new Map();
    this.nextId = 1;
    this.ws = null;
    this.acked = false;
    this.attempt = 0;
    this.timer = null;
    this.held = false;
    this.listeners = new Set();
    this.state = 'idle';
    addEventListener('online', () => this.reconnectNow());
    // The server pings every 30 s; a socket silent for 75 s is dead even
    // if the browser has not noticed (a laptop woke up, a proxy dropped it).
    setInterval(() => {
      if (this.ws && this.acked && Date.now() - this.lastHeard > 75_000) {
        const ws = this.ws;
        ws.close(4000);
        this.closed(ws, 4000);
      }
    }, 15_000);
  }

  onState(fn) {
    this.listeners.add(fn);
    fn(this.state);
    return () => this.listeners.delete(fn);
  }

  setState(s) {
    if (this.state === s) return;
    this.state = s;
    for (const fn of this.listeners) fn(s);
  }

  /**
   * Subscribes. `variables()` is called at every (re)subscription, so it can
   * give the latest cursor. Handlers: next(data), error(ApiError),
   * resync() for RESYNC_REQUIRED (reload, then the subscription goes on
   * with what variables() then gives), complete().
   */
  subscribe(query, variables, handlers) {
    const id = String(this.nextId++);
    this.subs.set(id, { query, variables, handlers });
    if (this.acked) this.sendSubscribe(id);
    else this.ensure();
    return () => {
      if (!this.subs.delete(id)) return;
      if (this.acked) this.send({ id, type: 'complete' });
      if (this.subs.size === 0) this.close();
    };
  }

  send(msg) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  sendSubscribe(id) {
    const s = this.subs.get(id);
    if (!s) return;
    this.send({ id, type: 'subscribe', payload: { query: s.query, variables: s.variables() } });
  }

  ensure() {
    if (this.ws || this.timer || this.held || !token() || this.subs.size === 0) return;
    this.connect();
  }

  connect() {
    this.timer = null;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql/ws`;
    const ws = new WebSocket(url, 'graphql-transport-ws');
    this.ws = ws;
    this.acked = false;
    this.setState(this.attempt ? 'reconnecting' : 'connecting');
    ws.onopen = () => ws.send(JSON.stringify({ type: 'connection_init', payload: { token: token() } }));
    ws.onmessage = (ev) => this.receive(ws, ev.data);
    ws.onclose = (ev) => this.closed(ws, ev.code);
  }

  receive(ws, data) {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    this.lastHeard = Date.now();
    switch (msg.type) {
      case 'connection_ack':
        this.acked = true;
        this.attempt = 0;
        this.setState('online');
        // The server's own pings are WebSocket frames the browser answers
        // unseen; ours come back as `pong` messages and feed the watchdog.
        clearInterval(this.pinger);
        this.pinger = setInterval(() => this.send({ type: 'ping' }), 30_000);
        for (const id of this.subs.keys()) this.sendSubscribe(id);
        break;
      case 'ping':
        ws.send(JSON.stringify({ type: 'pong' }));
        break;
      case 'next': {
        const s = this.subs.get(msg.id);
        if (!s) break;
        const err = firstError(msg.payload);
        if (err && err.code === 'RESYNC_REQUIRED') s.handlers.resync?.();
        else if (err) s.handlers.error?.(err);
        else s.handlers.next(msg.payload.data);
        break;
      }
      case 'error': {
        const s = this.subs.get(msg.id);
        const err = firstError({ errors: msg.payload }) || new ApiError('INTERNAL', 'error');
        if (!s) break;
        if (err.code === 'RESYNC_REQUIRED' && s.handlers.resync) {
          s.handlers.resync();
        } else {
          this.subs.delete(msg.id);
          s.handlers.error?.(err);
        }
        break;
      }
      case 'complete': {
        const s = this.subs.get(msg.id);
        this.subs.delete(msg.id);
        s?.handlers.complete?.();
        break;
      }
      default:
        break;
    }
  }

  closed(ws, code) {
    if (this.ws !== ws) return;
    clearInterval(this.pinger);
    this.ws = null;
    this.acked = false;
    if (code === 4403) {
      // The token was refused: the session ended elsewhere (or is being
      // replaced here, and setToken reconnects with the new one).
      this.setState('idle');
      if (token() && !renewing) {
        sessionStorage.removeItem(TOKEN);
        signedOutHandler();
      }
      return;
    }
    if (this.subs.size === 0 || !token()) {
      this.setState('idle');
      return;
    }
    this.setState('reconnecting');
    if (this.held) return;
    const pause = Math.min(30_000, 500 * 2 ** this.attempt) * (0.75 + Math.random() / 2);
    this.attempt += 1;
    this.timer = setTimeout(() => this.connect(), pause);
  }

  reconnectNow() {
    if (this.ws || this.held) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.ensure();
  }

  close() {
    clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    this.acked = false;
    if (ws) ws.close(1000);
    this.setState('idle');
  }

  /** After sign-in or sign-out: start over with the new token. */
  restart() {
    const subs = this.subs.size;
    this.close();
    if (subs) this.ensure();
  }

  /**
   * Drops the connection as a broken network would and holds it down until
   * `release()`: lets people (and tests) see that nothing is lost.
   */
  drop() {
    this.held = true;
    const ws = this.ws;
    if (ws) ws.close(4000);
    this.closed(ws, 4000);
  }

  release() {
    this.held = false;
    this.reconnectNow();
  }
}

export const live = new Live();
