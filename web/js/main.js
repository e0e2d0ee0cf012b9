// The shell: language, sign-in state, the navigation for the person's
// role, the screens (loaded as modules only when first opened, so the
// first screen stays small), live notifications and the connection line.
// Screens live after `#` in the address (`#/spaces/…`), so the server
// serves one page and the browser's back button works.

import { ApiError, gql, live, onSignedOut, setToken, token } from './api.js';
import { add, fill, h } from './dom.js';
import { LANGUAGES, initI18n, language, setLanguage, t } from './i18n.js';

const STAFF = ['PLATFORM_ADMIN', 'SCHOOL_COORDINATOR', 'TEACHER'];
const ORGANIZERS = ['PLATFORM_ADMIN', 'NATIONAL_COORDINATOR', 'SCHOOL_COORDINATOR', 'TEACHER', 'MENTOR'];

// [pattern, module, names of the captured parts, who may open it]
const ROUTES = [
  // Signed in: home; a visitor: the front door (see `route`).
  [/^\/$/, 'home', [], 'signed-in'],
  [/^\/welcome$/, 'welcome', []],
  [/^\/apply$/, 'apply', []],
  [/^\/signin$/, 'signin', []],
  [/^\/join$/, 'join', []],
  [/^\/directory$/, 'directory', []],
  [/^\/directory\/([A-Z]{2})$/, 'directory', ['country']],
  [/^\/schools\/([^/]+)$/, 'school', ['id']],
  [/^\/schools\/([^/]+)\/card$/, 'card', ['id'], 'signed-in'],
  [/^\/schools\/([^/]+)\/edit$/, 'school-edit', ['id'], 'signed-in'],
  [/^\/approvals$/, 'approvals', [], ['PLATFORM_ADMIN', 'NATIONAL_COORDINATOR']],
  [/^\/country$/, 'country', [], ['PLATFORM_ADMIN', 'NATIONAL_COORDINATOR']],
  [/^\/country\/([A-Z]{2})$/, 'country', ['code'], ['PLATFORM_ADMIN', 'NATIONAL_COORDINATOR']],
  [/^\/audit$/, 'audit', [], ['PLATFORM_ADMIN', 'NATIONAL_COORDINATOR']],
  [/^\/spaces\/new$/, 'space-new', [], ['TEACHER', 'SCHOOL_COORDINATOR']],
  [/^\/spaces\/([^/]+)$/, 'space', ['id'], 'signed-in'],
  [/^\/spaces\/([^/]+)\/settings$/, 'space-settings', ['id'], 'signed-in'],
  [/^\/spaces\/([^/]+)\/reports$/, 'reports', ['id'], 'signed-in'],
  [/^\/spaces\/([^/]+)\/([^/]+)$/, 'space', ['id', 'channel'], 'signed-in'],
  [/^\/library\/(school|space)\/([^/]+)$/, 'library', ['owner', 'id']],
  [/^\/materials\/([^/]+)$/, 'material', ['id']],
  [/^\/materials\/([^/]+)\/edit$/, 'material-edit', ['id'], 'signed-in'],
  [/^\/search$/, 'search', []],
  [/^\/events$/, 'events', [], 'signed-in'],
  [/^\/events\/new$/, 'event-new', [], ORGANIZERS],
  [/^\/events\/([^/]+)$/, 'event', ['id']],
  [/^\/events\/([^/]+)\/live$/, 'room', ['id'], 'signed-in'],
  [/^\/events\/([^/]+)\/edit$/, 'event-edit', ['id'], 'signed-in'],
  [/^\/students$/, 'students', [], STAFF],
  [/^\/account$/, 'account', [], 'signed-in'],
  [/^\/mentors$/, 'mentors', [], 'signed-in'],
  [/^\/people\/([^/]+)$/, 'mentors', ['id'], 'signed-in'],
];

const ME = `{ me { id username displayName role countryCode classLabel school { id name countryCode } } }`;

const state = { me: null, cleanup: null, unread: 0, notifications: null };

export function me() {
  return state.me;
}

export function navigate(path) {
  if (location.hash === `#${path}`) route();
  else location.hash = path;
}

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const at = raw.indexOf('?');
  let path = at < 0 ? raw : raw.slice(0, at);
  try {
    path = decodeURIComponent(path);
  } catch {
    /* a broken address: routed as it is, to "no such page" */
  }
  return { path: path || '/', query: new URLSearchParams(at < 0 ? '' : raw.slice(at + 1)) };
}

function canOpen(who) {
  if (!who) return true;
  if (!state.me) return false;
  if (who === 'signed-in') return true;
  return who.includes(state.me.role);
}

