// A teacher's students: the school's pupils by class, creating many at
// once (names, one per line) with a printable list of their logins and
// first passwords, and new passwords for those who forgot theirs.
// Passwords are shown once, here, and never stored by the page.

import { ApiError, errorText, gql } from '../api.js';
import { add, field, fill, h, statusLine } from '../dom.js';
import { t } from '../i18n.js';
import { sentInvitations } from '../invitations.js';

export async function render(root, ctx) {
  ctx.title(t('students.title'));
  const school = ctx.me.school;
  const status = statusLine();
  const existing = h('div', { id: 'existing' });
  const printable = h('section', { id: 'credentials', class: 'printable', hidden: true, 'aria-labelledby': 'cred-h' });

  function showCredentials(rows, heading) {
    fill(printable,
      h('h2', { id: 'cred-h' }, heading),
      h('p', { class: 'no-print' }, t('students.onceOnly')),
      h('table', null,
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('students.name')), h('th', { scope: 'col' }, t('students.class')),
          h('th', { scope: 'col' }, t('students.login')), h('th', { scope: 'col' }, t('students.password')))),
        h('tbody', null, rows.map((r) => h('tr', null, h('td', null, r.name), h('td', null, r.classLabel || ''),
          h('td', null, h('code', null, r.login)), h('td', null, h('code', null, r.password)))))),
      h('p', { class: 'hint' }, t('students.signinAt', { url: location.origin })),
      h('button', { type: 'button', class: 'no-print', id: 'print', onclick: () => print() }, t('students.print')));
    printable.hidden = false;
    printable.querySelector('h2').setAttribute('tabindex', '-1');
    printable.querySelector('h2').focus();
  }

  const coordinator = ctx.me.role === 'SCHOOL_COORDINATOR';
  const teachers = h('div', { id: 'teachers' });

  // Reset, deactivate or reactivate someone this person manages.
  function accountButtons(p) {
    const reset = h('button', {
      type: 'button',
      class: 'link',
      'aria-label': t('students.resetNamed', { name: p.displayName }),
      onclick: async () => {
        if (!confirm(t('students.confirmReset', { name: p.displayName }))) return;
        try {
          const r = await gql('mutation($id: ID!) { resetPassword(userId: $id) { login password } }', { id: p.id });
          showCredentials([{ name: p.displayName, classLabel: p.classLabel, ...r.resetPassword }], t('students.newPassword'));
        } catch (e) {
          status.textContent = errorText(e, t);
        }
      },
    }, t('students.reset'));
    const toggle = h('button', {
      type: 'button',
      class: 'link',
      'aria-label': p.active ? t('students.deactivateNamed', { name: p.displayName }) : t('students.reactivateNamed', { name: p.displayName }),
      onclick: async () => {
        if (p.active && !confirm(t('students.confirmDeactivate', { name: p.displayName }))) return;
        try {
          if (p.active) await gql('mutation($id: ID!) { deactivateUser(id: $id) { id active } }', { id: p.id });
          else await gql('mutation($id: ID!) { reactivateUser(id: $id) { id active } }', { id: p.id });
          status.className = 'status';
          status.textContent = p.active ? t('students.deactivated', { name: p.displayName }) : t('students.reactivated', { name: p.displayName });
          await load();
        } catch (e) {
          status.className = 'status error';
          status.textContent = errorText(e, t);
        }
      },
    }, p.active ? t('students.deactivate') : t('students.reactivate'));
    return [reset, ' ', toggle];
  }

  // A student's name and class, changed by their teacher.
  function changeForm(p) {
    const name = h('input', { id: `name-${p.id}`, value: p.displayName, required: true, maxlength: 100 });
    const cls = h('input', { id: `class-${p.id}`, value: p.classLabel || '', required: true, maxlength: 40 });
    return h('details', { class: 'inline' }, h('summary', { 'aria-label': t('students.changeNamed', { name: p.displayName }) }, t('students.change')),
      h('form', {
        class: 'toolbar',
        onsubmit: async (ev) => {
          ev.preventDefault();
          try {
            await gql('mutation($id: ID!, $n: String, $c: String) { updateStudent(id: $id, displayName: $n, classLabel: $c) { id } }',
              { id: p.id, n: name.value.trim(), c: cls.value.trim() });
            status.className = 'status';
            status.textContent = t('students.changed', { name: name.value.trim() });
            await load();
          } catch (e) {
            status.className = 'status error';
            status.textContent = errorText(e, t);
          }
        },
      }, field(t('students.newName'), name), field(t('students.newClass'), cls), h('button', { type: 'submit' }, t('students.save'))));
  }

  const person = (p, extra) => h('li', { dataset: { person: p.id } }, p.displayName, ' ', h('code', null, p.username),
    p.active ? '' : ` · ${t('students.inactive')}`, ' ', accountButtons(p), extra);

  async function load() {
    const d = await gql(`query($s: ID!) { school(id: $s) { name classes
      people(role: STUDENT, first: 100) { nodes { id displayName classLabel username active } } } }`, { s: school.id });
    const byClass = new Map();
    for (const p of d.school.people.nodes) {
      const k = p.classLabel || '—';
      if (!byClass.has(k)) byClass.set(k, []);
      byClass.get(k).push(p);
    }
    fill(existing, byClass.size
      ? [...byClass.entries()].sort().map(([k, people]) => h('section', { class: 'card' },
        h('h3', null, t('students.classNamed', { name: k })),
        h('ul', { class: 'plain' }, people.map((p) => person(p, changeForm(p))))))
      : h('p', { class: 'empty' }, t('students.none')));
    if (coordinator) {
      // Asked apart: both lists in one document pass the cost limit.
      const r = await gql('query($s: ID!) { school(id: $s) { people(role: TEACHER, first: 100) { nodes { id displayName username active } } } }', { s: school.id });
      const staff = r.school.people.nodes;
      fill(teachers, h('h2', null, t('students.teachers')), staff.length
        ? h('ul', { class: 'plain' }, staff.map((p) => person(p, null)))
        : h('p', { class: 'empty' }, t('students.noTeachers')));
    }
    return d.school;
  }

  const classLabel = h('input', { id: 'class-label', required: true, maxlength: 40, placeholder: '7B' });
  const names = h('textarea', { id: 'student-names', rows: 8, required: true });
  const form = h('form', {
    class: 'card',
    id: 'create-students',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const list = names.value.split('\n').map((s) => s.trim()).filter(Boolean);
      if (!list.length) return;
      try {
        const d = await gql(`mutation($i: CreateStudentsInput!) { createStudents(input: $i) {
          login password user { id displayName classLabel } } }`, { i: { schoolId: school.id, classLabel: classLabel.value.trim(), displayNames: list } });
        names.value = '';
        status.className = 'status';
        status.textContent = t('students.created', { n: d.createStudents.length });
        showCredentials(d.createStudents.map((c) => ({ name: c.user.displayName, classLabel: c.user.classLabel, login: c.login, password: c.password })),
          t('students.credentials'));
        await load();
      } catch (e) {
        status.className = 'status error';
        status.textContent = errorText(e, t);
      }
    },
  },
  h('h2', null, t('students.add')),
  field(t('students.class'), classLabel),
  field(t('students.names'), names, t('students.namesHint')),
  h('button', { type: 'submit' }, t('students.create')));

  let invite = null;
  if (ctx.me.role === 'SCHOOL_COORDINATOR') {
    const email = h('input', { id: 'invite-email', type: 'email', required: true, autocomplete: 'off' });
    const name = h('input', { id: 'invite-name', required: true, maxlength: 100 });
    const result = h('div', { role: 'status', 'aria-live': 'polite' });
    invite = h('form', {
      class: 'card',
      id: 'invite-teacher',
      onsubmit: async (ev) => {
        ev.preventDefault();
        try {
          const r = await gql('mutation($i: InvitationInput!) { invitePerson(input: $i) { code invitation { expiresAt } } }',
            { i: { role: 'TEACHER', email: email.value.trim(), displayName: name.value.trim(), schoolId: school.id } });
          const link = `${location.origin}/#/join?code=${encodeURIComponent(r.invitePerson.code)}`;
          result.replaceChildren(h('p', null, t('students.inviteReady', { name: name.value.trim() })),
            h('input', { readonly: true, value: link, class: 'wide', id: 'invite-link', 'aria-label': t('students.inviteLink') }));
          email.value = '';
          name.value = '';
        } catch (e) {
          result.replaceChildren(h('p', { class: 'error' }, errorText(e, t)));
        }
      },
    }, h('h2', null, t('students.inviteTeacher')), h('p', { class: 'hint' }, t('students.inviteIntro')),
    field(t('students.inviteName'), name), field(t('students.inviteEmail'), email),
    h('button', { type: 'submit' }, t('students.invite')), result);
  }

  const s = await load();
  add(root, 
    h('h1', null, t('students.title')),
    h('p', { class: 'lead' }, t('students.intro', { school: s.name })),
    status,
    printable,
    h('div', { class: 'grid2 no-print' },
      h('div', null, form, invite, coordinator ? await sentInvitations() : null),
      h('div', null, h('section', { 'aria-labelledby': 'ex-h' }, h('h2', { id: 'ex-h' }, t('students.existing')), existing),
        coordinator ? h('section', { class: 'card' }, teachers) : null)),
  );
}
