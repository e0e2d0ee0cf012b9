// A library (a school's or a space's): folders, the materials you may read
// in the open folder, and — for those who may — new folders and materials.

import { ApiError, errorText, gql } from '../api.js';
import { add, h, statusLine } from '../dom.js';
import { formatDate, label, languageName, t } from '../i18n.js';
import { materialFields } from '../material-form.js';


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
        }, t('library.deleteFolder')),
        moveFolderPanel(folderId, vars, base, ctx, status));
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
  const fields = materialFields(null, { student: ctx.me?.role === 'STUDENT' });
  const details = h('details', { class: 'panel', id: 'new-material' }, h('summary', null, t('library.newMaterial')));
  add(details, h('form', {
    onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        const d = await gql('mutation($i: CreateMaterialInput!) { createMaterial(input: $i) { id } }',
          { i: { schoolId: vars.school, spaceId: vars.space, folderId, material: fields.read() } });
        ctx.navigate(`/materials/${d.createMaterial.id}`);
      } catch (e) {
        status.className = 'status error';
        status.textContent = errorText(e, t);
      }
    },
  },
  fields.nodes,
  h('button', { type: 'submit', id: 'create-material' }, t('library.create'))));
  return details;
}

// Folders nest at most five deep.
const TREE = 'id name folders { id name folders { id name folders { id name folders { id name } } } }';

/** Moving the open folder (with everything in it) under another, or to the top. */
function moveFolderPanel(folderId, vars, base, ctx, status) {
  const panel = h('details', { class: 'panel', id: 'move-folder' }, h('summary', null, t('library.moveFolder')));
  panel.addEventListener('toggle', async () => {
    if (!panel.open || panel.dataset.loaded) return;
    panel.dataset.loaded = '1';
    const d = await gql(`query($school: ID, $space: ID) { library(schoolId: $school, spaceId: $space) { folders { ${TREE} } } }`,
      { school: vars.school, space: vars.space });
    const options = [h('option', { value: '' }, t('materialEdit.top'))];
    // Not into itself or anything inside it.
    const walk = (folders, depth) => {
      for (const f of folders) {
        if (f.id === folderId) continue;
        options.push(h('option', { value: f.id }, `${'— '.repeat(depth)}${f.name}`));
        walk(f.folders || [], depth + 1);
      }
    };
    walk(d.library.folders, 1);
    const to = h('select', { id: 'move-folder-to' }, options);
    add(panel, h('form', {
      class: 'inline',
      onsubmit: async (ev) => {
        ev.preventDefault();
        try {
          await gql('mutation($id: ID!, $p: ID) { moveFolder(id: $id, parentId: $p) { id } }', { id: folderId, p: to.value || null });
          ctx.navigate(`${base.slice(1)}?folder=${folderId}`);
        } catch (e) {
          status.className = 'status error';
          status.textContent = errorText(e, t);
        }
      },
    }, h('label', { for: 'move-folder-to' }, t('materialEdit.folder')), to, h('button', { type: 'submit', id: 'move-folder-submit' }, t('materialEdit.moveButton'))));
  });
  return panel;
}
