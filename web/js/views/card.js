// Editing a school's visit card (its school coordinators, administrators):
// the description and motto in each of the school's languages, the
// language they fall back to, whether visitors see the card, photos in
// their order with a caption and a text for those who cannot see them,
// and the school's presentation.

import { errorText, gql, imageUrl, uploadCardFile } from '../api.js';
import { add, field, fill, h, statusLine, uid } from '../dom.js';
import { languageName, t } from '../i18n.js';

const PHOTO = 'alt caption file { id name url }';
const Q = `query($id: ID!) { school(id: $id) { id name languages defaultLanguage canEditCard
  visitCard { public descriptions { language text } mottos { language text }
    photos { ${PHOTO} } presentation { id name } } } }`;
const CARD = `visitCard { public photos { ${PHOTO} } presentation { id name } }`;

export async function render(root, ctx) {
  const s = (await gql(Q, { id: ctx.params.id })).school;
  if (!s || !s.canEditCard) {
    add(root, h('h1', null, t('error.forbiddenTitle')), h('p', { id: 'forbidden' }, t('error.forbidden')));
    return null;
  }
  ctx.title(t('card.title', { name: s.name }));

  add(root,
    h('p', { class: 'crumbs' }, h('a', { href: `#/schools/${s.id}` }, s.name)),
    h('h1', null, t('card.title', { name: s.name })),
    h('p', { class: 'lead' }, t('card.intro')),
    textsForm(s),
    photosSection(s),
    presentationSection(s));
  return null;
}

function textsForm(s) {
  const card = s.visitCard;
  const languages = [...new Set([s.defaultLanguage, ...s.languages, 'en'])];
  const textOf = (list, l) => list.find((x) => x.language === l)?.text || '';
  const rows = languages.map((l) => ({
    language: l,
    motto: h('input', { id: `motto-${l}`, lang: l, maxlength: 200, value: textOf(card.mottos, l) }),
    description: h('textarea', { id: `description-${l}`, lang: l, rows: 5, maxlength: 5000 }, textOf(card.descriptions, l)),
  }));
  const fallback = h('select', { id: 'card-default-language' },
    languages.map((l) => h('option', { value: l, selected: l === s.defaultLanguage }, languageName(l))));
  const open = h('input', { type: 'checkbox', id: 'card-public', checked: card.public });
  const status = statusLine();
  const collect = (key) => rows.map((r) => ({ language: r.language, text: r[key].value.trim() })).filter((x) => x.text);
  return h('form', {
    id: 'card-texts',
    class: 'card',
    onsubmit: async (ev) => {
      ev.preventDefault();
      status.className = 'status';
      const descriptions = collect('description');
      const mottos = collect('motto');
      const written = new Set([...descriptions, ...mottos].map((x) => x.language));
      // The fallback must be one of the languages written in, if any is.
      const defaultLanguage = written.size && !written.has(fallback.value) ? [...written][0] : fallback.value;
      try {
        await gql('mutation($s: ID!, $i: VisitCardInput!) { updateVisitCard(schoolId: $s, input: $i) { id } }', {
          s: s.id, i: { descriptions, mottos, defaultLanguage, public: open.checked },
        });
        fallback.value = defaultLanguage;
        status.textContent = t('card.saved');
      } catch (e) {
        status.className = 'status error';
        status.textContent = errorText(e, t);
      }
    },
  },
  h('h2', null, t('card.texts')),
  rows.map((r) => h('fieldset', null, h('legend', null, languageName(r.language)),
    field(t('card.motto'), r.motto),
    field(t('card.description'), r.description))),
  field(t('card.defaultLanguage'), fallback, t('card.defaultLanguageHint')),
  h('div', { class: 'field' }, h('label', { class: 'check', for: open.id }, open, ' ', t('card.public')),
    h('small', { class: 'hint' }, t('card.publicHint'))),
  h('button', { type: 'submit', id: 'card-save' }, t('card.save')),
  status);
}

