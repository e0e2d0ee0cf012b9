// A library (a school's or a space's): folders, the materials you may read
// in the open folder, and — for those who may — new folders and materials.

import { ApiError, errorText, gql } from '../api.js';
import { add, field, h, statusLine } from '../dom.js';
import { formatDate, label, languageName, t } from '../i18n.js';

export const KINDS = ['LESSON_PLAN', 'PRESENTATION', 'WORKSHEET', 'VIDEO', 'PROJECT_REPORT', 'GOOD_PRACTICE', 'OTHER'];
export const LICENCES = ['CC_BY', 'CC_BY_SA', 'CC_BY_NC', 'CC_0', 'ALL_RIGHTS_RESERVED'];

// With a folder open, the query also asks for that folder and its path.
const libraryQuery = (withFolder) => `query($school: ID, $space: ID, $f: ID, ${withFolder ? '$fid: ID!, ' : ''}$sort: MaterialSort!, $a: String) {
  library(schoolId: $school, spaceId: $space) {
    ${withFolder ? 'folder(id: $fid) { id name path { id name } }' : ''}
    folders(parentId: $f) { id name }
    materials(folderId: $f, sort: $sort, first: 20, after: $a) {
      nodes { id title summary kind languages status visibility updatedAt fileCount }
      pageInfo { hasNextPage endCursor } } } }`;

export function materialCard(m) {
  return h('li', { class: 'card material', dataset: { material: m.id } },
    h('h3', { lang: m.languages[0] || null }, h('a', { href: `#/materials/${m.id}` }, m.title)),
    h('p', { class: 'meta' }, label('MaterialKind', m.kind), ' · ', m.languages.map(languageName).join(', '),
      ' · ', formatDate(m.updatedAt), m.status === 'DRAFT' ? h('strong', { class: 'draft' }, ` · ${t('MaterialStatus.DRAFT')}`) : ''),
    m.summary ? h('p', { lang: m.languages[0] || null }, m.summary) : null);
}

export async function render(root, ctx) {
  const { owner, id } = ctx.params;
  const folderId = ctx.query.get('folder');
  const sort = ctx.query.get('sort') || 'UPDATED';
  const vars = { school: owner === 'school' ? id : null, space: owner === 'space' ? id : null, f: folderId, sort, a: null };
  if (folderId) vars.fid = folderId;
  const LIB = libraryQuery(!!folderId);
  const [lib, head] = await Promise.all([
    gql(LIB, vars),
    owner === 'school'
      ? gql('query($id: ID!) { school(id: $id) { name } }', { id }).then((d) => d.school && d.school.name)
      : gql('query($id: ID!) { space(id: $id) { title } }', { id }).then((d) => d.space && d.space.title),
  ]);
  if (!lib.library || !head) {
    add(root, h('h1', null, t('error.title')), h('p', { class: 'error' }, t('error.NOT_FOUND')));
    return;
  }
  const title = t('library.title', { name: head });
  ctx.title(title);
  const base = `#/library/${owner}/${id}`;
  const status = statusLine();
  const library = lib.library;
  const crumbs = h('nav', { 'aria-label': t('library.path'), class: 'crumbs' }, h('ol', null,
    h('li', null, h('a', { href: base, 'aria-current': folderId ? null : 'page' }, t('library.top'))),
    (library.folder?.path || []).map((f) => h('li', null,
      h('a', { href: `${base}?folder=${f.id}`, 'aria-current': f.id === folderId ? 'page' : null }, f.name)))));

  const folders = h('ul', { class: 'folders plain', id: 'folders' }, library.folders.map((f) =>
    h('li', null, h('a', { href: `${base}?folder=${f.id}` }, h('span', { 'aria-hidden': 'true' }, '📁 '), f.name))));
  const list = h('ul', { class: 'cards', id: 'materials' }, library.materials.nodes.map(materialCard));
  const more = h('button', { type: 'button', class: 'quiet', hidden: !library.materials.pageInfo.hasNextPage }, t('library.more'));
  let after = library.materials.pageInfo.endCursor;
  more.addEventListener('click', async () => {
    const d = await gql(LIB, { ...vars, a: after });
    for (const m of d.library.materials.nodes) add(list, materialCard(m));
    after = d.library.materials.pageInfo.endCursor;
    more.hidden = !d.library.materials.pageInfo.hasNextPage;
  });
  const sortSelect = h('select', {
    id: 'sort',
    onchange: (e) => ctx.navigate(`/library/${owner}/${id}?${new URLSearchParams({ ...(folderId ? { folder: folderId } : {}), sort: e.target.value })}`),
  }, ['UPDATED', 'NEWEST', 'TITLE'].map((s) => h('option', { value: s, selected: s === sort }, label('MaterialSort', s))));

  const mayAdd = ctx.me && ctx.me.role !== 'NATIONAL_COORDINATOR';
  const tools = h('div', { class: 'toolbar' });
  if (mayAdd) {
    const folderName = h('input', { id: 'folder-name', maxlength: 100 });
    const folderForm = h('form', {
      class: 'inline',
      onsubmit: async (ev) => {
        ev.preventDefault();
        if (!folderName.value.trim()) return;
        try {
          await gql('mutation($school: ID, $space: ID, $p: ID, $n: String!) { createFolder(schoolId: $school, spaceId: $space, parentId: $p, name: $n) { id } }',
            { school: vars.school, space: vars.space, p: folderId, n: folderName.value.trim() });
          ctx.navigate(`${base.slice(1)}${folderId ? `?folder=${folderId}` : ''}`);
        } catch (e) {
          status.className = 'status error';
          status.textContent = errorText(e, t);
        }
      },
    }, h('label', { for: 'folder-name' }, t('library.newFolder')), folderName, h('button', { type: 'submit' }, t('library.addFolder')));
    add(tools, folderForm, newMaterialForm(ctx, vars, folderId, status));
    if (library.folder) {
      const parent = library.folder.path.at(-2);
      add(tools,
        h('button', {
          type: 'button',
          class: 'quiet',
          onclick: async () => {
            const name = prompt(t('library.newName'), library.folder.name);
            if (!name || !name.trim()) return;
            try {
              await gql('mutation($id: ID!, $n: String!) { renameFolder(id: $id, name: $n) { id } }', { id: folderId, n: name.trim() });
              ctx.navigate(`${base.slice(1)}?folder=${folderId}`);
            } catch (e) {
              status.className = 'status error';
              status.textContent = errorText(e, t);
            }
          },
        }, t('library.renameFolder')),
        h('button', {
          type: 'button',
          class: 'quiet',
          onclick: async () => {
            if (!confirm(t('library.confirmDelete'))) return;
            try {
              await gql('mutation($id: ID!) { deleteFolder(id: $id) }', { id: folderId });
              ctx.navigate(`${base.slice(1)}${parent ? `?folder=${parent.id}` : ''}`);
            } catch (e) {
              status.className = 'status error';
              status.textContent = errorText(e, t);
            }
          },
        }, t('library.deleteFolder')));
    }
  }

  add(root, 
    h('h1', null, title),
    crumbs,
    status,
    tools,
    h('section', { 'aria-labelledby': 'folders-h' }, h('h2', { id: 'folders-h' }, t('library.folders')),
      library.folders.length ? folders : h('p', { class: 'empty' }, t('library.noFolders'))),
    h('section', { 'aria-labelledby': 'materials-h' },
      h('div', { class: 'row' }, h('h2', { id: 'materials-h' }, t('library.materials')),
        h('div', null, h('label', { for: 'sort' }, t('library.sort')), ' ', sortSelect)),
      library.materials.nodes.length ? list : h('p', { class: 'empty' }, t('library.empty')),
      more),
  );
}

