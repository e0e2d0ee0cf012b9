// "Apply as a school": a school that is not in the network yet asks to
// join, without an account. Its national coordinator is told at once and
// answers at the contact e-mail; the receipt says what happens next.

import { gql } from '../api.js';
import { add, fill, h } from '../dom.js';
import { formatDateTime, label, t } from '../i18n.js';
import { schoolForm } from '../school-form.js';

const APPLY = `mutation($i: SchoolInput!) { applySchool(input: $i) { id status submittedAt } }`;

export async function render(root, ctx) {
  ctx.title(t('apply.title'));
  const d = await gql('{ countries { code name } }');
  const form = schoolForm({
    id: 'apply-form',
    submitId: 'apply-submit',
    submitLabel: t('apply.submit'),
    working: t('apply.working'),
    countries: d.countries,
    prefix: 'apply',
    contactRequired: true,
    save: async (input) => {
      const r = (await gql(APPLY, { i: input })).applySchool;
      const where = d.countries.find((c) => c.code === input.country)?.name || input.country;
      fill(root, receipt(r, where, input.contactEmail));
      root.querySelector('h1').focus();
    },
  });
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
