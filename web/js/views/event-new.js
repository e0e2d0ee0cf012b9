// Planning an event: the event form (`event-form.js`), sent as `createEvent`.

import { gql } from '../api.js';
import { add, h } from '../dom.js';
import { t } from '../i18n.js';
import { eventForm, formChoices } from '../event-form.js';

export async function render(root, ctx) {
  ctx.title(t('eventNew.title'));
  const { choices, schools } = await formChoices();
  const form = eventForm({
    me: ctx.me,
    choices,
    schools,
    submitLabel: t('eventNew.submit'),
    save: async (input) => {
      const r = await gql('mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }', { i: input });
      ctx.navigate(`/events/${r.createEvent.id}`);
    },
  });
  add(root, h('p', { class: 'crumbs' }, h('a', { href: '#/events' }, t('events.title'))), h('h1', null, t('eventNew.title')), form);
}
