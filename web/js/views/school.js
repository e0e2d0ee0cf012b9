// A school's visit card: description and motto in its languages, photos,
// its presentation, partners and twinnings, and the way to its library.

import { download, gql, imageUrl } from '../api.js';
import { add, h } from '../dom.js';
import { label, languageName, t } from '../i18n.js';

const Q = `query($id: ID!) { school(id: $id) {
  id name city countryCode website status languages defaultLanguage canEditCard
  country { name }
  names { language text }
  visitCard { descriptions { language text } mottos { language text }
    public photos { alt caption file { id name url } } presentation { id name url } partners { id name } }
  twinnings { id status partner { id name } school { id name } } } }`;

export async function render(root, ctx) {
  const d = await gql(Q, { id: ctx.params.id });
  const s = d.school;
  if (!s) {
    add(root, h('h1', null, t('error.title')), h('p', { class: 'error' }, t('error.NOT_FOUND')));
    return null;
  }
  ctx.title(s.name);
  const card = s.visitCard;
  const urls = [];
  const texts = (list, cls) => list.map((x) => h('div', { class: cls, lang: x.language },
    h('p', { class: 'meta' }, languageName(x.language)), h('p', null, x.text)));
  const photos = h('ul', { class: 'photos plain' }, card.photos.map((p) => {
    const img = h('img', { alt: p.alt || p.caption || '', width: 240 });
    imageUrl(p.file.url).then((u) => {
      urls.push(u);
      img.src = u;
    }).catch(() => {});
    return h('li', null, h('figure', null, img, p.caption ? h('figcaption', null, p.caption) : null));
  }));
  const other = (tw) => (tw.school?.id === s.id ? tw.partner : tw.school);
  add(root, 
    h('p', { class: 'crumbs' }, h('a', { href: `#/directory/${s.countryCode}` }, s.country.name)),
    h('h1', { lang: s.defaultLanguage }, s.name),
    s.names.length > 1 ? h('p', { class: 'meta' }, s.names.filter((n) => n.text !== s.name).map((n) => h('span', { lang: n.language }, n.text, ' '))) : null,
    h('p', { class: 'meta' }, s.city, ' · ', s.languages.map(languageName).join(', '),
      s.status !== 'APPROVED' ? ` · ${label('SchoolStatus', s.status)}` : ''),
    s.website ? h('p', null, h('a', { href: s.website, rel: 'noopener noreferrer', target: '_blank' }, s.website)) : null,
    h('p', { class: 'actions' }, h('a', { class: 'button quiet', href: `#/library/school/${s.id}` }, t('school.library')),
      s.canEditCard ? h('a', { class: 'button', href: `#/schools/${s.id}/card`, id: 'edit-card' }, t('school.editCard')) : null),
    s.canEditCard ? h('p', { class: 'meta', id: 'card-visibility' }, card.public ? t('school.cardPublic') : t('school.cardPrivate')) : null,
    h('section', { 'aria-labelledby': 'card-h' }, h('h2', { id: 'card-h' }, t('school.visitCard')),
      card.mottos.length ? texts(card.mottos, 'motto') : null,
      card.descriptions.length ? texts(card.descriptions, 'description') : h('p', { class: 'empty' }, t('school.noCard')),
      card.photos.length ? photos : null,
      card.presentation
        ? h('p', null, h('button', { type: 'button', onclick: () => download(card.presentation.url, card.presentation.name) },
          t('school.presentation', { name: card.presentation.name })))
        : null),
    h('section', { 'aria-labelledby': 'tw-h' }, h('h2', { id: 'tw-h' }, t('school.partners')),
      (s.twinnings || []).length
        ? h('ul', { class: 'plain' }, s.twinnings.map((tw) => h('li', null,
          other(tw) ? h('a', { href: `#/schools/${other(tw).id}` }, other(tw).name) : '—', ' · ', label('TwinningStatus', tw.status))))
        : card.partners.length
          ? h('ul', { class: 'plain' }, card.partners.map((p) => h('li', null, h('a', { href: `#/schools/${p.id}` }, p.name))))
          : h('p', { class: 'empty' }, t('school.noPartners'))),
  );
  return () => urls.forEach((u) => URL.revokeObjectURL(u));
}
