// The audit trail, newest first, for those who may read it: platform
// administrators all of it (or one country's), national coordinators their
// own country's. Narrowed by country and by kind of act; pages of 50.

import { gql } from '../api.js';
import { add, field, fill, h } from '../dom.js';
import { formatDateTime, t } from '../i18n.js';

const Q = `query($c: String, $a: String, $after: String) {
  auditTrail(country: $c, action: $a, first: 50, after: $after) {
    nodes { action target outcome countryCode at requestId actor actorUser { displayName } }
    pageInfo { hasNextPage endCursor } } }`;

/** `approve_school` → "approve school": the act's code, readable. */
const readable = (action) => action.replace(/_/g, ' ');

export async function render(root, ctx) {
  const admin = ctx.me.role === 'PLATFORM_ADMIN';
  const country = admin ? ctx.query.get('country') || null : ctx.me.countryCode;
  const action = ctx.query.get('action') || null;
  const d = await gql(Q, { c: country, a: action, after: null });
  const countries = admin ? (await gql('{ countries { code name } }')).countries : [];
  ctx.title(t('audit.title'));

  const rows = h('tbody', { id: 'audit-rows' });
  const more = h('p');
  const draw = (page) => {
    add(rows, page.nodes.map((e) => h('tr', { dataset: { action: e.action } },
      h('td', null, h('time', { datetime: e.at }, formatDateTime(e.at))),
      h('td', null, e.actorUser?.displayName || (e.actor ? t('audit.someone') : t('audit.platform'))),
      h('td', null, h('span', { title: e.action }, readable(e.action))),
      h('td', null, h('code', null, e.target)),
      h('td', { class: e.outcome === 'denied' ? 'bad' : null }, e.outcome),
      h('td', null, e.countryCode || '—'))));
    fill(more, page.pageInfo.hasNextPage
      ? h('button', { type: 'button', class: 'quiet', id: 'audit-more', onclick: async () => {
        draw((await gql(Q, { c: country, a: action, after: page.pageInfo.endCursor })).auditTrail);
      } }, t('audit.more'))
      : null);
  };

  const go = (c, a) => {
    const q = new URLSearchParams();
    if (c) q.set('country', c);
    if (a) q.set('action', a);
    const s = q.toString();
    ctx.navigate(`/audit${s ? `?${s}` : ''}`);
  };
  const countryPick = admin
    ? h('select', { id: 'audit-country', onchange: (e) => go(e.target.value, action) },
      h('option', { value: '' }, t('audit.allCountries')),
      countries.map((c) => h('option', { value: c.code, selected: c.code === country }, c.name)))
    : null;
  const actionBox = h('input', { id: 'audit-action', value: action || '', placeholder: 'approve_school', maxlength: 100 });
  const form = h('form', {
    class: 'toolbar',
    role: 'search',
    'aria-label': t('audit.filters'),
    onsubmit: (ev) => {
      ev.preventDefault();
      go(country, actionBox.value.trim().toLowerCase().replace(/\s+/g, '_'));
    },
  },
  countryPick ? field(t('audit.country'), countryPick) : null,
  field(t('audit.action'), actionBox, t('audit.actionHint')),
  h('button', { type: 'submit' }, t('audit.apply')));

  add(root,
    h('h1', null, t('audit.title')),
    h('p', { class: 'lead' }, admin ? t('audit.introAdmin') : t('audit.introCountry')),
    form,
    d.auditTrail.nodes.length
      ? h('div', { class: 'table-wrap' }, h('table', { class: 'audit', dataset: { action: action || '', country: country || '' } },
        h('caption', { class: 'sr' }, t('audit.title')),
        h('thead', null, h('tr', null, ['when', 'who', 'what', 'target', 'outcome', 'country'].map((k) => h('th', { scope: 'col' }, t(`audit.col.${k}`))))),
        rows))
      : h('p', { class: 'empty', id: 'audit-empty' }, t('audit.none')),
    more);
  draw(d.auditTrail);
  return null;
}
