// My account: who I am in the network, my name (and a mentor's profile)
// for adults to change, and my password for everyone — a student too, who
// starts with the password their teacher printed.

import { errorText, gql, renewingSession, setToken } from '../api.js';
import { add, field, h, statusLine } from '../dom.js';
import { label, languageName, t } from '../i18n.js';
import { signedIn } from '../main.js';

const Q = `{ me { id username displayName role email classLabel school { id name }
  mentorProfile { university chairTitle expertise languages } } }`;

// The shortest passwords the server takes (see accounts' NewPassword).
const MIN_CHARS = { STUDENT: 6, OTHER: 10 };

export async function render(root, ctx) {
  ctx.title(t('account.title'));
  const me = (await gql(Q)).me;
  const student = me.role === 'STUDENT';

  const facts = h('dl', { class: 'facts', id: 'account-facts' },
    h('dt', null, t('account.username')), h('dd', null, me.username),
    h('dt', null, t('account.role')), h('dd', null, label('Role', me.role)),
    me.school ? [h('dt', null, t('account.school')), h('dd', null, h('a', { href: `#/schools/${me.school.id}` }, me.school.name))] : null,
    me.classLabel ? [h('dt', null, t('account.class')), h('dd', null, me.classLabel)] : null,
    me.email ? [h('dt', null, t('account.email')), h('dd', null, me.email)] : null);

  add(root,
    h('h1', null, t('account.title')),
    facts,
    student ? h('section', { 'aria-labelledby': 'name-h' },
      h('h2', { id: 'name-h' }, t('account.name')),
      h('p', null, me.displayName),
      h('p', { class: 'hint' }, t('account.studentName')))
      : profileForm(me),
    passwordForm(me, student));
}

function profileForm(me) {
  const name = h('input', { id: 'account-name', value: me.displayName, required: true, maxlength: 100, autocomplete: 'name' });
  const mentor = me.role === 'MENTOR' ? (me.mentorProfile || { university: '', chairTitle: '', expertise: [], languages: [] }) : null;
  const university = mentor && h('input', { id: 'account-university', value: mentor.university, maxlength: 200 });
  const chair = mentor && h('input', { id: 'account-chair', value: mentor.chairTitle, maxlength: 200 });
  const expertise = mentor && h('input', { id: 'account-expertise', value: mentor.expertise.join(', ') });
  const languages = mentor && h('input', { id: 'account-languages', value: mentor.languages.join(', ') });
  const status = statusLine();
  const list = (input) => input.value.split(',').map((s) => s.trim()).filter(Boolean);
  return h('form', {
    id: 'profile-form',
    class: 'card narrow',
    'aria-labelledby': 'name-h',
    onsubmit: async (ev) => {
      ev.preventDefault();
      status.className = 'status';
      try {
        await gql('mutation($n: String, $m: MentorProfileInput) { updateMyProfile(displayName: $n, mentor: $m) { id displayName } }', {
          n: name.value.trim(),
          m: mentor ? { university: university.value.trim(), chairTitle: chair.value.trim(), expertise: list(expertise), languages: list(languages) } : null,
        });
        status.textContent = t('account.saved');
        await signedIn(true);
      } catch (e) {
        status.className = 'status error';
        status.textContent = errorText(e, t);
      }
    },
  },
  h('h2', { id: 'name-h' }, t('account.profile')),
  field(t('account.displayName'), name, t('account.displayNameHint')),
  mentor ? [
    field(t('account.university'), university),
    field(t('account.chair'), chair),
    field(t('account.expertise'), expertise, t('account.listHint')),
    field(t('account.languages'), languages, t('account.languagesHint', { example: `ru, ${languageName('ru')}` })),
  ] : null,
  h('button', { type: 'submit' }, t('account.save')),
  status);
}

function passwordForm(me, student) {
  const min = student ? MIN_CHARS.STUDENT : MIN_CHARS.OTHER;
  const current = h('input', { id: 'password-current', type: 'password', required: true, autocomplete: 'current-password' });
  const next = h('input', { id: 'password-new', type: 'password', required: true, autocomplete: 'new-password', minlength: min });
  const again = h('input', { id: 'password-again', type: 'password', required: true, autocomplete: 'new-password' });
  const status = statusLine();
  const submit = h('button', { type: 'submit', id: 'password-submit' }, t('account.changePassword'));
  return h('form', {
    id: 'password-form',
    class: 'card narrow',
    'aria-labelledby': 'password-h',
    onsubmit: async (ev) => {
      ev.preventDefault();
      status.className = 'status error';
      if (next.value !== again.value) {
        status.textContent = t('account.passwordsDiffer');
        again.focus();
        return;
      }
      if (next.value === current.value) {
        status.textContent = t('account.passwordSame');
        next.focus();
        return;
      }
      submit.disabled = true;
      status.className = 'status';
      status.textContent = t('account.working');
      try {
        const d = await renewingSession(() => gql('mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { token } }',
          { c: current.value, n: next.value }));
        // Every session ended, this one too: the answer is this tab's new one.
        setToken(d.changePassword.token);
        for (const input of [current, next, again]) input.value = '';
        status.textContent = t('account.passwordChanged');
      } catch (e) {
        status.className = 'status error';
        status.textContent = e.field === 'currentPassword' ? t('account.currentWrong') : errorText(e, t);
        current.focus();
      } finally {
        submit.disabled = false;
      }
    },
  },
  h('h2', { id: 'password-h' }, t('account.password')),
  h('p', { class: 'hint' }, student ? t('account.passwordStudentHint', { n: min }) : t('account.passwordHint', { n: min })),
  field(t('account.currentPassword'), current),
  field(t('account.newPassword'), next, t('account.newPasswordHint', { n: min })),
  field(t('account.againPassword'), again),
  submit,
  status);
}