function navItems() {
  const m = state.me;
  const items = [];
  if (m) items.push(['#/', t('nav.home'), 'home']);
  else items.push(['#/', t('nav.welcome'), 'welcome']);
  items.push(['#/directory', t('nav.directory'), 'directory']);
  if (m?.school) items.push([`#/library/school/${m.school.id}`, t('nav.library'), 'library']);
  items.push(['#/search', t('nav.search'), 'search']);
  if (m) items.push(['#/events', t('nav.events'), 'events']);
  if (m) items.push(['#/mentors', t('nav.mentors'), 'mentors']);
  if (m && ['PLATFORM_ADMIN', 'NATIONAL_COORDINATOR'].includes(m.role)) {
    items.push(['#/approvals', t('nav.approvals'), 'approvals']);
    items.push(['#/country', t('nav.country'), 'country']);
    items.push(['#/audit', t('nav.audit'), 'audit']);
  }
  if (m && ['SCHOOL_COORDINATOR', 'TEACHER'].includes(m.role)) items.push(['#/students', t('nav.students'), 'students']);
  return items;
}

function renderChrome() {
  const skip = document.getElementById('skip');
  skip.textContent = t('nav.skip');
  skip.onclick = (ev) => {
    // "#view" is not a screen: move the focus without routing.
    ev.preventDefault();
    document.getElementById('view').focus();
  };
  document.getElementById('toasts').setAttribute('aria-label', t('home.notifications'));
  const current = parseHash().path;
  const nav = document.getElementById('nav');
  nav.setAttribute('aria-label', t('nav.label'));
  fill(
    nav,
    h(
      'ul',
      null,
      navItems().map(([href, text, key]) => {
        const here = href.slice(1) === current || (!['home', 'welcome'].includes(key) && current.startsWith(href.slice(1)));
        const badge = key === 'home' ? unreadBadge() : null;
        return h('li', null, h('a', { href, 'aria-current': here ? 'page' : null, dataset: { nav: key } }, text, badge));
      }),
    ),
  );
  const picker = h(
    'select',
    {
      id: 'language',
      'aria-label': t('nav.language'),
      onchange: (e) => {
        setLanguage(e.target.value);
        location.reload();
      },
    },
    LANGUAGES.map((l) => h('option', { value: l.code, selected: l.code === language(), lang: l.code }, l.name)),
  );
  const tools = document.getElementById('tools');
  if (state.me) {
    fill(
      tools,
      picker,
      h('a', { class: 'who', href: '#/account', id: 'my-account', title: t('account.title') }, state.me.displayName, ' · ', t(`Role.${state.me.role}`)),
      h('button', { type: 'button', id: 'signout', class: 'quiet', onclick: signOut }, t('nav.signout')),
    );
  } else {
    fill(tools, picker, h('a', { href: '#/signin', class: 'button quiet' }, t('nav.signin')));
  }
}

async function signOut() {
  try {
    await gql('mutation { logout }');
  } catch {
    /* the session may have ended already */
  }
  setToken(null);
  await signedIn(null);
  navigate('/signin');
}

/** Called by the sign-in screen (with the Session's user) and on sign-out. */
export async function signedIn(user) {
  if (user) state.me = (await gql(ME)).me;
  else state.me = null;
  state.unread = 0;
  startNotifications();
  renderChrome();
}

function toast(text, href) {
  const box = document.getElementById('toasts');
  const item = h('div', { class: 'toast' }, href ? h('a', { href }, text) : text);
  box.append(item);
  setTimeout(() => item.remove(), 10_000);
}

function notificationText(n) {
  return t(`NotificationKind.${n.kind}`, { who: n.actorName || '', excerpt: n.excerpt || '' });
}

export function notificationLink(n) {
  if (n.kind.startsWith('EVENT_') && n.about) return `#/events/${n.about}`;
  if (n.kind === 'SCHOOL_APPLIED') return '#/approvals';
  if (n.kind.startsWith('TWINNING_') && state.me?.school) return `#/schools/${state.me.school.id}`;
  if (n.kind === 'MESSAGE_REPORTED' && n.spaceId) return `#/spaces/${n.spaceId}/reports`;
  if (n.spaceId) return `#/spaces/${n.spaceId}`;
  return '#/';
}

export function setUnread(n) {
  state.unread = n;
  // Only the badge changes, so a focused menu item keeps its focus.
  const home = document.querySelector('#nav a[data-nav="home"]');
  if (!home) return;
  home.querySelector('.badge')?.remove();
  add(home, unreadBadge());
}

function unreadBadge() {
  return state.unread > 0
    ? h('span', { class: 'badge', id: 'unread-badge' }, h('span', { class: 'sr' }, t('nav.unread')), String(state.unread))
    : null;
}