function photosSection(s) {
  const list = h('ol', { class: 'photo-editor plain', id: 'card-photos' });
  const status = statusLine();
  let photos = s.visitCard.photos;

  const run = async (query, vars, done) => {
    status.className = 'status';
    try {
      const d = await gql(query, vars);
      photos = Object.values(d)[0].visitCard.photos;
      draw();
      status.textContent = done;
      return true;
    } catch (e) {
      status.className = 'status error';
      status.textContent = errorText(e, t);
      return false;
    }
  };
  const update = (p, change, done) => run(
    `mutation($s: ID!, $f: ID!, $c: String, $a: String, $p: Int) { updateSchoolPhoto(schoolId: $s, fileId: $f, caption: $c, alt: $a, position: $p) { ${CARD} } }`,
    { s: s.id, f: p.file.id, c: null, a: null, p: null, ...change }, done);

  function draw() {
    fill(list, photos.map((p, i) => {
      const img = h('img', { alt: p.alt || '', width: 160 });
      imageUrl(p.file.url).then((u) => {
        img.src = u;
      }).catch(() => {});
      const caption = h('input', { id: uid('caption'), value: p.caption || '', maxlength: 300 });
      const alt = h('input', { id: uid('alt'), value: p.alt || '', maxlength: 300 });
      const name = p.alt || p.caption || p.file.name;
      return h('li', { class: 'card photo-item', dataset: { file: p.file.id } },
        img,
        h('div', null,
          h('p', { class: 'meta' }, t('card.photoNumber', { n: i + 1, of: photos.length }), ' · ', p.file.name),
          field(t('card.caption'), caption),
          field(t('card.alt'), alt, t('card.altHint')),
          h('div', { class: 'toolbar' },
            h('button', { type: 'button', class: 'quiet', onclick: () => update(p, { c: caption.value, a: alt.value }, t('card.saved')) }, t('card.savePhoto')),
            h('button', { type: 'button', class: 'quiet', disabled: i === 0, 'aria-label': t('card.earlierNamed', { name }),
              onclick: () => update(p, { p: i - 1 }, t('card.moved', { n: i })) }, t('card.earlier')),
            h('button', { type: 'button', class: 'quiet', disabled: i === photos.length - 1, 'aria-label': t('card.laterNamed', { name }),
              onclick: () => update(p, { p: i + 1 }, t('card.moved', { n: i + 2 })) }, t('card.later')),
            h('button', { type: 'button', class: 'quiet', 'aria-label': t('card.removeNamed', { name }),
              onclick: () => run(`mutation($s: ID!, $f: ID!) { removeSchoolPhoto(schoolId: $s, fileId: $f) { ${CARD} } }`,
                { s: s.id, f: p.file.id }, t('card.removed')) }, t('card.remove')))));
    }));
    if (!photos.length) add(list, h('li', { class: 'empty' }, t('card.noPhotos')));
  }
  draw();

  const file = h('input', { type: 'file', id: 'photo-file', accept: 'image/jpeg,image/png,image/webp,image/gif', required: true });
  const newAlt = h('input', { id: 'photo-alt', maxlength: 300 });
  const newCaption = h('input', { id: 'photo-caption', maxlength: 300 });
  const form = h('form', {
    id: 'photo-add',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const up = await upload(file, status);
      if (!up) return;
      try {
        const ok = await run(`mutation($s: ID!, $f: ID!, $c: String, $a: String) { addSchoolPhoto(schoolId: $s, fileId: $f, caption: $c, alt: $a) { ${CARD} } }`,
          { s: s.id, f: up.id, c: newCaption.value.trim() || null, a: newAlt.value.trim() || null }, t('card.added'));
        if (ok) form.reset();
      } catch (e) {
        status.className = 'status error';
        status.textContent = errorText(e, t);
      }
    },
  },
  h('h3', null, t('card.addPhoto')),
  field(t('card.photoFile'), file, t('card.photoFileHint')),
  field(t('card.alt'), newAlt, t('card.altHint')),
  field(t('card.caption'), newCaption),
  h('button', { type: 'submit', id: 'photo-submit' }, t('card.addPhoto')));

  return h('section', { class: 'card', 'aria-labelledby': 'photos-h' },
    h('h2', { id: 'photos-h' }, t('card.photos')), list, status, form);
}

function presentationSection(s) {
  const status = statusLine();
  const current = h('p', { id: 'card-presentation' });
  const file = h('input', { type: 'file', id: 'presentation-file', required: true,
    accept: '.pdf,.pptx,.odp,application/pdf,application/vnd.openxmlformats-officedocument.presentationml.presentation,application/vnd.oasis.opendocument.presentation' });
  const removeButton = h('button', { type: 'button', class: 'quiet', id: 'presentation-remove' }, t('card.removePresentation'));
  const show = (p) => {
    fill(current, p ? t('card.presentationIs', { name: p.name }) : t('card.noPresentation'));
    removeButton.hidden = !p;
  };
  show(s.visitCard.presentation);
  const set = async (fileId, done) => {
    const d = await gql('mutation($s: ID!, $f: ID) { setSchoolPresentation(schoolId: $s, fileId: $f) { visitCard { presentation { id name } } } }',
      { s: s.id, f: fileId });
    show(d.setSchoolPresentation.visitCard.presentation);
    status.className = 'status';
    status.textContent = done;
  };
  removeButton.addEventListener('click', () => set(null, t('card.presentationRemoved')).catch((e) => {
    status.className = 'status error';
    status.textContent = errorText(e, t);
  }));
  const form = h('form', {
    id: 'presentation-form',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const up = await upload(file, status);
      if (!up) return;
      try {
        await set(up.id, t('card.presentationSet'));
        form.reset();
      } catch (e) {
        status.className = 'status error';
        status.textContent = errorText(e, t);
      }
    },
  }, field(t('card.presentationFile'), file, t('card.presentationHint')),
  h('div', { class: 'toolbar' }, h('button', { type: 'submit', id: 'presentation-submit' }, t('card.setPresentation')), removeButton));
  return h('section', { class: 'card', 'aria-labelledby': 'presentation-h' },
    h('h2', { id: 'presentation-h' }, t('card.presentation')), current, form, status);
}

/** Uploads the file chosen in `input` for the card, saying so on `status`: the stored file, or null. */
async function upload(input, status) {
  const chosen = input.files[0];
  if (!chosen) return null;
  status.className = 'status';
  status.textContent = t('card.uploading');
  try {
    return await uploadCardFile(chosen);
  } catch (e) {
    status.className = 'status error';
    status.textContent = errorText(e, t);
    return null;
  }
}
