// Search as you type over everything you may read: materials and good
// practices, schools, spaces and messages, with facets to narrow and the
// matched words marked. The query and the chosen facets stay in the
// address, so a search can be shared and the back button works.

import { ApiError, gql } from '../api.js';
import { add, fill, h, html, statusLine } from '../dom.js';
import { formatDate, label, languageName, t } from '../i18n.js';

const Q = `query($q: String!, $f: SearchFilter, $a: String) {
  search(query: $q, filter: $f, first: 20, after: $a) {
    totalCount partialMatch
    facets { name values { value label count } }
    pageInfo { hasNextPage endCursor }
    edges { node { highlights { field html } result {
      __typename
      ... on Material { id title summary kind languages updatedAt school { name } }
      ... on School { id name city countryCode }
      ... on Space { id title topic }
      ... on Message { id spaceId channelId body author { displayName } createdAt }
    } } } } }`;

// Facet → filter field, and how its values travel.
const FACETS = {
  KIND: ['kinds', String],
  LANGUAGE: ['languages', String],
  COUNTRY: ['countries', String],
  SCHOOL: ['schoolIds', String],
  PILLAR: ['pillars', String],
  SDG: ['sdgs', Number],
  SUBJECT: ['subjects', String],
  AGE: ['ageBands', String],
  LICENCE: ['licences', String],
};

function facetLabel(name, v) {
  if (v.label) return v.label;
  if (name === 'LANGUAGE') return languageName(v.value);
  if (name === 'KIND') return label('SearchKind', v.value);
  if (name === 'PILLAR') return label('Pillar', v.value);
  if (name === 'LICENCE') return label('Licence', v.value);
  if (name === 'SDG') return t(`sdg.${v.value}`);
  return v.value;
}

function highlight(node, field, fallback, attrs) {
  const hl = node.highlights.find((x) => x.field === field);
  return hl ? html('span', attrs, hl.html) : h('span', attrs, fallback);
}

function hitItem(node) {
  const r = node.result;
  switch (r.__typename) {
    case 'Material':
      return h('li', { class: 'hit', dataset: { kind: 'material', id: r.id } },
        h('h3', { lang: r.languages[0] || null }, h('a', { href: `#/materials/${r.id}` }, highlight(node, 'TITLE', r.title))),
        h('p', { class: 'meta' }, label('MaterialKind', r.kind), ' · ', r.languages.map(languageName).join(', '),
          r.school ? ` · ${r.school.name}` : '', ' · ', formatDate(r.updatedAt)),
        h('p', { lang: r.languages[0] || null }, highlight(node, 'TEXT', r.summary)));
    case 'School':
      return h('li', { class: 'hit', dataset: { kind: 'school', id: r.id } },
        h('h3', null, h('a', { href: `#/schools/${r.id}` }, highlight(node, 'TITLE', r.name))),
        h('p', { class: 'meta' }, t('SearchKind.SCHOOL'), ' · ', r.city, ' · ', r.countryCode));
    case 'Space':
      return h('li', { class: 'hit', dataset: { kind: 'space', id: r.id } },
        h('h3', null, h('a', { href: `#/spaces/${r.id}` }, highlight(node, 'TITLE', r.title))),
        h('p', { class: 'meta' }, t('SearchKind.SPACE'), ' · ', r.topic));
    case 'Message':
      return h('li', { class: 'hit', dataset: { kind: 'message', id: r.id } },
        h('p', null, h('a', { href: `#/spaces/${r.spaceId}/${r.channelId}` }, highlight(node, 'TEXT', r.body))),
        h('p', { class: 'meta' }, t('SearchKind.MESSAGE'), ' · ', r.author.displayName, ' · ', formatDate(r.createdAt)));
    default:
      return h('li', null);
  }
}

export async function render(root, ctx) {
  ctx.title(t('search.title'));
  const chosen = {}; // facet name -> Set of values
  for (const name of Object.keys(FACETS)) {
    const v = ctx.query.getAll(name.toLowerCase());
    if (v.length) chosen[name] = new Set(v);
  }
  const input = h('input', { type: 'search', id: 'q', value: ctx.query.get('q') || '', autocomplete: 'off', autofocus: true, 'aria-describedby': 'q-hint', 'aria-controls': 'results' });
  const count = statusLine();
  count.id = 'search-count';
  const facetsBox = h('div', { class: 'facets', id: 'facets' });
  const results = h('ol', { class: 'hits', id: 'results', 'aria-label': t('search.results') });
  const more = h('button', { type: 'button', class: 'quiet', hidden: true }, t('search.more'));
  let controller = null;
  let timer = null;
  let after = null;

  function filter() {
    const f = {};
    for (const [name, set] of Object.entries(chosen)) {
      if (!set.size) continue;
      const [key, conv] = FACETS[name];
      f[key] = [...set].map(conv);
    }
    return f;
  }

  function remember() {
    const p = new URLSearchParams();
    if (input.value) p.set('q', input.value);
    for (const [name, set] of Object.entries(chosen)) for (const v of set) p.append(name.toLowerCase(), v);
    history.replaceState(null, '', `#/search${p.toString() ? `?${p}` : ''}`);
  }

  function drawFacets(facets) {
    fill(facetsBox, facets.filter((f) => f.values.length && FACETS[f.name]).map((f) => h('fieldset', { class: 'facet' },
      h('legend', null, label('SearchFacet', f.name)),
      f.values.slice(0, 12).map((v) => h('label', null,
        h('input', {
          type: 'checkbox',
          value: v.value,
          checked: chosen[f.name]?.has(v.value),
          dataset: { facet: f.name },
          onchange: (e) => {
            chosen[f.name] = chosen[f.name] || new Set();
            if (e.target.checked) chosen[f.name].add(v.value);
            else chosen[f.name].delete(v.value);
            run(false);
          },
        }), ' ', facetLabel(f.name, v), ' ', h('span', { class: 'count' }, `(${v.count})`))))));
  }

  async function run(append) {
    const q = input.value.trim();
    remember();
    controller?.abort();
    if (!q) {
      fill(results);
      fill(facetsBox);
      count.textContent = '';
      more.hidden = true;
      return;
    }
    controller = new AbortController();
    try {
      const d = await gql(Q, { q, f: filter(), a: append ? after : null }, { signal: controller.signal });
      const s = d.search;
      if (!append) fill(results);
      for (const e of s.edges) add(results, hitItem(e.node));
      after = s.pageInfo.endCursor;
      more.hidden = !s.pageInfo.hasNextPage;
      count.textContent = s.totalCount
        ? t(s.partialMatch ? 'search.countPartial' : 'search.count', { n: s.totalCount })
        : t('search.none');
      drawFacets(s.facets);
    } catch (e) {
      if (e.name === 'AbortError') return;
      count.textContent = e instanceof ApiError && e.code === 'BAD_USER_INPUT' ? e.message : t(`error.${e.code || 'INTERNAL'}`);
    }
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(false), 200);
  });
  more.addEventListener('click', () => run(true));

  add(root, 
    h('h1', null, t('search.title')),
    h('form', { role: 'search', class: 'searchbar', onsubmit: (e) => { e.preventDefault(); clearTimeout(timer); run(false); } },
      h('label', { for: 'q' }, t('search.label')), input, h('button', { type: 'submit' }, t('search.submit')),
      h('small', { id: 'q-hint', class: 'hint' }, t('search.hint'))),
    count,
    h('div', { class: 'search' }, h('aside', { 'aria-label': t('search.facets') }, facetsBox), h('div', null, results, more)),
  );
  if (input.value) await run(false);
  return () => {
    clearTimeout(timer);
    controller?.abort();
  };
}
