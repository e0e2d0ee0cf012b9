// "Apply as a school": a school that is not in the network yet asks to
// join, without an account. Its national coordinator is told at once and
// answers at the contact e-mail; the receipt says what happens next.

import { ApiError, errorText, gql } from '../api.js';
import { add, fill, h, statusLine } from '../dom.js';
import { formatDateTime, label, t } from '../i18n.js';
import { schoolFields } from '../school-form.js';

const APPLY = `mutation($i: SchoolInput!) { applySchool(input: $i) { id status submittedAt } }`;

export async function render(root, ctx) {
  ctx.title(t('apply.title'));
  const d = await gql('{ countries { code name } }');
  const fields = schoolFields({ countries: d.countries, prefix: 'apply', contactRequired: true });
  const status = statusLine();
  const submit = h('button', { type: 'submit', id: 'apply-submit' }, t('apply.submit'));
  const complain = (text) => {
    status.className = 'status error';
    status.textContent = text;
  };

  const form = h('form', {
    id: 'apply-form',
    class: 'card',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const input = fields.read(complain);
      if (!input) return;
      submit.disabled = true;
      status.className = 'status';
      status.textContent = t('apply.working');
      try {
        const r = (await gql(APPLY, { i: input })).applySchool;
        const where = d.countries.find((c) => c.code === input.country)?.name || input.country;
        fill(root, receipt(r, where, input.contactEmail));
        root.querySelector('h1').focus();
      } catch (e) {
        complain(e instanceof ApiError ? errorText(e, t) : t('error.INTERNAL'));
      } finally {
        submit.disabled = false;
      }
    },
  },
  fields.element,
  submit,
  status);

  add(root,
    h('p', { class: 'crumbs' }, h('a', { href: '#/welcome' }, t('welcome.title'))),
    h('h1', null, t('apply.title')),
    h('p', { class: 'lead' }, t('apply.intro')),
    form);
}

function receipt(r, country, email) {
  return h('div', { class: 'view', id: 'apply-receipt' },
    h('h1', { tabindex: '-1' }, t('apply.received')),
    h('dl', { class: 'facts card' },
      h('dt', null, t('apply.reference')), h('dd', { id: 'apply-reference' }, h('code', null, r.id)),
      h('dt', null, t('apply.status')), h('dd', null, label('SchoolStatus', r.status)),
      h('dt', null, t('apply.submitted')), h('dd', null, formatDateTime(r.submittedAt))),
    h('h2', null, t('apply.next')),
    h('ol', { class: 'steps' },
      h('li', null, t('apply.next1', { country })),
      h('li', null, t('apply.next2', { email })),
      h('li', null, t('apply.next3'))),
    h('p', null, h('a', { href: '#/welcome' }, t('apply.back'))));
}
