// A national coordinator's dashboard of their country (administrators: any
// country): schools by status, people by role, and every school of the
// country with its history, to suspend, reinstate or record as withdrawn.

import { errorText, gql } from '../api.js';
import { add, field, fill, h, statusLine } from '../dom.js';
import { formatDate, label, t } from '../i18n.js';
import { sentInvitations } from '../invitations.js';
import { schoolForm } from '../school-form.js';

const STATUSES = ['APPROVED', 'APPLIED', 'SUSPENDED', 'REJECTED', 'WITHDRAWN'];
const Q = `query($c: String!, $s: SchoolStatus, $a: String) {
  countryOverview(code: $c) { country { code name } schoolsByStatus { status count } peopleByRole { role count } }
  schools(country: $c, status: $s, first: 50, after: $a) {
    pageInfo { hasNextPage endCursor }
    nodes { id name city status history { from to reason at } } } }`;

export async function render(root, ctx) {
  const code = ctx.params.code || ctx.me.countryCode;
  if (!code) {
    // An administrator picks a country first.
    const d = await gql('{ countries { code name } }');
    ctx.title(t('country.title'));
    add(root, h('h1', null, t('country.title')), h('ul', { class: 'cards countries', id: 'country-list' },
      d.countries.map((c) => h('li', { class: 'card' }, h('a', { href: `#/country/${c.code}` }, c.name)))),
    ctx.me.role === 'PLATFORM_ADMIN' ? addCountryForm(ctx) : null);
    return;
  }
  const status = ctx.query.get('status') || 'APPROVED';
  const d = await gql(Q, { c: code, s: status, a: null });
  const o = d.countryOverview;
  ctx.title(t('country.titleOf', { name: o.country.name }));
  const line = statusLine();
  const list = h('ul', { class: 'cards', id: 'country-schools' });
  const more = h('button', { type: 'button', class: 'quiet', hidden: !d.schools.pageInfo.hasNextPage }, t('country.more'));
  let after = d.schools.pageInfo.endCursor;
  const addSchools = (nodes) => add(list, nodes.map((s) => schoolItem(s, line)));
  addSchools(d.schools.nodes);
  more.addEventListener('click', async () => {
    const r = await gql(Q, { c: code, s: status, a: after });
    addSchools(r.schools.nodes);
    after = r.schools.pageInfo.endCursor;
    more.hidden = !r.schools.pageInfo.hasNextPage;
  });
  const count = (list, key, value) => list.find((x) => x[key] === value)?.count ?? 0;

  add(root,
    h('h1', null, t('country.titleOf', { name: o.country.name })),
    h('div', { class: 'grid2' },
      h('section', { 'aria-labelledby': 'by-status-h' }, h('h2', { id: 'by-status-h' }, t('country.schools')),
        h('ul', { class: 'plain', id: 'by-status' }, STATUSES.map((s) => h('li', null,
          h('a', { href: `#/country/${o.country.code}?status=${s}`, 'aria-current': s === status ? 'page' : null },
            label('SchoolStatus', s)), ': ', String(count(o.schoolsByStatus, 'status', s)))))),
      h('section', { 'aria-labelledby': 'by-role-h' }, h('h2', { id: 'by-role-h' }, t('country.people')),
        h('ul', { class: 'plain', id: 'by-role' }, o.peopleByRole.map((r) => h('li', null, label('Role', r.role), ': ', String(r.count)))))),
    h('section', { 'aria-labelledby': 'list-h' },
      h('h2', { id: 'list-h' }, t('country.listOf', { status: label('SchoolStatus', status) })),
      line,
      d.schools.nodes.length ? list : h('p', { class: 'empty' }, t('country.none')),
      more),
    registerSection(o.country, ctx),
    await sentInvitations());
}

/** Registering a school the coordinator knows takes part: approved at once. */
function registerSection(country, ctx) {
  const form = schoolForm({
    id: 'register-school',
    submitId: 'register-submit',
    submitLabel: t('country.registerSubmit'),
    before: h('p', { class: 'hint' }, t('country.registerIntro')),
    countries: [country],
    country: country.code,
    prefix: 'register',
    contactRequired: false,
    save: async (input) => {
      const r = await gql('mutation($i: SchoolInput!) { registerSchool(input: $i) { id name } }', { i: input });
      ctx.navigate(`/schools/${r.registerSchool.id}`);
    },
  });
  return h('details', { class: 'card', id: 'register' }, h('summary', null, t('country.register')), form);
}

