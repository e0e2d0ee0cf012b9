// The form of an event, for planning one and for changing it: kind, title,
// description, when (in the planner's time zone), where or the join link,
// the agenda, mentors, for whom (the network, some countries, some
// schools, or a space) and how many seats.

import { errorText, gql } from './api.js';
import { add, field, h, statusLine, uid } from './dom.js';
import { label, t } from './i18n.js';

const KINDS = ['MENTORING_SESSION', 'WORKSHOP', 'CONFERENCE', 'EXPERT_MEETING', 'WEBINAR'];

/** What the form needs to offer: the planner's spaces, the mentors, the countries and approved schools. */
const CHOICES = `{ mySpaces(first: 50) { nodes { id title } } mentors(first: 100) { nodes { id displayName } }
  countries { code name } }`;
// Asked apart: with the other lists in one document it passes the cost limit.
const SCHOOLS = '{ schools(status: APPROVED, first: 100) { nodes { id name countryCode } } }';

const pad = (n) => String(n).padStart(2, '0');

/** `date` as the value of a datetime-local input, in the browser's time. */
function local(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function checks(legend, id, items, chosen) {
  return h('fieldset', { class: 'checks', id }, h('legend', null, legend),
    items.map(([value, text]) => h('label', null, h('input', { type: 'checkbox', value, checked: chosen.includes(value) }), ' ', text)));
}

const checked = (set) => [...set.querySelectorAll('input:checked')].map((i) => i.value);

function agendaEditor(items) {
  const list = h('ol', { class: 'plain agenda-editor', id: 'agenda-items' });
  const row = (item) => {
    const at = h('input', { type: 'datetime-local', id: uid('agenda-at'), required: true, value: item ? local(new Date(item.startsAt)) : '' });
    const title = h('input', { id: uid('agenda-title'), required: true, maxlength: 200, value: item?.title || '' });
    const speaker = h('input', { id: uid('agenda-speaker'), maxlength: 200, value: item?.speaker || '' });
    const li = h('li', { class: 'card agenda-item' },
      field(t('eventForm.agendaAt'), at), field(t('eventForm.agendaTitle'), title), field(t('eventForm.agendaSpeaker'), speaker),
      h('button', { type: 'button', class: 'quiet', onclick: () => { li.remove(); } }, t('eventForm.agendaRemove')));
    li.read = () => ({ startsAt: new Date(at.value).toISOString(), title: title.value.trim(), speaker: speaker.value.trim() || null });
    return li;
  };
  add(list, items.map(row));
  const section = h('fieldset', { class: 'agenda' }, h('legend', null, t('event.agenda')), list,
    h('button', { type: 'button', class: 'quiet', id: 'agenda-add', onclick: () => {
      const li = row(null);
      add(list, li);
      li.querySelector('input').focus();
    } }, t('eventForm.agendaAdd')));
  section.read = () => [...list.children].map((li) => li.read());
  return section;
}

/**
 * The form; `event` fills it for a change. `save(input)` sends it and
 * returns where to go; its errors are shown in the form.
 */
export function eventForm({ me, choices, schools, event, submitLabel, save }) {
  const e = event || null;
  const tomorrow = new Date(Date.now() + 24 * 3600 * 1000);
  tomorrow.setHours(10, 0, 0, 0);
  const begin = e ? new Date(e.startsAt) : tomorrow;
  const length = e ? Math.round((new Date(e.endsAt) - begin) / 60_000) : 60;
  const kind = h('select', { id: 'event-kind' }, KINDS.map((k) => h('option', { value: k, selected: e?.kind === k }, label('EventKind', k))));
  const title = h('input', { id: 'event-title', required: true, maxlength: 200, value: e?.title || '' });
  const description = h('textarea', { id: 'event-description', rows: 4 }, e?.description || '');
  const startsAt = h('input', { id: 'event-start', type: 'datetime-local', required: true, value: local(begin) });
  const minutes = h('input', { id: 'event-minutes', type: 'number', min: 15, max: 600, step: 15, value: length, required: true });
  const zone = h('input', { id: 'event-zone', required: true, value: e?.timeZone || Intl.DateTimeFormat().resolvedOptions().timeZone });
  const place = h('input', { id: 'event-place', maxlength: 300, value: e?.place || '' });
  const joinUrl = h('input', { id: 'event-join', type: 'url', maxlength: 500, value: e?.joinUrl || '' });
  const capacity = h('input', { id: 'event-capacity', type: 'number', min: 1, value: e?.capacity ?? '' });

  const aud = e?.audience || { kind: 'NETWORK', countries: me.countryCode ? [me.countryCode] : [], schools: me.school ? [me.school.id] : [], space: null };
  const spaces = choices.mySpaces.nodes;
  const plansPublic = ['PLATFORM_ADMIN', 'NATIONAL_COORDINATOR', 'MENTOR'].includes(me.role);
  const kinds = [...(plansPublic || aud.kind === 'PUBLIC' ? ['PUBLIC'] : []), 'NETWORK', 'COUNTRIES', 'SCHOOLS',
    ...(spaces.length || aud.kind === 'SPACE' ? ['SPACE'] : [])];
  const audience = h('select', { id: 'event-audience' }, kinds.map((k) => h('option', { value: k, selected: k === aud.kind }, label('AudienceKind', k))));
  const countries = checks(t('eventForm.countries'), 'event-countries', choices.countries.map((c) => [c.code, c.name]),
    aud.kind === 'COUNTRIES' ? aud.countries : (me.countryCode ? [me.countryCode] : []));
  const byName = new Map(choices.countries.map((c) => [c.code, c.name]));
  const schoolSet = checks(t('eventForm.schools'), 'event-schools',
    schools.map((s) => [s.id, `${s.name} (${byName.get(s.countryCode) || s.countryCode})`]),
    aud.kind === 'SCHOOLS' ? aud.schools : (me.school ? [me.school.id] : []));
  const space = h('select', { id: 'event-space' }, spaces.map((s) => h('option', { value: s.id, selected: s.id === aud.space }, s.title)));
  const spaceField = field(t('eventNew.space'), space);
  const showAudience = () => {
    countries.hidden = audience.value !== 'COUNTRIES';
    schoolSet.hidden = audience.value !== 'SCHOOLS';
    spaceField.hidden = audience.value !== 'SPACE';
  };
  audience.addEventListener('change', showAudience);
  showAudience();

  const mentorIds = e ? e.mentors.map((m) => m.id) : [me.id];
  const mentors = checks(t('event.mentors'), 'event-mentors', choices.mentors.nodes.map((m) => [m.id, m.displayName]), mentorIds);
  const agenda = agendaEditor(e?.agenda || []);
  const status = statusLine();
  const form = h('form', {
    class: 'card',
    id: 'event-form',
    onsubmit: async (ev) => {
      ev.preventDefault();
      status.className = 'status';
      const start = new Date(startsAt.value);
      const end = new Date(start.getTime() + Number(minutes.value) * 60_000);
      const a = { kind: audience.value };
      if (a.kind === 'COUNTRIES') a.countries = checked(countries);
      if (a.kind === 'SCHOOLS') a.schools = checked(schoolSet);
      if (a.kind === 'SPACE') a.space = space.value;
      if ((a.kind === 'COUNTRIES' && !a.countries.length) || (a.kind === 'SCHOOLS' && !a.schools.length)) {
        status.className = 'status error';
        status.textContent = t('eventForm.audienceEmpty');
        (a.kind === 'COUNTRIES' ? countries : schoolSet).querySelector('input')?.focus();
        return;
      }
      const input = {
        kind: kind.value,
        title: title.value.trim(),
        description: description.value || null,
        agenda: agenda.read(),
        startsAt: start.toISOString(),
        endsAt: end.toISOString(),
        timeZone: zone.value.trim(),
        place: place.value.trim() || null,
        joinUrl: joinUrl.value.trim() || null,
        capacity: capacity.value ? Number(capacity.value) : null,
        mentors: checked(mentors),
        audience: a,
      };
      try {
        await save(input);
      } catch (err) {
        status.className = 'status error';
        status.textContent = errorText(err, t);
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
  agenda,
  field(t('eventNew.audience'), audience),
  countries, schoolSet, spaceField,
  mentors,
  field(t('eventNew.capacity'), capacity, t('eventNew.capacityHint')),
  h('button', { type: 'submit', id: 'save-event' }, submitLabel),
  status);
  return form;
}

/** Loads what the form offers: `{ choices, schools }`. */
export async function formChoices() {
  const [choices, s] = await Promise.all([gql(CHOICES), gql(SCHOOLS)]);
  return { choices, schools: s.schools.nodes };
}


