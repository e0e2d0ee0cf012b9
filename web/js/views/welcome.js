// The front door, for visitors and everyone else: what the project is and
// what it is for, the countries and their schools, the newest materials
// anyone may read with a search box, the coming public events, and how a
// school joins.

import { gql } from '../api.js';
import { add, asYouType, field, fill, h } from '../dom.js';
import { formatDate, formatDateTime, formatTime, label, t } from '../i18n.js';

const PILLARS = ['LEARNING_TO_KNOW', 'LEARNING_TO_DO', 'LEARNING_TO_BE', 'LEARNING_TO_LIVE_TOGETHER'];
// What a visitor may find: materials and good practices (schools are in the directory).
const KINDS = ['LESSON_PLAN', 'PRESENTATION', 'WORKSHEET', 'VIDEO', 'PROJECT_REPORT', 'GOOD_PRACTICE', 'OTHER_MATERIAL'];

const Q = `query($f: SearchFilter) {
  countries { code name nativeName schoolCount }
  search(query: "", filter: $f, sort: NEWEST, first: 6) {
    edges { node { result { __typename ... on Material { id title summary kind languages updatedAt school { name } } } } }
  }
  events(first: 4) { nodes { id title kind startsAt endsAt audience { kind } } }
}`;

const SUGGEST = `query($p: String!) { suggest(prefix: $p, first: 5) { result { __typename
  ... on Material { id title } ... on School { id name } } } }`;

/** The best few matches for what is being typed in `box`, as links under it. */
function suggestions(box) {
  const list = h('ul', { class: 'plain suggestions', id: 'front-suggestions', 'aria-live': 'polite', 'aria-label': t('welcome.suggestions') });
  // The search itself still works when suggestions do not.
  asYouType(box, {
    ask: (text) => gql(SUGGEST, { p: text }),
    clear: () => fill(list),
    show: (r) => fill(list, r.suggest.map(({ result: x }) => (x.__typename === 'School'
      ? h('li', null, h('a', { href: `#/schools/${x.id}` }, x.name))
      : x.__typename === 'Material' ? h('li', null, h('a', { href: `#/materials/${x.id}` }, x.title)) : null))),
  });
  return list;
}

export async function render(root, ctx) {
  ctx.title(t('welcome.title'));
  const d = await gql(Q, { f: { kinds: KINDS } });
  const schools = d.countries.reduce((n, c) => n + c.schoolCount, 0);
  const materials = d.search.edges.map((e) => e.node.result).filter((m) => m.__typename === 'Material');
  const q = h('input', { type: 'search', id: 'front-q', name: 'q', autocomplete: 'off' });
  // Signed in, `events` holds more than the public ones: the front door shows those only.
  const events = d.events.nodes.filter((e) => e.audience.kind === 'PUBLIC');

  add(root,
    h('section', { class: 'hero', 'aria-labelledby': 'welcome-h' },
      h('h1', { id: 'welcome-h' }, t('welcome.title')),
      h('p', { class: 'lead' }, t('welcome.lead')),
      h('p', null, t('welcome.numbers', { n: schools, countries: d.countries.length })),
      h('p', { class: 'actions' },
        h('a', { href: '#/apply', class: 'button', id: 'apply-link' }, t('welcome.apply')),
        ctx.me ? null : h('a', { href: '#/signin', class: 'button quiet' }, t('nav.signin')))),
    h('section', { 'aria-labelledby': 'goals-h' },
      h('h2', { id: 'goals-h' }, t('welcome.goals')),
      h('p', null, t('welcome.goalsText')),
      h('ul', { class: 'cards pillars', id: 'pillars' }, PILLARS.map((p) => h('li', { class: 'card' },
        h('h3', null, label('Pillar', p)),
        h('p', { class: 'meta' }, t(`welcome.pillar.${p}`)))))),
    h('section', { 'aria-labelledby': 'countries-h' },
      h('h2', { id: 'countries-h' }, t('welcome.countries')),
      h('ul', { class: 'cards countries', id: 'front-countries' }, d.countries.map((c) => h('li', { class: 'card' },
        h('h3', null, h('a', { href: `#/directory/${c.code}` }, c.name)),
        h('p', { class: 'meta' }, c.nativeName, ' · ', t('directory.schools', { n: c.schoolCount })))))),
    h('section', { 'aria-labelledby': 'shared-h' },
      h('h2', { id: 'shared-h' }, t('welcome.shared')),
      h('form', {
        role: 'search',
        class: 'inline-search',
        onsubmit: (ev) => {
          ev.preventDefault();
          const text = q.value.trim();
          ctx.navigate(text ? `/search?q=${encodeURIComponent(text)}` : '/search');
        },
      }, field(t('welcome.searchLabel'), q), h('button', { type: 'submit' }, t('search.submit'))),
      suggestions(q),
      materials.length
        ? h('ul', { class: 'cards', id: 'front-materials' }, materials.map((m) => h('li', { class: 'card', lang: m.languages[0] },
          h('h3', null, h('a', { href: `#/materials/${m.id}` }, m.title)),
          m.summary ? h('p', null, m.summary) : null,
          h('p', { class: 'meta' }, label('MaterialKind', m.kind),
            m.school ? ` · ${m.school.name}` : '', ' · ', formatDate(m.updatedAt)))))
        : h('p', { class: 'empty' }, t('welcome.noMaterials'))),
    h('section', { 'aria-labelledby': 'events-h' },
      h('h2', { id: 'events-h' }, t('welcome.events')),
      events.length
        ? h('ul', { class: 'cards', id: 'front-events' }, events.map((e) => h('li', { class: 'card' },
          h('h3', null, h('a', { href: `#/events/${e.id}` }, e.title)),
          h('p', { class: 'meta' }, label('EventKind', e.kind), ' · ',
            h('time', { datetime: e.startsAt }, formatDateTime(e.startsAt)), '–', formatTime(e.endsAt)))))
        : h('p', { class: 'empty' }, t('welcome.noEvents'))),
    h('section', { 'aria-labelledby': 'join-h', class: 'card' },
      h('h2', { id: 'join-h' }, t('welcome.join')),
      h('p', null, t('welcome.joinText')),
      h('p', null, h('a', { href: '#/apply' }, t('welcome.apply')))),
  );
}
