// Correcting a school's facts (its coordinator, its national coordinator or
// an administrator): names, city, languages of instruction, website,
// ASPnet number and contact. The country cannot change.

import { gql } from '../api.js';
import { add, h } from '../dom.js';
import { t } from '../i18n.js';
import { schoolForm } from '../school-form.js';

const Q = `query($id: ID!) { countries { code name } school(id: $id) {
  id name names { language text } defaultLanguage countryCode city languages website aspnetNumber canEdit
  contact { name email phone } } }`;

export async function render(root, ctx) {
  const d = await gql(Q, { id: ctx.params.id });
  const s = d.school;
  if (!s || !s.canEdit) {
    add(root, h('h1', null, t('error.forbiddenTitle')), h('p', { id: 'forbidden' }, t('error.forbidden')));
    return;
  }
  ctx.title(t('schoolEdit.title', { name: s.name }));
  const form = schoolForm({
    id: 'school-form',
    submitId: 'school-save',
    submitLabel: t('schoolEdit.submit'),
    countries: d.countries,
    school: s,
    prefix: 'school',
    contactRequired: false,
    save: async (input) => {
      await gql('mutation($id: ID!, $i: SchoolInput!) { updateSchool(id: $id, input: $i) { id } }', { id: s.id, i: input });
      ctx.navigate(`/schools/${s.id}`);
    },
  });
  add(root,
    h('p', { class: 'crumbs' }, h('a', { href: `#/schools/${s.id}` }, s.name)),
    h('h1', null, t('schoolEdit.title', { name: s.name })),
    form);
}
