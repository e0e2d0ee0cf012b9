// The invitations a person sent, newest first, with what became of each;
// an open one can be withdrawn (its link stops working at once).

import { errorText, gql } from './api.js';
import { add, fill, h, statusLine } from './dom.js';
import { formatDate, label, t } from './i18n.js';

const Q = `query($a: String) { myInvitations(first: 20, after: $a) {
  pageInfo { hasNextPage endCursor }
  nodes { id role email displayName createdAt expiresAt acceptedAt revokedAt open } } }`;

function state(i) {
  if (i.acceptedAt) return t('invitations.accepted', { date: formatDate(i.acceptedAt) });
  if (i.revokedAt) return t('invitations.revoked', { date: formatDate(i.revokedAt) });
  if (!i.open) return t('invitations.expired');
  return t('invitations.open', { date: formatDate(i.expiresAt) });
}

/** A section listing the invitations the signed-in person sent. */
export async function sentInvitations() {
  const list = h('ul', { class: 'plain', id: 'sent-invitations' });
  const status = statusLine();
  const more = h('button', { type: 'button', class: 'quiet', hidden: true }, t('invitations.more'));
  let after = null;
  const item = (i) => {
    const li = h('li', { dataset: { invitation: i.id } });
    fill(li, i.displayName, ' · ', i.email, ' · ', label('Role', i.role), ' · ', state(i), ' ',
      i.open ? h('button', {
        type: 'button',
        class: 'link',
        'aria-label': t('invitations.revokeNamed', { name: i.displayName }),
        onclick: async () => {
          try {
            const r = await gql('mutation($id: ID!) { revokeInvitation(id: $id) { id role email displayName createdAt expiresAt acceptedAt revokedAt open } }', { id: i.id });
            li.replaceWith(item(r.revokeInvitation));
            status.className = 'status';
            status.textContent = t('invitations.revokedNow', { name: i.displayName });
          } catch (e) {
            status.className = 'status error';
            status.textContent = errorText(e, t);
          }
        },
      }, t('invitations.revoke')) : null);
    return li;
  };
  const page = async () => {
    const d = await gql(Q, { a: after });
    add(list, d.myInvitations.nodes.map(item));
    after = d.myInvitations.pageInfo.endCursor;
    more.hidden = !d.myInvitations.pageInfo.hasNextPage;
    return d.myInvitations.nodes.length;
  };
  more.addEventListener('click', () => page().catch((e) => {
    status.className = 'status error';
    status.textContent = errorText(e, t);
  }));
  const any = await page();
  return h('section', { class: 'card', 'aria-labelledby': 'sent-h' },
    h('h2', { id: 'sent-h' }, t('invitations.title')),
    any ? list : h('p', { class: 'empty' }, t('invitations.none')),
    more, status);
}
