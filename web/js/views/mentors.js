// The network's mentors (UNESCO Chair holders) and one person's page: who
// they are, their university and chair, what they know and the languages
// they mentor in, as far as the asker may see them.

import { errorText, gql } from '../api.js';
import { add, h, statusLine } from '../dom.js';
import { label, languageName, t } from '../i18n.js';

const PROFILE = 'mentorProfile { university chairTitle expertise languages }';

export async function render(root, ctx) {
  if (ctx.params.id) return person(root, ctx);
  ctx.title(t('mentors.title'));
  const d = await gql(`{ mentors(first: 100) { nodes { id displayName ${PROFILE} } } }`);
  add(root,
    h('h1', null, t('mentors.title')),
    h('p', { class: 'lead' }, t('mentors.intro')),
    d.mentors.nodes.length
      ? h('ul', { class: 'cards', id: 'mentor-list' }, d.mentors.nodes.map((m) => h('li', { class: 'card' },
        h('h2', null, h('a', { href: `#/people/${m.id}` }, m.displayName)),
        m.mentorProfile ? [
          h('p', null, m.mentorProfile.chairTitle),
          h('p', { class: 'meta' }, m.mentorProfile.university),
          m.mentorProfile.languages.length ? h('p', { class: 'meta' }, m.mentorProfile.languages.map(languageName).join(', ')) : null,
        ] : null)))
      : h('p', { class: 'empty' }, t('mentors.none')));
  return null;
}

async function person(root, ctx) {
  const d = await gql(`query($id: ID!) { user(id: $id) { id displayName role school { id name } ${PROFILE} } }`, { id: ctx.params.id });
  const u = d.user;
  ctx.title(u.displayName);
  const p = u.mentorProfile;
  add(root,
    u.role === 'MENTOR' ? h('p', { class: 'crumbs' }, h('a', { href: '#/mentors' }, t('mentors.title'))) : null,
    h('h1', null, u.displayName),
    h('dl', { class: 'facts', id: 'person-facts' },
      h('dt', null, t('account.role')), h('dd', null, label('Role', u.role)),
      u.school ? [h('dt', null, t('account.school')), h('dd', null, h('a', { href: `#/schools/${u.school.id}` }, u.school.name))] : null,
      p ? [
        h('dt', null, t('account.chair')), h('dd', null, p.chairTitle),
        h('dt', null, t('account.university')), h('dd', null, p.university),
        p.expertise.length ? [h('dt', null, t('account.expertise')), h('dd', null, p.expertise.join(', '))] : null,
        p.languages.length ? [h('dt', null, t('account.languages')), h('dd', null, p.languages.map(languageName).join(', '))] : null,
      ] : null),
    roleSection(u, ctx));
  return null;
}

/**
 * For those who oversee the person's country: making a teacher their
 * school's coordinator, or the reverse. Their sessions end; the server
 * checks who may.
 */
function roleSection(u, ctx) {
  const overseer = ['PLATFORM_ADMIN', 'NATIONAL_COORDINATOR'].includes(ctx.me?.role);
  if (!overseer || !['TEACHER', 'SCHOOL_COORDINATOR'].includes(u.role) || !u.school) return null;
  const to = u.role === 'TEACHER' ? 'SCHOOL_COORDINATOR' : 'TEACHER';
  const status = statusLine();
  return h('section', { 'aria-labelledby': 'role-h', class: 'card' }, h('h2', { id: 'role-h' }, t('person.role')),
    h('p', { class: 'hint' }, t('person.roleHint')),
    h('button', {
      type: 'button',
      id: 'change-role',
      onclick: async () => {
        try {
          await gql('mutation($u: ID!, $r: Role!) { changeRole(userId: $u, role: $r) { id role } }', { u: u.id, r: to });
          ctx.navigate(`/people/${u.id}`);
        } catch (e) {
          status.className = 'status error';
          status.textContent = errorText(e, t);
        }
      },
    }, t(to === 'TEACHER' ? 'person.makeTeacher' : 'person.makeCoordinator', { school: u.school.name })),
    status);
}
