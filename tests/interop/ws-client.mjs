// A stock graphql-ws client against a running LFF server: signs in over
// HTTP, opens a socket with the token, subscribes to notifications, causes
// one (a second sign-in) and waits for it; then checks that a bad token is
// refused with close code 4403. Arguments: base URL, login, password.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [base, login, password] = process.argv.slice(2);
const wsUrl = base.replace(/^http/, 'ws') + '/graphql/ws';

async function signIn() {
  const res = await fetch(base + '/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({
      query: 'mutation($l: String!, $p: String!) { login(login: $l, password: $p) { token } }',
      variables: { l: login, p: password },
    }),
  });
  const body = await res.json();
  if (!body.data) throw new Error('sign-in failed: ' + JSON.stringify(body));
  return body.data.login.token;
}

function withTimeout(promise, ms, what) {
  return Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error('timed out: ' + what)), ms))]);
}

const token = await signIn();
const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { token }, retryAttempts: 0, lazy: false });

const received = new Promise((resolve, reject) => {
  client.subscribe(
    { query: 'subscription { notifications { kind createdAt } }' },
    { next: (v) => resolve(v), error: reject, complete: () => reject(new Error('completed early')) },
  );
});
await withTimeout(new Promise((resolve) => client.on('connected', resolve)), 5000, 'connected');
// A query over the same socket proves the subscription was registered first.
const me = await withTimeout(new Promise((resolve, reject) => {
  let result;
  client.subscribe({ query: '{ me { username } }' }, { next: (v) => (result = v), error: reject, complete: () => resolve(result) });
}), 5000, 'query over WebSocket');
if (me.data.me.username !== login) throw new Error('unexpected me: ' + JSON.stringify(me));
await signIn();
const event = await withTimeout(received, 5000, 'notification');
if (event.data.notifications.kind !== 'SIGNED_IN') throw new Error('unexpected event: ' + JSON.stringify(event));
console.log('graphql-ws: received', JSON.stringify(event.data));
await client.dispose();

const refused = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { token: 'lff_wrong' }, retryAttempts: 0, lazy: false, onNonLazyError: () => {} });
const closeCode = await withTimeout(new Promise((resolve) => refused.on('closed', (e) => resolve(e.code))), 5000, 'refusal');
if (closeCode !== 4403) throw new Error('expected close code 4403, got ' + closeCode);
console.log('graphql-ws: a bad token was refused with', closeCode);
await refused.dispose();
console.log('1 passed, 0 failed');
