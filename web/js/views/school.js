// A school's visit card: description and motto in its languages, photos,
// its presentation, partners and twinnings, and the way to its library.

import { download, errorText, gql, imageUrl } from '../api.js';
import { add, field, h, statusLine } from '../dom.js';
import { label, language, languageName, t } from '../i18n.js';

const Q = `query($id: ID!) { school(id: $id) {
  id name city countryCode website status languages defaultLanguage canEditCard canEdit
  country { name }
  names { language text }
  visitCard { descriptions { language text } mottos { language text }
    public photos { alt caption file { id name url } } presentation { id name url } partners { id name } }
  twinnings { id status message createdAt partner { id name } school { id name } } } }`;

const TWINNING = 'id status';
const ANSWERS = {
  accept: `mutation($id: ID!) { acceptTwinning(id: $id) { ${TWINNING} } }`,
  decline: `mutation($id: ID!) { declineTwinning(id: $id) { ${TWINNING} } }`,
  end: `mutation($id: ID!) { endTwinning(id: $id) { ${TWINNING} } }`,
};

export async function render(root, ctx) {
  const d = await gql(Q, { id: ctx.params.id });
  const s = d.school;
  if (!s) {
    add(root, h('h1', null, t('error.title')), h('p', { class: 'error' }, t('error.NOT_FOUND')));
    return null;
  }
  ctx.title(s.name);
  const card = s.visitCard;
  // The reader's language leads, then the school's own; the others wait
  // behind a disclosure.
  const rank = (l) => (l === language() ? 0 : l === s.defaultLanguage ? 1 : 2);
  const one = (x, cls) => h('div', { class: cls, lang: x.language },
    h('p', { class: 'meta' }, languageName(x.language)), h('p', null, x.text));
  const texts = (list, cls) => {
    const [first, ...rest] = [...list].sort((a, b) => rank(a.language) - rank(b.language));
    return [one(first, cls), rest.length
      ? h('details', { class: `more-${cls}` }, h('summary', null, t('school.otherLanguages', { n: rest.length })), rest.map((x) => one(x, cls)))
      : null];
  };
  const photos = h('ul', { class: 'photos plain' }, card.photos.map((p) => {
    const img = h('img', { alt: p.alt || p.caption || '', width: 240 });
    imageUrl(p.file.url).then((u) => {
      img.src = u;
    }).catch(() => {});
    return h('li', null, h('figure', null, img, p.caption ? h('figcaption', null, p.caption) : null));
  }));
  add(root, 
    h('p', { class: 'crumbs' }, h('a', { href: `#/directory/${s.countryCode}` }, s.country.name)),
    h('h1', { lang: s.defaultLanguage }, s.name),
    s.names.length > 1 ? h('p', { class: 'meta' }, s.names.filter((n) => n.text !== s.name).map((n) => h('span', { lang: n.language }, n.text, ' '))) : null,
    h('p', { class: 'meta' }, s.city, ' · ', s.languages.map(languageName).join(', '),
      s.status !== 'APPROVED' ? ` · ${label('SchoolStatus', s.status)}` : ''),
    s.website ? h('p', null, h('a', { href: s.website, rel: 'noopener noreferrer', target: '_blank' }, s.website)) : null,
    h('p', { class: 'actions' }, h('a', { class: 'button quiet', href: `#/library/school/${s.id}` }, t('school.library')),
      s.canEditCard ? h('a', { class: 'button', href: `#/schools/${s.id}/card`, id: 'edit-card' }, t('school.editCard')) : null,
      s.canEdit ? h('a', { class: 'button quiet', href: `#/schools/${s.id}/edit`, id: 'edit-school' }, t('school.editFacts')) : null),
    s.canEditCard ? h('p', { class: 'meta', id: 'card-visibility' }, card.public ? t('school.cardPublic') : t('school.cardPrivate')) : null,
    h('section', { 'aria-labelledby': 'card-h' }, h('h2', { id: 'card-h' }, t('school.visitCard')),
      card.mottos.length ? texts(card.mottos, 'motto') : null,
      card.descriptions.length ? texts(card.descriptions, 'description') : h('p', { class: 'empty' }, t('school.noCard')),
      card.photos.length ? photos : null,
      card.presentation
        ? h('p', null, h('button', { type: 'button', onclick: () => download(card.presentation.url, card.presentation.name) },
          t('school.presentation', { name: card.presentation.name })))
        : null),
    twinningSection(s, card, ctx),
    ['PLATFORM_ADMIN', 'NATIONAL_COORDINATOR'].includes(ctx.me?.role) ? await staffSection(s.id) : null,
  );
  return null;
}

