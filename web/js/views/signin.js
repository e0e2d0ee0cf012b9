// Sign in with an e-mail or username and a password.

import { ApiError, gql, setToken } from '../api.js';
import { add, field, h, statusLine } from '../dom.js';
import { t } from '../i18n.js';
import { signedIn } from '../main.js';

export async function render(root, ctx) {
  ctx.title(t('signin.title'));
  const login = h('input', { id: 'login', name: 'login', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false', autofocus: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const status = statusLine();
  const submit = h('button', { type: 'submit', id: 'signin-submit' }, t('signin.submit'));
  const form = h(
    'form',
    {
      id: 'signin-form',
      class: 'card narrow',
      onsubmit: async (ev) => {
        ev.preventDefault();
        submit.disabled = true;
        status.className = 'status';
        status.textContent = t('signin.working');
        try {
          const name = login.value.trim();
          const d = await gql(
            'mutation($l: String!, $p: String!, $d: String) { login(login: $l, password: $p, device: $d) { token device user { id } } }',
            { l: name, p: password.value, d: deviceToken(name) },
          );
          password.value = '';
          keepDeviceToken(name, d.login.device);
          setToken(d.login.token);
          await signedIn(d.login.user);
          status.textContent = '';
          ctx.navigate(ctx.query.get('next') || '/');
        } catch (e) {
          const code = e instanceof ApiError ? e.code : 'INTERNAL';
          status.className = 'status error';
          status.textContent = code === 'UNAUTHENTICATED' ? t('signin.wrong')
            : code === 'FORBIDDEN' ? t('signin.suspended')
            : t(`error.${code}`);
          password.focus();
        } finally {
          submit.disabled = false;
        }
      },
    },
    field(t('signin.login'), login),
    field(t('signin.password'), password),
    submit,
    status,
  );
  add(root, 
    h('h1', null, t('signin.title')),
    h('p', { class: 'lead' }, t('signin.intro')),
    form,
    h('p', { class: 'hint' }, t('signin.help')),
    h('p', null, t('signin.newSchool'), ' ', h('a', { href: '#/apply' }, t('welcome.apply'))),
  );
}

// Each account signed in on this browser leaves a device token here: the
// server then counts someone else's failed sign-ins to that account apart
// from ours. A few accounts at most (a shared school computer).
const DEVICES = 'lff.devices';

function devices() {
  try {
    const v = JSON.parse(localStorage.getItem(DEVICES) || '{}');
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}

function deviceToken(name) {
  return devices()[name.toLowerCase()] || null;
}

function keepDeviceToken(name, token) {
  if (!token) return;
  const all = devices();
  delete all[name.toLowerCase()];
  all[name.toLowerCase()] = token;
  const keys = Object.keys(all);
  for (const k of keys.slice(0, Math.max(0, keys.length - 20))) delete all[k];
  try {
    localStorage.setItem(DEVICES, JSON.stringify(all));
  } catch {
    // Private browsing without storage: sign-ins work, just unremembered.
  }
}