function startNotifications() {
  state.notifications?.();
  state.notifications = null;
  if (!state.me) return;
  gql('{ myNotifications(first: 1) { unreadCount } }')
    .then((d) => setUnread(d.myNotifications.unreadCount))
    .catch(() => {});
  state.notifications = live.subscribe(
    'subscription { notifications { id kind createdAt spaceId about actorName excerpt read } }',
    () => ({}),
    {
      next: (d) => {
        const n = d.notifications;
        if (n.kind === 'SIGNED_IN') return;
        setUnread(state.unread + 1);
        toast(notificationText(n), notificationLink(n));
        document.dispatchEvent(new CustomEvent('lff:notification', { detail: n }));
      },
      // Ended by the server (a lagging tab, a restart): read the count
      // again and follow anew.
      resync: () => startNotifications(),
      complete: () => {
        if (state.me) startNotifications();
      },
    },
  );
}

const views = {};
async function view(name) {
  if (!views[name]) views[name] = await import(`./views/${name}.js`);
  return views[name];
}

let routing = 0;
async function route() {
  const here = ++routing;
  const { path, query } = parseHash();
  const root = document.getElementById('view');
  if (state.cleanup) {
    try {
      state.cleanup();
    } catch {
      /* a screen that failed to close must not block the next */
    }
    state.cleanup = null;
  }
  renderChrome();
  let found = null;
  for (const [re, name, names, who] of ROUTES) {
    const m = path.match(re);
    if (m) {
      const params = Object.fromEntries(names.map((n, i) => [n, m[i + 1]]));
      found = { name, params, who };
      break;
    }
  }
  if (found?.name === 'home' && !state.me) found = { name: 'welcome', params: {}, who: undefined };
  if (!found) {
    fill(root, h('h1', { tabindex: '-1' }, t('error.noPage')), h('p', null, h('a', { href: '#/' }, t('nav.home'))));
    document.title = t('error.noPage');
    root.querySelector('h1').focus();
    return;
  }
  if (!canOpen(found.who)) {
    if (!state.me) {
      navigate(`/signin?next=${encodeURIComponent(path)}`);
      return;
    }
    fill(root, h('h1', { tabindex: '-1' }, t('error.forbiddenTitle')), h('p', { id: 'forbidden' }, t('error.forbidden')),
      h('p', null, h('a', { href: '#/' }, t('nav.home'))));
    document.title = t('error.forbiddenTitle');
    root.querySelector('h1').focus();
    return;
  }
  root.setAttribute('aria-busy', 'true');
  // The new screen is built aside and shown whole, so a slow connection
  // shows the old screen (dimmed) rather than a blank one.
  const next = h('div', { class: 'view' });
  try {
    const mod = await view(found.name);
    if (here !== routing) return;
    const ctx = {
      me: state.me,
      params: found.params,
      query,
      navigate,
      title: (text) => {
        document.title = `${text} — LFF`;
      },
    };
    const cleanup = (await mod.render(next, ctx)) || null;
    if (here !== routing) {
      cleanup?.();
      return;
    }
    state.cleanup = cleanup;
    root.replaceChildren(next);
  } catch (e) {
    if (here !== routing) return;
    const code = e instanceof ApiError ? e.code : 'INTERNAL';
    // A fault of the page itself: say so where developers and tests look.
    if (!(e instanceof ApiError)) console.error(e);
    fill(root, h('h1', null, t('error.title')), h('p', { class: 'error' }, t(`error.${code}`)),
      code === 'BAD_USER_INPUT' ? h('p', { class: 'meta' }, e.message) : null);
  } finally {
    if (here === routing) root.removeAttribute('aria-busy');
  }
  if (here !== routing) return;
  const target = root.querySelector('[autofocus]') || root.querySelector('h1');
  if (target) {
    if (target.tagName === 'H1') target.setAttribute('tabindex', '-1');
    target.focus();
  }
}

function watchConnection() {
  const line = document.getElementById('connection');
  live.onState((s) => {
    line.hidden = s !== 'reconnecting';
    line.textContent = s === 'reconnecting' ? t('live.reconnecting') : '';
  });
}

async function boot() {
  // On a slow link every round trip counts: the catalog and the first
  // screen's module travel together.
  const first = parseHash().path;
  if (first === '/signin') view('signin').catch(() => {});
  else if (!token() && first === '/') view('welcome').catch(() => {});
  await initI18n();
  onSignedOut(() => {
    state.me = null;
    startNotifications();
    renderChrome();
    navigate('/signin');
  });
  if (token()) {
    try {
      state.me = (await gql(ME)).me;
    } catch {
      state.me = null;
    }
  }
  startNotifications();
  watchConnection();
  addEventListener('hashchange', route);
  // Tests and curious people can see that a dropped connection loses nothing.
  window.lff = { live };
  await route();
}

boot();
