// A space's settings, for its leads: what it is about and when it runs,
// its members (removing one), inviting a mentor, and archiving it (which
// makes it read-only) or opening it again.

import { errorText, gql } from '../api.js';
import { add, field, fill, h, statusLine } from '../dom.js';
import { label, t } from '../i18n.js';
import { pillarBoxes } from './space-new.js';

const Q = `query($id: ID!) { space(id: $id) {
  id title topic description archived myRole languages pillars startsOn endsOn
  members(first: 100) { nodes { id displayName role school { name } } } } }`;
// Asked apart: with the members in one document it passes the cost limit.
const MENTORS = '{ mentors(first: 100) { nodes { id displayName mentorProfile { university chairTitle } } } }';

export async function render(root, ctx) {
  const d = await gql(Q, { id: ctx.params.id });
  const space = d.space;
  if (!space || space.myRole !== 'LEAD') {
    add(root, h('h1', null, t('error.forbiddenTitle')), h('p', { id: 'forbidden' }, t('error.forbidden')));
    return;
  }
  ctx.title(t('spaceSettings.title', { title: space.title }));
  add(root,
    h('p', { class: 'crumbs' }, h('a', { href: `#/spaces/${space.id}` }, space.title)),
    h('h1', null, t('spaceSettings.title', { title: space.title })),
    aboutForm(space),
    membersSection(space, ctx),
    mentorSection(space, (await gql(MENTORS)).mentors.nodes),
    archiveSection(space));
}

function aboutForm(space) {
  const title = h('input', { id: 'space-title', required: true, maxlength: 200, value: space.title });
  const topic = h('input', { id: 'space-topic', required: true, maxlength: 200, value: space.topic });
  const languages = h('input', { id: 'space-languages', required: true, value: space.languages.join(', ') });
  const description = h('textarea', { id: 'space-description', rows: 4 }, space.description);
  const startsOn = h('input', { id: 'space-starts', type: 'date', value: space.startsOn || '' });
  const endsOn = h('input', { id: 'space-ends', type: 'date', value: space.endsOn || '' });
  const status = statusLine();
  const form = h('form', {
    id: 'space-about',
    class: 'card',
    onsubmit: async (ev) => {
      ev.preventDefault();
      status.className = 'status';
      if (startsOn.value && endsOn.value && endsOn.value < startsOn.value) {
        status.className = 'status error';
        status.textContent = t('spaceSettings.datesOrder');
        endsOn.focus();
        return;
      }
      try {
        await gql('mutation($id: ID!, $i: CreateSpaceInput!) { updateSpace(id: $id, input: $i) { id } }', {
          id: space.id,
          i: {
            title: title.value.trim(),
            topic: topic.value.trim(),
            description: description.value,
            languages: languages.value.split(/[\s,]+/).filter(Boolean),
            pillars: [...form.querySelectorAll('input[name=pillar]:checked')].map((i) => i.value),
            startsOn: startsOn.value || null,
            endsOn: endsOn.value || null,
          },
        });
        status.textContent = t('spaceSettings.saved');
      } catch (e) {
        status.className = 'status error';
        status.textContent = errorText(e, t);
      }
    },
  },
  h('h2', null, t('spaceSettings.about')),
  field(t('space.titleField'), title),
  field(t('space.topic'), topic),
  field(t('space.languages'), languages, t('space.languagesHint')),
  pillarBoxes('pillar', space.pillars),
  field(t('space.description'), description, t('markdown.hint')),
  h('div', { class: 'toolbar' }, field(t('spaceSettings.startsOn'), startsOn), field(t('spaceSettings.endsOn'), endsOn)),
  h('button', { type: 'submit', id: 'save-space' }, t('spaceSettings.save')),
  status);
  return form;
}

function membersSection(space, ctx) {
  const list = h('ul', { class: 'plain', id: 'settings-members' });
  const status = statusLine();
  const draw = () => fill(list, space.members.nodes.map((m) => h('li', { dataset: { member: m.id } },
    m.displayName, ' · ', label('SpaceRole', m.role), m.school ? ` · ${m.school.name}` : '', ' ',
    m.id === ctx.me.id ? null : h('button', {
      type: 'button',
      class: 'link',
      'aria-label': t('spaceSettings.removeNamed', { name: m.displayName }),
      onclick: async () => {
        if (!confirm(t('spaceSettings.confirmRemove', { name: m.displayName }))) return;
        try {
          await gql('mutation($s: ID!, $u: ID!) { removeSpaceMember(spaceId: $s, userId: $u) { id } }', { s: space.id, u: m.id });
          space.members.nodes = space.members.nodes.filter((x) => x.id !== m.id);
          draw();
          status.className = 'status';
          status.textContent = t('spaceSettings.removed', { name: m.displayName });
        } catch (e) {
          status.className = 'status error';
          status.textContent = errorText(e, t);
        }
      },
    }, t('spaceSettings.remove')))));
  draw();
  return h('section', { class: 'card', 'aria-labelledby': 'members-h' },
    h('h2', { id: 'members-h' }, t('space.members')), list, status);
}

function mentorSection(space, mentors) {
  const member = new Set(space.members.nodes.map((m) => m.id));
  const choices = mentors.filter((m) => !member.has(m.id));
  const select = h('select', { id: 'invite-mentor' }, choices.map((m) => h('option', { value: m.id },
    m.displayName, m.mentorProfile ? ` — ${m.mentorProfile.chairTitle}, ${m.mentorProfile.university}` : '')));
  const status = statusLine();
  return h('form', {
    id: 'mentor-invite',
    class: 'card',
    onsubmit: async (ev) => {
      ev.preventDefault();
      status.className = 'status';
      try {
        await gql('mutation($s: ID!, $m: ID!) { inviteMentorToSpace(spaceId: $s, mentorId: $m) { id } }', { s: space.id, m: select.value });
        status.textContent = t('spaceSettings.mentorInvited');
      } catch (e) {
        status.className = 'status error';
        status.textContent = errorText(e, t);
      }
    },
  },
  h('h2', null, t('spaceSettings.mentor')),
  h('p', { class: 'hint' }, t('spaceSettings.mentorHint')),
  choices.length ? [field(t('spaceSettings.mentorChoice'), select), h('button', { type: 'submit', id: 'invite-mentor-submit' }, t('space.invite'))]
    : h('p', { class: 'empty' }, t('spaceSettings.noMentors')),
  status);
}

function archiveSection(space) {
  const status = statusLine();
  const text = h('p', null);
  const button = h('button', { type: 'button', class: 'quiet', id: 'archive-space' });
  const draw = () => {
    text.textContent = space.archived ? t('spaceSettings.archivedText') : t('spaceSettings.openText');
    button.textContent = space.archived ? t('spaceSettings.reopen') : t('spaceSettings.archive');
  };
  draw();
  button.addEventListener('click', async () => {
    try {
      const r = await gql('mutation($id: ID!, $a: Boolean!) { archiveSpace(id: $id, archived: $a) { archived } }', { id: space.id, a: !space.archived });
      space.archived = r.archiveSpace.archived;
      draw();
      status.className = 'status';
      status.textContent = space.archived ? t('spaceSettings.archivedNow') : t('spaceSettings.reopenedNow');
    } catch (e) {
      status.className = 'status error';
      status.textContent = errorText(e, t);
    }
  });
  return h('section', { class: 'card', 'aria-labelledby': 'archive-h' },
    h('h2', { id: 'archive-h' }, t('spaceSettings.archiveTitle')), text, button, status);
}