const SCHOOL = 'id name city status history { from to reason at }';
const ACTIONS = {
  suspendSchool: `mutation($id: ID!, $r: String!) { suspendSchool(id: $id, reason: $r) { ${SCHOOL} } }`,
  approveSchool: `mutation($id: ID!, $r: String) { approveSchool(id: $id, reason: $r) { ${SCHOOL} } }`,
  withdrawSchool: `mutation($id: ID!, $r: String) { withdrawSchool(id: $id, reason: $r) { ${SCHOOL} } }`,
};

function schoolItem(s, line) {
  const item = h('li', { class: 'card', dataset: { school: s.id } });
  const reason = h('input', { id: `why-${s.id}`, maxlength: 500 });
  const act = (mutation, needsReason, done) => async () => {
    if (needsReason && !reason.value.trim()) {
      line.className = 'status error';
      line.textContent = t('country.reasonNeeded');
      reason.focus();
      return;
    }
    try {
      const r = await gql(ACTIONS[mutation], { id: s.id, r: reason.value.trim() || null });
      line.className = 'status';
      line.textContent = t(done, { name: s.name });
      item.replaceWith(schoolItem(Object.values(r)[0], line));
    } catch (e) {
      line.className = 'status error';
      line.textContent = errorText(e, t);
    }
  };
  const actions = [];
  if (s.status === 'APPROVED') {
    actions.push(h('button', { type: 'button', class: 'quiet', onclick: act('suspendSchool', true, 'country.suspended') }, t('country.suspend')));
  }
  if (s.status === 'SUSPENDED') {
    actions.push(h('button', { type: 'button', onclick: act('approveSchool', false, 'country.reinstated') }, t('country.reinstate')));
  }
  if (['APPROVED', 'SUSPENDED'].includes(s.status)) {
    actions.push(h('button', { type: 'button', class: 'quiet', onclick: act('withdrawSchool', false, 'country.withdrawn') }, t('country.withdraw')));
  }
  fill(item,
    h('h3', null, h('a', { href: `#/schools/${s.id}` }, s.name)),
    h('p', { class: 'meta' }, s.city, ' · ', label('SchoolStatus', s.status)),
    s.history?.length ? h('details', null, h('summary', null, t('country.history')),
      h('ol', { class: 'plain history' }, s.history.map((c) => h('li', null, formatDate(c.at), ' · ',
        c.from ? `${label('SchoolStatus', c.from)} → ` : '', label('SchoolStatus', c.to), c.reason ? ` · ${c.reason}` : '')))) : null,
    actions.length ? [field(t('country.reason'), reason, t('country.reasonHint')), h('div', { class: 'toolbar' }, actions)] : null);
  return item;
}

/** An administrator adds a country to the network: its code and its names. */
function addCountryForm(ctx) {
  const code = h('input', { id: 'country-code', required: true, minlength: 2, maxlength: 2, pattern: '[A-Za-z]{2}', autocomplete: 'off' });
  const name = h('input', { id: 'country-name', required: true, maxlength: 100 });
  const nativeName = h('input', { id: 'country-native', required: true, maxlength: 100 });
  const status = statusLine();
  return h('form', {
    class: 'card',
    id: 'add-country',
    onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        const r = await gql('mutation($c: String!, $n: String!, $l: String!) { addCountry(code: $c, name: $n, nativeName: $l) { code } }',
          { c: code.value.trim().toUpperCase(), n: name.value.trim(), l: nativeName.value.trim() });
        ctx.navigate(`/country/${r.addCountry.code}`);
      } catch (e) {
        status.className = 'status error';
        status.textContent = errorText(e, t);
      }
    },
  },
  h('h2', null, t('country.add')),
  field(t('country.code'), code, t('country.codeHint')),
  field(t('country.name'), name),
  field(t('country.nativeName'), nativeName),
  h('button', { type: 'submit', id: 'add-country-submit' }, t('country.addSubmit')),
  status);
}
