// Accepting an invitation: the code from the link (`#/join?code=…`), what
// it invites to, and the new account's username, name and password.

import { ApiError, gql, setToken } from '../api.js';
import { add, field, h, statusLine } from '../dom.js';
import { label, t } from '../i18n.js';
import { signedIn } from '../main.js';

export async function render(root, ctx) {
  ctx.title(t('join.title'));
  const code = ctx.query.get('code') || '';
  const d = code ? await gql('query($c: String!) { invitation(code: $c) { role displayName schoolName countryCode expiresAt } }', { c: code }) : { invitation: null };
  const inv = d.invitation;
  if (!inv) {
    add(root, h('h1', null, t('join.title')), h('p', { class: 'error' }, t('join.invalid')));
    return;
  }
  const username = h('input', { id: 'join-username', required: true, autocomplete: 'username', autocapitalize: 'none', autofocus: true, maxlength: 40 });
  const name = h('input', { id: 'join-name', value: inv.displayName, autocomplete: 'name', maxlength: 100 });
  const password = h('input', { id: 'join-password', type: 'password', required: true, autocomplete: 'new-password', minlength: 10 });
  const status = statusLine();
  add(root,
    h('h1', null, t('join.title')),
    h('p', { class: 'lead' }, t('join.intro', { role: label('Role', inv.role), school: inv.schoolName || inv.countryCode || 'LFF' })),
    h('form', {
      class: 'card narrow',
      onsubmit: async (ev) => {
        ev.preventDefault();
        try {
          const r = await gql('mutation($c: String!, $u: String!, $p: String!, $n: String) { acceptInvitation(code: $c, username: $u, password: $p, displayName: $n) { token user { id } } }',
            { c: code, u: username.value.trim(), p: password.value, n: name.value.trim() || null });
          setToken(r.acceptInvitation.token);
          await signedIn(r.acceptInvitation.user);
          ctx.navigate('/');
        } catch (e) {
          status.className = 'status error';
          status.textContent = e instanceof ApiError && e.code === 'BAD_USER_INPUT' ? e.message : t(`error.${e instanceof ApiError ? e.code : 'INTERNAL'}`);
        }
      },
    },
    field(t('join.username'), username, t('join.usernameHint')),
    field(t('join.name'), name),
    field(t('signin.password'), password, t('join.passwordHint')),
    h('button', { type: 'submit', id: 'join-submit' }, t('join.submit')),
    status));
}
