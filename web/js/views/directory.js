// The network directory: the countries, then a country's schools.

import { gql } from '../api.js';
import { add, h } from '../dom.js';
import { label, language, languageName, t } from '../i18n.js';

export async function render(root, ctx) {
  const code = ctx.params.country;
  if (!code) {
    ctx.title(t('directory.title'));
    const d = await gql('{ countries { code name nativeName schoolCount } }');
    add(root, 
      h('h1', null, t('directory.title')),
      h('p', { class: 'lead' }, t('directory.intro')),
      h('ul', { class: 'cards countries', id: 'countries' }, d.countries.map((c) => h('li', { class: 'card' },
        h('h2', null, h('a', { href: `#/directory/${c.code}` }, c.name)),
        h('p', { class: 'meta' }, c.nativeName, ' · ', t('directory.schools', { n: c.schoolCount }))))),
    );
    return;
  }
  const d = await gql(`query($c: String!, $l: String) { country(code: $c) { code name nativeName
    schools(first: 100) { nodes { id name(language: $l) localName: name city languages status defaultLanguage } } } }`, { c: code, l: language() });
  if (!d.country) {
    add(root, h('h1', null, t('error.title')), h('p', { class: 'error' }, t('error.NOT_FOUND')));
    return;
  }
  const c = d.country;
  ctx.title(c.name);
  add(root, 
    h('p', { class: 'crumbs' }, h('a', { href: '#/directory' }, t('directory.title'))),
    h('h1', null, c.name, ' ', h('span', { class: 'meta' }, `(${c.nativeName})`)),
    c.schools.nodes.length
      ? h('ul', { class: 'cards', id: 'schools' }, c.schools.nodes.map((s) => h('li', { class: 'card' },
        h('h2', null, h('a', { href: `#/schools/${s.id}` }, s.name)),
        s.localName !== s.name ? h('p', { lang: s.defaultLanguage }, s.localName) : null,
        h('p', { class: 'meta' }, s.city, ' · ', s.languages.map(languageName).join(', '),
          s.status !== 'APPROVED' ? ` · ${label('SchoolStatus', s.status)}` : ''))))
      : h('p', { class: 'empty' }, t('directory.noSchools')),
  );
}
