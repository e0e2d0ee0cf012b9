// Planning an event: kind, title, description, when (in the planner's
// time zone), where or the join link, mentors, for whom, and how many seats.

import { ApiError, gql } from '../api.js';
import { add, field, h, statusLine } from '../dom.js';
import { label, t } from '../i18n.js';

const KINDS = ['MENTORING_SESSION', 'WORKSHOP', 'CONFERENCE', 'EXPERT_MEETING', 'WEBINAR'];

function pad(n) {
  return String(n).padStart(2, '0');
}

export async function render(root, ctx) {
  ctx.title(t('eventNew.title'));
  const d = await gql('{ mySpaces(first: 50) { nodes { id title } } mentors(first: 100) { nodes { id displayName } } }');
  const tomorrow = new Date(Date.now() + 24 * 3600 * 1000);
  const start = `${tomorrow.getFullYear()}-${pad(tomorrow.getMonth() + 1)}-${pad(tomorrow.getDate())}T10:00`;
  const kind = h('select', { id: 'event-kind' }, KINDS.map((k) => h('option', { value: k }, label('EventKind', k))));
  const title = h('input', { id: 'event-title', required: true, maxlength: 200 });
  const description = h('textarea', { id: 'event-description', rows: 4 });
  const startsAt = h('input', { id: 'event-start', type: 'datetime-local', required: true, value: start });
  const minutes = h('input', { id: 'event-minutes', type: 'number', min: 15, max: 600, step: 15, value: 60, required: true });
  const zone = h('input', { id: 'event-zone', required: true, value: Intl.DateTimeFormat().resolvedOptions().timeZone });
  const place = h('input', { id: 'event-place', maxlength: 300 });
  const joinUrl = h('input', { id: 'event-join', type: 'url', maxlength: 500 });
  const capacity = h('input', { id: 'event-capacity', type: 'number', min: 1 });
  const audienceKinds = ['NETWORK', ...(ctx.me.countryCode ? ['COUNTRIES'] : []), ...(ctx.me.school ? ['SCHOOLS'] : []), ...(d.mySpaces.nodes.length ? ['SPACE'] : [])];
  const audience = h('select', { id: 'event-audience' }, audienceKinds.map((k) => h('option', { value: k }, label('AudienceKind', k))));
  const space = h('select', { id: 'event-space' }, d.mySpaces.nodes.map((s) => h('option', { value: s.id }, s.title)));
  const spaceField = field(t('eventNew.space'), space);
  spaceField.hidden = true;
  audience.addEventListener('change', () => {
    spaceField.hidden = audience.value !== 'SPACE';
  });
  const mentors = h('fieldset', { class: 'checks' }, h('legend', null, t('event.mentors')),
    d.mentors.nodes.map((m) => h('label', null, h('input', { type: 'checkbox', value: m.id, checked: m.id === ctx.me.id }), ' ', m.displayName)));
  const status = statusLine();
  const form = h('form', {
    class: 'card',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const begin = new Date(startsAt.value);
      const end = new Date(begin.getTime() + Number(minutes.value) * 60_000);
      const a = { kind: audience.value };
      if (a.kind === 'COUNTRIES') a.countries = [ctx.me.countryCode];
      if (a.kind === 'SCHOOLS') a.schools = [ctx.me.school.id];
      if (a.kind === 'SPACE') a.space = space.value;
      const input = {
        kind: kind.value,
        title: title.value.trim(),
        description: description.value || null,
        startsAt: begin.toISOString(),
        endsAt: end.toISOString(),
        timeZone: zone.value.trim(),
        place: place.value.trim() || null,
        joinUrl: joinUrl.value.trim() || null,
        capacity: capacity.value ? Number(capacity.value) : null,
        mentors: [...mentors.querySelectorAll('input:checked')].map((i) => i.value),
        audience: a,
      };
      try {
        const r = await gql('mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }', { i: input });
        ctx.navigate(`/events/${r.createEvent.id}`);
      } catch (e) {
        status.className = 'status error';
        status.textContent = e instanceof ApiError && e.code === 'BAD_USER_INPUT' ? e.message : t(`error.${e.code || 'INTERNAL'}`);
      }
    },
  },
  field(t('eventNew.kind'), kind),
  field(t('eventNew.titleField'), title),
  field(t('eventNew.description'), description, t('markdown.hint')),
  field(t('eventNew.start'), startsAt),
  field(t('eventNew.minutes'), minutes),
  field(t('eventNew.zone'), zone, t('eventNew.zoneHint')),
  field(t('event.place'), place),
  field(t('event.joinUrl'), joinUrl),
  field(t('eventNew.audience'), audience),
  spaceField,
  mentors,
  field(t('eventNew.capacity'), capacity, t('eventNew.capacityHint')),
  h('button', { type: 'submit', id: 'create-event' }, t('eventNew.submit')),
  status);
  add(root, h('p', { class: 'crumbs' }, h('a', { href: '#/events' }, t('events.title'))), h('h1', null, t('eventNew.title')), form);
}