function newMaterialForm(ctx, vars, folderId, status) {
  const title = h('input', { id: 'material-title', required: true, maxlength: 300 });
  const summary = h('textarea', { id: 'material-summary', rows: 2 });
  const body = h('textarea', { id: 'material-body', rows: 5 });
  const kind = h('select', { id: 'material-kind' }, KINDS.map((k) => h('option', { value: k }, label('MaterialKind', k))));
  const languages = h('input', { id: 'material-languages', value: 'en', required: true });
  const subjects = h('input', { id: 'material-subjects' });
  const licence = h('select', { id: 'material-licence' }, LICENCES.map((k) => h('option', { value: k }, label('Licence', k))));
  // A student's work goes beyond the space only by a teacher's choice.
  const student = ctx.me && ctx.me.role === 'STUDENT';
  const visibility = h('select', { id: 'material-visibility' }, (student ? ['SPACE'] : ['SPACE', 'NETWORK', 'PUBLIC'])
    .map((v) => h('option', { value: v, selected: v === (student ? 'SPACE' : 'NETWORK') }, label('Visibility', v))));
  const gp = {
    context: h('textarea', { id: 'gp-context', rows: 2 }),
    whatWasDone: h('textarea', { id: 'gp-done', rows: 2 }),
    results: h('textarea', { id: 'gp-results', rows: 2 }),
    evidence: h('textarea', { id: 'gp-evidence', rows: 2 }),
    lessonsLearned: h('textarea', { id: 'gp-lessons', rows: 2 }),
  };
  const gpBox = h('fieldset', { hidden: true }, h('legend', null, t('material.goodPractice')),
    Object.entries(gp).map(([k, el]) => field(t(`material.gp.${k}`), el)));
  kind.addEventListener('change', () => {
    gpBox.hidden = kind.value !== 'GOOD_PRACTICE';
  });
  const details = h('details', { class: 'panel', id: 'new-material' }, h('summary', null, t('library.newMaterial')));
  add(details, h('form', {
    onsubmit: async (ev) => {
      ev.preventDefault();
      const material = {
        title: title.value.trim(),
        summary: summary.value,
        body: body.value,
        kind: kind.value,
        languages: languages.value.split(/[\s,]+/).filter(Boolean),
        subjects: subjects.value.split(',').map((s) => s.trim()).filter(Boolean),
        licence: licence.value,
        visibility: visibility.value,
      };
      if (kind.value === 'GOOD_PRACTICE') {
        material.goodPractice = Object.fromEntries(Object.entries(gp).map(([k, el]) => [k, el.value]));
      }
      try {
        const d = await gql('mutation($i: CreateMaterialInput!) { createMaterial(input: $i) { id } }',
          { i: { schoolId: vars.school, spaceId: vars.space, folderId, material } });
        ctx.navigate(`/materials/${d.createMaterial.id}`);
      } catch (e) {
        status.className = 'status error';
        status.textContent = errorText(e, t);
      }
    },
  },
  field(t('material.title'), title),
  field(t('material.summary'), summary),
  field(t('material.kind'), kind),
  gpBox,
  field(t('material.body'), body, t('markdown.hint')),
  field(t('material.languages'), languages, t('space.languagesHint')),
  field(t('material.subjects'), subjects, t('material.subjectsHint')),
  field(t('material.licence'), licence),
  field(t('material.visibility'), visibility, t('material.visibilityHint')),
  h('button', { type: 'submit', id: 'create-material' }, t('library.create'))));
  return details;
}

