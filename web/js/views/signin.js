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
          const d = await gql(
            'mutation($l: String!, $p: String!) { login(login: $l, password: $p) { token user { id } } }',
            { l: login.value.trim(), p: password.value },
          );
          password.value = '';
          setToken(d.login.token);
          await signedIn(d.login.user);
          status.textContent = '';
          ctx.navigate(ctx.query.get('next') || '/');
        } catch (e) {
          const code = e instanceof ApiError ? e.code : 'INTERNAL';
          status.className = 'status error';
          status.textContent = code === 'UNAUTHENTICATED' ? t('signin.wrong') : t(`error.${code}`);
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
  );
}
