// The sign-in page: talks only to the public GraphQL API. The session token
// is kept in sessionStorage (not a cookie), so no other site can make the
// browser send it: there is no CSRF path.

const status = document.getElementById('status');

async function gql(query, variables) {
  const headers = { 'Content-Type': 'application/json', 'Accept': 'application/graphql-response+json' };
  const token = sessionStorage.getItem('lff.token');
  if (token) headers['Authorization'] = 'Bearer ' + token;
  const res = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = await res.json();
  if (res.status === 401) sessionStorage.removeItem('lff.token');
  if (body.errors && body.errors.length) throw new Error(body.errors[0].message);
  return body.data;
}

function show(user) {
  document.getElementById('signin').hidden = !!user;
  document.getElementById('me').hidden = !user;
  if (user) {
    document.getElementById('me-name').textContent = user.displayName;
    document.getElementById('me-role').textContent = user.role.toLowerCase().replace(/_/g, ' ');
  }
}

document.getElementById('signin-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  status.textContent = 'Signing in…';
  try {
    const data = await gql('mutation($l: String!, $p: String!) { login(login: $l, password: $p) { token user { displayName role } } }',
      { l: document.getElementById('login').value, p: document.getElementById('password').value });
    sessionStorage.setItem('lff.token', data.login.token);
    document.getElementById('password').value = '';
    show(data.login.user);
    status.textContent = '';
  } catch (e) {
    status.textContent = e.message;
  }
});

document.getElementById('signout').addEventListener('click', async () => {
  try { await gql('mutation { logout }'); } catch (_) { /* the session may already have ended */ }
  sessionStorage.removeItem('lff.token');
  show(null);
});

(async () => {
  if (!sessionStorage.getItem('lff.token')) return show(null);
  try { show((await gql('{ me { displayName role } }')).me); } catch (_) { show(null); }
})();
