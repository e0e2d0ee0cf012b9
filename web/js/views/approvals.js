// A national coordinator's (or administrator's) approvals: schools that
// applied, to approve or reject with a reason.

import { ApiError, errorText, gql } from '../api.js';
import { add, field, fill, h, statusLine } from '../dom.js';
import { formatDate, languageName, t } from '../i18n.js';

export async function render(root, ctx) {
  ctx.title(t('approvals.title'));
  const country = ctx.me.role === 'NATIONAL_COORDINATOR' ? ctx.me.countryCode : null;
  const d = await gql(`query($c: String) { schools(country: $c, status: APPLIED, first: 100) {
    nodes { id name city countryCode languages createdAt contact { name email } } } }`, { c: country });
  const status = statusLine();
  const list = h('ul', { class: 'cards', id: 'applications' });
  const empty = h('p', { class: 'empty', hidden: d.schools.nodes.length > 0 }, t('approvals.none'));
  for (const s of d.schools.nodes) {
    const reason = h('input', { id: `reason-${s.id}`, maxlength: 500 });
    const item = h('li', { class: 'card', dataset: { school: s.id } });
    const act = (approve) => async () => {
      if (!approve && !reason.value.trim()) {
        status.className = 'status error';
        status.textContent = t('approvals.reasonNeeded');
        reason.focus();
        return;
      }
      try {
        await gql(approve
          ? 'mutation($id: ID!, $r: String) { approveSchool(id: $id, reason: $r) { id status } }'
          : 'mutation($id: ID!, $r: String!) { rejectSchool(id: $id, reason: $r) { id status } }',
        { id: s.id, r: reason.value.trim() || null });
        status.className = 'status';
        status.textContent = approve ? t('approvals.approved', { name: s.name }) : t('approvals.rejected', { name: s.name });
        if (approve) {
          // The school needs a coordinator on the portal: most often the
          // person who applied for it.
          list.before(inviteCoordinator(s));
        }
        item.remove();
        empty.hidden = list.children.length > 0;
      } catch (e) {
        status.className = 'status error';
        status.textContent = t(`error.${e instanceof ApiError ? e.code : 'INTERNAL'}`);
      }
    };
    add(item, 
      h('h2', null, h('a', { href: `#/schools/${s.id}` }, s.name)),
      h('p', { class: 'meta' }, s.city, ' · ', s.countryCode, ' · ', s.languages.map(languageName).join(', '), ' · ',
        t('approvals.applied', { date: formatDate(s.createdAt) })),
      s.contact ? h('p', { class: 'meta' }, [s.contact.name, s.contact.email].filter(Boolean).join(' · ')) : null,
      field(t('approvals.reason'), reason, t('approvals.reasonHint')),
      h('div', { class: 'toolbar' },
        h('button', { type: 'button', class: 'approve', onclick: act(true) }, t('approvals.approve')),
        h('button', { type: 'button', class: 'quiet reject', onclick: act(false) }, t('approvals.reject'))),
    );
    add(list, item);
  }
  add(root, h('h1', null, t('approvals.title')), h('p', { class: 'lead' }, t('approvals.intro')), status, empty, list);
}

/** Inviting the coordinator of a school just approved, from its contact. */
function inviteCoordinator(s) {
  const name = h('input', { id: `coordinator-name-${s.id}`, required: true, maxlength: 100, value: s.contact?.name || '' });
  const email = h('input', { id: `coordinator-email-${s.id}`, type: 'email', required: true, value: s.contact?.email || '' });
  const result = h('div', { role: 'status', 'aria-live': 'polite' });
  const form = h('form', {
    class: 'card invite-coordinator',
    dataset: { school: s.id },
    onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        const r = await gql('mutation($i: InvitationInput!) { invitePerson(input: $i) { code } }',
          { i: { role: 'SCHOOL_COORDINATOR', email: email.value.trim(), displayName: name.value.trim(), schoolId: s.id } });
        const link = `${location.origin}/#/join?code=${encodeURIComponent(r.invitePerson.code)}`;
        fill(result, h('p', null, t('approvals.inviteReady', { name: name.value.trim(), email: email.value.trim() })),
          h('input', { readonly: true, value: link, class: 'wide', id: `coordinator-link-${s.id}`, 'aria-label': t('approvals.inviteLink') }));
      } catch (e) {
        fill(result, h('p', { class: 'error' }, errorText(e, t)));
      }
    },
  },
  h('h2', null, t('approvals.inviteTitle', { name: s.name })),
  h('p', { class: 'hint' }, t('approvals.inviteIntro')),
  field(t('approvals.inviteName'), name),
  field(t('approvals.inviteEmail'), email),
  h('button', { type: 'submit' }, t('approvals.invite')),
  result);
  return form;
}
