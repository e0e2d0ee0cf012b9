// One event: what, when (in the reader's time and the event's own zone),
// agenda, mentors, where to join, registration (for oneself and, for
// teachers, their students), and for its organizers: going live, ending,
// cancelling, and the attendance report.

import { ApiError, errorText, gql } from '../api.js';
import { add, asYouType, field, fill, h, html, statusLine } from '../dom.js';
import { formatDateTime, formatTime, label, t } from '../i18n.js';

const Q = `query($id: ID!) { event(id: $id) {
  id kind title descriptionHtml startsAt endsAt timeZone localStart place joinUrl status cancelReason
  capacity registeredCount waitlistCount canManage canTakePart minutes minutesHtml recordingUrl
  agenda { startsAt title speaker } mentors { id displayName mentorProfile { university chairTitle } }
  organizer { displayName } myRegistration { status }
  materials { id title } } }`;

export async function render(root, ctx) {
  const d = await gql(Q, { id: ctx.params.id });
  const e = d.event;
  if (!e) {
    add(root, h('h1', null, t('error.title')), h('p', { class: 'error' }, t('error.NOT_FOUND')));
    return;
  }
  ctx.title(e.title);
  const status = statusLine();
  const reg = e.myRegistration && e.myRegistration.status !== 'CANCELLED' ? e.myRegistration.status : null;
  const act = (query, vars, done) => async () => {
    try {
      await gql(query, vars);
      if (done) status.textContent = done;
      ctx.navigate(`/events/${e.id}`);
    } catch (err) {
      status.className = 'status error';
      status.textContent = errorText(err, t);
    }
  };
  const actions = h('div', { class: 'toolbar', id: 'event-actions' });
  if (!ctx.me) {
    // A visitor reads a public event; taking part needs an account.
    if (e.status !== 'CANCELLED' && e.status !== 'ENDED') {
      add(actions, h('a', { class: 'button', href: '#/signin', id: 'signin-to-register' }, t('event.signInToRegister')));
    }
  } else if (e.status !== 'CANCELLED' && e.status !== 'ENDED') {
    if (!reg) {
      add(actions, h('button', { type: 'button', id: 'register', onclick: act('mutation($id: ID!) { registerForEvent(eventId: $id) { status } }', { id: e.id }) }, t('event.register')));
    } else if (reg) {
      add(actions, h('button', { type: 'button', class: 'quiet', id: 'unregister', onclick: act('mutation($id: ID!) { cancelRegistration(eventId: $id) { status } }', { id: e.id }) }, t('event.unregister')));
    }
  }
  if (ctx.me && (e.status === 'LIVE' || e.canManage)) {
    add(actions, h('a', { class: 'button', href: `#/events/${e.id}/live`, id: 'enter-room' }, t('event.enterRoom')));
  }
  if (e.canManage) {
    if (e.status === 'SCHEDULED') add(actions, h('button', { type: 'button', id: 'start-live', onclick: act('mutation($id: ID!) { startLive(eventId: $id) { status } }', { id: e.id }) }, t('event.startLive')));
    if (e.status === 'LIVE') add(actions, h('button', { type: 'button', id: 'end-live', onclick: act('mutation($id: ID!) { endLive(eventId: $id) { status } }', { id: e.id }) }, t('event.endLive')));
    if (e.status === 'SCHEDULED') {
      add(actions, h('a', { class: 'button quiet', href: `#/events/${e.id}/edit`, id: 'edit-event' }, t('event.edit')));
      add(actions, h('button', {
        type: 'button',
        class: 'quiet',
        onclick: () => {
          const reason = prompt(t('event.cancelWhy'));
          if (reason) act('mutation($id: ID!, $r: String!) { cancelEvent(id: $id, reason: $r) { status } }', { id: e.id, r: reason })();
        },
      }, t('event.cancel')));
    }
  }

  const students = h('div');
  if (['TEACHER', 'SCHOOL_COORDINATOR'].includes(ctx.me?.role) && ctx.me.school && e.status === 'SCHEDULED') {
    const box = h('details', { class: 'panel' }, h('summary', null, t('event.registerStudents')));
    box.addEventListener('toggle', async () => {
      if (!box.open || box.dataset.loaded) return;
      box.dataset.loaded = '1';
      const r = await gql('query($s: ID!) { school(id: $s) { people(role: STUDENT, first: 100) { nodes { id displayName classLabel } } } }', { s: ctx.me.school.id });
      const list = h('fieldset', { class: 'checks' }, h('legend', null, t('space.pickStudents')),
        r.school.people.nodes.map((p) => h('label', null, h('input', { type: 'checkbox', value: p.id }), ' ', p.displayName, p.classLabel ? ` (${p.classLabel})` : '')));
      add(box, h('form', {
        onsubmit: (ev) => {
          ev.preventDefault();
          const ids = [...list.querySelectorAll('input:checked')].map((i) => i.value);
          if (ids.length) act('mutation($id: ID!, $s: [ID!]!) { registerForEvent(eventId: $id, students: $s, includeSelf: false) { status } }', { id: e.id, s: ids }, t('event.studentsRegistered', { n: ids.length }))();
        },
      }, list, h('button', { type: 'submit' }, t('event.register'))));
    });
    add(students, box);
  }

  const report = h('div');
  if (e.canManage && e.status !== 'SCHEDULED') {
    const btn = h('button', {
      type: 'button',
      class: 'quiet',
      onclick: async () => {
        const r = await gql('query($id: ID!) { event(id: $id) { attendance { csv schools { school { name } participantCount participants { name role minutesPresent } } } } }', { id: e.id });
        // The report is small text: handed to the browser's own download as a file.
        const csv = URL.createObjectURL(new Blob([r.event.attendance.csv], { type: 'text/csv;charset=utf-8' }));
        fill(report, h('h2', null, t('event.attendance')),
          h('p', null, h('a', { href: csv, download: t('event.attendanceFile', { title: e.title.replace(/[\\/:*?"<>|]/g, ' ') }), class: 'button quiet', id: 'attendance-csv' }, t('event.attendanceCsv'))),
          r.event.attendance.schools.map((s) => h('section', null,
          h('h3', null, s.school ? s.school.name : t('event.noSchool'), ' ', h('span', { class: 'meta' }, `(${s.participantCount})`)),
          h('ul', { class: 'plain' }, s.participants.map((p) => h('li', null, p.name, ' · ', label('Role', p.role), ' · ', t('event.minutes', { n: p.minutesPresent })))))));
      },
    }, t('event.showAttendance'));
    add(report, btn);
  }

  // The organizer records what came of it: minutes, the recording, materials.
  const outcome = h('div');
  if (e.canManage && e.status !== 'CANCELLED') {
    const minutesText = h('textarea', { id: 'outcome-minutes', rows: 5 }, e.minutes || '');
    const recording = h('input', { id: 'outcome-recording', type: 'url', value: e.recordingUrl || '', placeholder: 'https://' });
    const picker = materialPicker(e.materials);
    const box = h('details', { class: 'panel', id: 'record-outcome' }, h('summary', null, t('event.recordOutcome')),
      h('form', {
        onsubmit: (ev) => {
          ev.preventDefault();
          act('mutation($id: ID!, $m: String, $r: String, $a: [ID!]) { recordEventOutcome(eventId: $id, minutes: $m, recordingUrl: $r, materials: $a) { id } }',
            { id: e.id, m: minutesText.value, r: recording.value.trim(), a: picker.chosen() }, t('event.outcomeSaved'))();
        },
      }, field(t('event.minutesField'), minutesText, t('markdown.hint')), field(t('event.recordingField'), recording),
      picker.element,
      h('button', { type: 'submit', id: 'save-outcome' }, t('event.saveOutcome'))));
    add(outcome, box);
  }

  const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
  add(root, 
    ctx.me ? h('p', { class: 'crumbs' }, h('a', { href: '#/events' }, t('events.title'))) : null,
    h('h1', null, e.title),
    h('p', { class: 'meta' }, label('EventKind', e.kind), ' · ', label('EventStatus', e.status),
      e.organizer ? ` · ${t('event.by', { name: e.organizer.displayName })}` : ''),
    e.status === 'CANCELLED' ? h('p', { class: 'error' }, t('event.cancelled', { reason: e.cancelReason || '' })) : null,
    status,
    h('dl', { class: 'facts' },
      h('dt', null, t('event.when')), h('dd', { id: 'event-when' }, formatDateTime(e.startsAt), '–', formatTime(e.endsAt), ` (${local})`),
      local !== e.timeZone ? [h('dt', null, t('event.theirTime', { zone: e.timeZone })), h('dd', null, e.localStart)] : null,
      e.place ? [h('dt', null, t('event.place')), h('dd', null, e.place)] : null,
      e.joinUrl ? [h('dt', null, t('event.joinUrl')), h('dd', null, h('a', { href: e.joinUrl, rel: 'noopener noreferrer', target: '_blank' }, e.joinUrl))] : null,
      h('dt', null, t('event.seatsTitle')), h('dd', null, e.capacity ? t('events.seats', { n: e.registeredCount, capacity: e.capacity }) : t('events.registered', { n: e.registeredCount }),
        e.waitlistCount ? ` · ${t('event.waitlist', { n: e.waitlistCount })}` : ''),
      reg ? [h('dt', null, t('event.you')), h('dd', { id: 'my-registration' }, label('RegistrationStatus', reg))] : null),
    actions,
    students,
    e.descriptionHtml ? html('div', { class: 'prose' }, e.descriptionHtml) : null,
    e.agenda.length ? h('section', null, h('h2', null, t('event.agenda')), h('ol', { class: 'plain' }, e.agenda.map((a) => h('li', null,
      h('time', { datetime: a.startsAt }, formatTime(a.startsAt)), ' ', a.title, a.speaker ? ` — ${a.speaker}` : '')))) : null,
    e.mentors.length ? h('section', null, h('h2', null, t('event.mentors')), h('ul', { class: 'plain' }, e.mentors.map((m) => h('li', null,
      h('a', { href: `#/people/${m.id}` }, m.displayName), m.mentorProfile ? ` · ${m.mentorProfile.chairTitle}, ${m.mentorProfile.university}` : '')))) : null,
    e.minutesHtml || e.recordingUrl ? h('section', null, h('h2', null, t('event.outcome')),
      e.minutesHtml ? html('div', { class: 'prose' }, e.minutesHtml) : null,
      e.recordingUrl ? h('p', null, h('a', { href: e.recordingUrl, rel: 'noopener noreferrer', target: '_blank' }, t('event.recording'))) : null) : null,
    e.materials.length ? h('section', null, h('h2', null, t('library.materials')), h('ul', { class: 'plain' }, e.materials.map((m) => h('li', null, h('a', { href: `#/materials/${m.id}` }, m.title))))) : null,
    outcome,
    report,
  );
}

const FIND = `query($q: String!) { search(query: $q, filter: { kinds: [LESSON_PLAN, PRESENTATION, WORKSHEET, VIDEO,
  PROJECT_REPORT, GOOD_PRACTICE, OTHER_MATERIAL] }, first: 5) { edges { node { result { __typename ... on Material { id title } } } } } }`;

/** The materials attached to an event's outcome: those already there, and a search to add more. */
function materialPicker(attached) {
  const chosen = new Map(attached.map((m) => [m.id, m.title]));
  const list = h('ul', { class: 'plain', id: 'outcome-materials' });
  const draw = () => fill(list, chosen.size
    ? [...chosen].map(([id, title]) => h('li', { dataset: { material: id } }, title, ' ',
      h('button', { type: 'button', class: 'link', onclick: () => { chosen.delete(id); draw(); } }, t('event.detach', { title }))))
    : h('li', { class: 'empty' }, t('event.noMaterials')));
  const q = h('input', { type: 'search', id: 'outcome-find', autocomplete: 'off' });
  const found = h('ul', { class: 'plain', id: 'outcome-found', 'aria-live': 'polite' });
  asYouType(q, {
    ask: (text) => gql(FIND, { q: text }),
    clear: () => fill(found),
    show: (r) => {
      const hits = r.search.edges.map((x) => x.node.result).filter((m) => m.__typename === 'Material' && !chosen.has(m.id));
      fill(found, hits.map((m) => h('li', null, h('button', { type: 'button', class: 'quiet', onclick: () => {
        chosen.set(m.id, m.title);
        draw();
        fill(found);
        q.value = '';
        q.focus();
      } }, t('event.attach', { title: m.title })))));
    },
    wait: 250,
  });
  draw();
  return {
    element: h('fieldset', null, h('legend', null, t('event.outcomeMaterials')), list, field(t('event.findMaterial'), q), found),
    chosen: () => [...chosen.keys()],
  };
}