/** The school's coordinators and teachers, for those who oversee its country (each leads to their page). */
async function staffSection(id) {
  const d = await gql(`query($id: ID!) { school(id: $id) {
    coordinators: people(role: SCHOOL_COORDINATOR, first: 20) { nodes { id displayName role } }
    teachers: people(role: TEACHER, first: 50) { nodes { id displayName role } } } }`, { id });
  const people = [...d.school.coordinators.nodes, ...d.school.teachers.nodes];
  return h('section', { 'aria-labelledby': 'staff-h', id: 'school-staff' }, h('h2', { id: 'staff-h' }, t('school.staff')),
    people.length
      ? h('ul', { class: 'plain' }, people.map((p) => h('li', null, h('a', { href: `#/people/${p.id}` }, p.displayName), ' · ', label('Role', p.role))))
      : h('p', { class: 'empty' }, t('school.noStaff')));
}

// Twinnings: the school's partners; for its coordinators the proposals to
// answer, their own to withdraw and twinnings to end; for the coordinator
// of another approved school, a way to propose one.
function twinningSection(s, card, ctx) {
  const status = statusLine();
  const me = ctx.me;
  const mine = me?.school?.id === s.id && s.canEditCard;
  const other = (tw) => (tw.school?.id === s.id ? tw.partner : tw.school);
  const answer = (tw, kind, done) => h('button', {
    type: 'button',
    class: kind === 'accept' ? '' : 'quiet',
    'aria-label': t(`school.twinning.${kind}Named`, { name: other(tw)?.name || '' }),
    onclick: async () => {
      try {
        await gql(ANSWERS[kind], { id: tw.id });
        ctx.navigate(`/schools/${s.id}?done=${done}`);
      } catch (e) {
        status.className = 'status error';
        status.textContent = errorText(e, t);
      }
    },
  }, t(`school.twinning.${kind}`));
  const actions = (tw) => {
    if (!mine) return null;
    if (tw.status === 'PROPOSED' && tw.partner?.id === s.id) return [answer(tw, 'accept', 'accepted'), ' ', answer(tw, 'decline', 'declined')];
    if (tw.status === 'PROPOSED') return answer(tw, 'end', 'withdrawn');
    if (tw.status === 'ACCEPTED') return answer(tw, 'end', 'ended');
    return null;
  };
  const list = (s.twinnings || []).length
    ? h('ul', { class: 'plain', id: 'twinnings' }, s.twinnings.map((tw) => h('li', { dataset: { twinning: tw.id } },
      other(tw) ? h('a', { href: `#/schools/${other(tw).id}` }, other(tw).name) : '—', ' · ', label('TwinningStatus', tw.status),
      tw.message ? h('q', { class: 'meta' }, ' ', tw.message) : null, ' ', actions(tw))))
    : card.partners.length
      ? h('ul', { class: 'plain', id: 'twinnings' }, card.partners.map((p) => h('li', null, h('a', { href: `#/schools/${p.id}` }, p.name))))
      : h('p', { class: 'empty' }, t('school.noPartners'));
  const done = ctx.query.get('done');
  if (done) status.textContent = t(`school.twinning.${done}`);

  // Proposing: a coordinator of another approved school.
  let propose = null;
  if (me?.role === 'SCHOOL_COORDINATOR' && me.school && me.school.id !== s.id && s.status === 'APPROVED') {
    const message = h('textarea', { id: 'twinning-message', rows: 3, maxlength: 2000 });
    propose = h('form', {
      id: 'propose-twinning',
      class: 'card',
      onsubmit: async (ev) => {
        ev.preventDefault();
        try {
          await gql('mutation($s: ID!, $p: ID!, $m: String) { proposeTwinning(schoolId: $s, partnerId: $p, message: $m) { id } }',
            { s: me.school.id, p: s.id, m: message.value.trim() || null });
          status.className = 'status';
          status.textContent = t('school.twinning.proposed', { name: s.name });
          propose.remove();
        } catch (e) {
          status.className = 'status error';
          status.textContent = errorText(e, t);
        }
      },
    }, h('h3', null, t('school.twinning.propose', { name: s.name })),
    field(t('school.twinning.message'), message, t('school.twinning.messageHint')),
    h('button', { type: 'submit', id: 'propose-submit' }, t('school.twinning.send')));
  }
  return h('section', { 'aria-labelledby': 'tw-h' }, h('h2', { id: 'tw-h' }, t('school.partners')), status, list, propose);
}
