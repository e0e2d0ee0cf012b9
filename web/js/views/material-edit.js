// Editing a material (its editors): everything it says about itself, the
// folder it is in, and deleting it with all its files.

import { errorText, gql } from '../api.js';
import { add, field, h, statusLine } from '../dom.js';
import { t } from '../i18n.js';
import { materialFields } from '../material-form.js';

const Q = `query($id: ID!) { material(id: $id) {
  id title summary body kind languages subjects ageMin ageMax pillars sdgs licence authors visibility canEdit
  goodPractice { context whatWasDone results evidence lessonsLearned }
  school { id } space { id } folder { id } } }`;
// Folders nest at most five deep.
const TREE = 'id name folders { id name folders { id name folders { id name folders { id name } } } }';
const FOLDERS = `query($school: ID, $space: ID) { library(schoolId: $school, spaceId: $space) { folders { ${TREE} } } }`;

export async function render(root, ctx) {
  const m = (await gql(Q, { id: ctx.params.id })).material;
  if (!m || !m.canEdit) {
    add(root, h('h1', null, t('error.forbiddenTitle')), h('p', { id: 'forbidden' }, t('error.forbidden')));
    return;
  }
  ctx.title(t('materialEdit.title', { title: m.title }));
  const owner = m.space ? { space: m.space.id } : { school: m.school?.id };
  const library = m.space ? `/library/space/${m.space.id}` : `/library/school/${m.school?.id}`;
  const fields = materialFields(m, { student: ctx.me.role === 'STUDENT' });
  const status = statusLine();
  const form = h('form', {
    id: 'material-edit',
    class: 'card',
    onsubmit: async (ev) => {
      ev.preventDefault();
      status.className = 'status';
      try {
        await gql('mutation($id: ID!, $i: MaterialInput!) { updateMaterial(id: $id, input: $i) { id } }', { id: m.id, i: fields.read() });
        ctx.navigate(`/materials/${m.id}`);
      } catch (e) {
        status.className = 'status error';
        status.textContent = errorText(e, t);
      }
    },
  }, fields.nodes, h('button', { type: 'submit', id: 'save-material' }, t('materialEdit.save')), status);

  add(root,
    h('p', { class: 'crumbs' }, h('a', { href: `#/materials/${m.id}` }, m.title)),
    h('h1', null, t('materialEdit.title', { title: m.title })),
    form,
    await moveSection(m, owner, ctx),
    deleteSection(m, library, ctx));
}

async function moveSection(m, owner, ctx) {
  const d = await gql(FOLDERS, owner);
  const options = [h('option', { value: '', selected: !m.folder }, t('materialEdit.top'))];
  const walk = (folders, depth) => {
    for (const f of folders) {
      options.push(h('option', { value: f.id, selected: m.folder?.id === f.id }, `${'— '.repeat(depth)}${f.name}`));
      walk(f.folders || [], depth + 1);
    }
  };
  walk(d.library?.folders || [], 1);
  const to = h('select', { id: 'move-to' }, options);
  const status = statusLine();
  return h('form', {
    id: 'material-move',
    class: 'card',
    onsubmit: async (ev) => {
      ev.preventDefault();
      status.className = 'status';
      try {
        await gql('mutation($id: ID!, $f: ID) { moveMaterial(id: $id, folderId: $f) { id } }', { id: m.id, f: to.value || null });
        ctx.navigate(`/materials/${m.id}`);
      } catch (e) {
        status.className = 'status error';
        status.textContent = errorText(e, t);
      }
    },
  }, h('h2', null, t('materialEdit.move')), field(t('materialEdit.folder'), to),
  h('button', { type: 'submit', id: 'move-material' }, t('materialEdit.moveButton')), status);
}

function deleteSection(m, library, ctx) {
  const status = statusLine();
  return h('section', { class: 'card', 'aria-labelledby': 'delete-h' },
    h('h2', { id: 'delete-h' }, t('materialEdit.delete')),
    h('p', null, t('materialEdit.deleteText')),
    h('button', {
      type: 'button',
      class: 'quiet danger',
      id: 'delete-material',
      onclick: async () => {
        if (!confirm(t('materialEdit.confirmDelete', { title: m.title }))) return;
        try {
          await gql('mutation($id: ID!) { deleteMaterial(id: $id) }', { id: m.id });
          ctx.navigate(library);
        } catch (e) {
          status.className = 'status error';
          status.textContent = errorText(e, t);
        }
      },
    }, t('materialEdit.deleteButton')),
    status);
}
