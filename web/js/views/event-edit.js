// Changing an event (its organizer, mentors and administrators): the event
// form filled with what it says now, sent as `updateEvent` with the time
// of the version it was read at, so that a change made meanwhile is
// reported instead of overwritten. Everyone registered is told.

import { gql } from '../api.js';
import { add, h } from '../dom.js';
import { t } from '../i18n.js';
import { eventForm, formChoices } from '../event-form.js';

const Q = `query($id: ID!) { event(id: $id) {
  id kind title description startsAt endsAt timeZone place joinUrl capacity status canManage updatedAt
  agenda { startsAt title speaker } mentors { id } audience { kind countries schools space } } }`;

export async function render(root, ctx) {
  const d = await gql(Q, { id: ctx.params.id });
  const e = d.event;
  if (!e || !e.canManage || e.status !== 'SCHEDULED') {
    add(root, h('h1', null, t('error.forbiddenTitle')), h('p', { id: 'forbidden' }, t(e && e.canManage ? 'eventEdit.notScheduled' : 'error.forbidden')));
    return;
  }
  ctx.title(t('eventEdit.title', { title: e.title }));
  const { choices, schools } = await formChoices();
  const form = eventForm({
    me: ctx.me,
    choices,
    schools,
    event: e,
    submitLabel: t('eventEdit.submit'),
    save: async (input) => {
      await gql('mutation($id: ID!, $i: CreateEventInput!, $u: DateTime) { updateEvent(id: $id, input: $i, expectedUpdatedAt: $u) { id } }',
        { id: e.id, i: input, u: e.updatedAt });
      ctx.navigate(`/events/${e.id}`);
    },
  });
  add(root,
    h('p', { class: 'crumbs' }, h('a', { href: '#/events' }, t('events.title')), ' › ', h('a', { href: `#/events/${e.id}` }, e.title)),
    h('h1', null, t('eventEdit.title', { title: e.title })),
    h('p', { class: 'lead' }, t('eventEdit.intro')),
    form);
}
