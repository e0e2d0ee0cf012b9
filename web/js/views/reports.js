// A space's moderation queue, for its teachers and leads: the messages
// members reported, oldest first, each with who reported it and why; hide
// the message or leave it, with a note for whoever reported it (they are
// told either way). Handled reports stay listed with what was decided.

import { errorText, gql } from '../api.js';
import { add, field, fill, h, html, statusLine, uid } from '../dom.js';
import { formatDateTime, label, t } from '../i18n.js';

const R = `id reason status note reportedAt handledAt reportedBy { displayName }
  handledBy { displayName } messageId message { id html body hidden author { displayName } createdAt }`;
const Q = `query($id: ID!, $st: ReportStatus, $after: String) { space(id: $id) {
  id title canModerate openReportCount
  reports(status: $st, first: 20, after: $after) { nodes { ${R} } pageInfo { hasNextPage endCursor } } } }`;
const RESOLVE = `mutation($r: ID!, $d: ReportDecision!, $n: String) {
  resolveMessageReport(id: $r, decision: $d, note: $n) { ${R} } }`;

const SHOWN = ['OPEN', 'MESSAGE_HIDDEN', 'DISMISSED', 'ALL'];

export async function render(root, ctx) {
  const shown = SHOWN.includes(ctx.query?.get('show')) ? ctx.query.get('show') : 'OPEN';
  const st = shown === 'ALL' ? null : shown;
  const d = await gql(Q, { id: ctx.params.id, st, after: null });
  const space = d.space;
  if (!space || !space.canModerate) {
    add(root, h('h1', null, t('error.forbiddenTitle')), h('p', { id: 'forbidden' }, t('error.forbidden')));
    return null;
  }
  ctx.title(t('reports.title', { title: space.title }));
  const list = h('ol', { class: 'plain reports', id: 'reports' });
  const waiting = (n) => (n ? t('reports.waiting', { n }) : t('reports.nothingWaits'));
  const count = h('p', { class: 'meta', id: 'open-count', role: 'status' }, waiting(space.openReportCount));
  const more = h('p');
  const filter = h('select', { id: 'reports-show' }, SHOWN.map((s) => h('option', { value: s, selected: s === shown }, t(`reports.show.${s}`))));
  filter.addEventListener('change', () => {
    location.hash = `#/spaces/${space.id}/reports${filter.value === 'OPEN' ? '' : `?show=${filter.value}`}`;
  });

  const draw = (page) => {
    add(list, page.nodes.map((r) => item(r, () => refreshCount())));
    fill(more, page.pageInfo.hasNextPage
      ? h('button', { type: 'button', class: 'quiet', onclick: async () => {
        const next = await gql(Q, { id: space.id, st, after: page.pageInfo.endCursor });
        draw(next.space.reports);
      } }, t('reports.more'))
      : null);
    if (!list.children.length) fill(list, h('li', { class: 'empty' }, t(shown === 'OPEN' ? 'reports.none' : 'reports.noneShown')));
  };
  const refreshCount = async () => {
    const c = await gql('query($id: ID!) { space(id: $id) { openReportCount } }', { id: space.id });
    count.textContent = waiting(c.space.openReportCount);
  };

  add(root,
    h('p', { class: 'crumbs' }, h('a', { href: `#/spaces/${space.id}` }, space.title)),
    h('h1', null, t('reports.title', { title: space.title })),
    h('p', { class: 'lead' }, t('reports.intro')),
    count,
    field(t('reports.showLabel'), filter),
    list, more);
  draw(space.reports);
  return null;
}

function outcome(r) {
  if (r.status === 'OPEN') return null;
  return h('p', { class: 'meta outcome' },
    label('ReportStatus', r.status), ' · ', r.handledBy?.displayName || '', ' · ', formatDateTime(r.handledAt),
    r.note ? [h('br'), t('reports.noteWas', { note: r.note })] : null);
}

function item(r, changed) {
  const li = h('li', { class: 'card report', dataset: { report: r.id, status: r.status } });
  const m = r.message;
  const headingId = uid('report');
  const status = statusLine();
  const note = h('textarea', { id: uid('note'), rows: 2, maxlength: 500 });
  const act = (decision) => async (ev) => {
    const buttons = li.querySelectorAll('button');
    buttons.forEach((b) => { b.disabled = true; });
    status.className = 'status';
    try {
      const d = await gql(RESOLVE, { r: r.id, d: decision, n: note.value.trim() || null });
      li.replaceWith(item(d.resolveMessageReport, changed));
      changed();
    } catch (e) {
      status.className = 'status error';
      status.textContent = errorText(e, t);
      buttons.forEach((b) => { b.disabled = false; });
    }
  };
  add(li,
    h('h2', { id: headingId }, t('reports.reportedBy', { who: r.reportedBy?.displayName || t('reports.someone'), at: formatDateTime(r.reportedAt) })),
    h('p', null, h('strong', null, t('reports.reason')), ' ', r.reason),
    m
      ? h('blockquote', { class: 'reported' },
        h('p', { class: 'meta' }, m.author.displayName, ' · ', formatDateTime(m.createdAt), m.hidden ? ` · ${t('reports.hiddenNow')}` : ''),
        html('div', { class: 'prose' }, m.html))
      : h('p', { class: 'meta' }, t('reports.deleted')),
    outcome(r),
    r.status === 'OPEN'
      ? h('div', { role: 'group', 'aria-labelledby': headingId },
        field(t('reports.note'), note, t('reports.noteHint')),
        h('div', { class: 'toolbar' },
          m && !m.hidden ? h('button', { type: 'button', class: 'quiet danger', onclick: act('HIDE_MESSAGE') }, t('reports.hide')) : null,
          h('button', { type: 'button', class: 'quiet', onclick: act('DISMISS') }, m && m.hidden ? t('reports.close') : t('reports.dismiss'))),
        status)
      : null);
  return li;
}
