// People and what each may reach: a national coordinator approves a school
// of their country, sees the country at a glance and suspends a school
// (with a reason) and reinstates it; a teacher creates a class of students
// at once and gets the printable list of their logins, moves a pupil to
// another class and deactivates and reactivates another; a school
// coordinator invites a teacher, who joins by the link, and withdraws an
// invitation sent by mistake; a new student signs in with it and
// changes the printed password to their own, and finds no teacher's or
// coordinator's screen, by the menu or by address.

import { BASE, axe, expect, person, scenario, signIn } from './lib.mjs';

const PW = 'demo-password-2026';

await scenario('people', async (b) => {
  const nc = await person(b, 'coordinator');
  await signIn(nc, 'nc.am', PW);
  await nc.getByRole('link', { name: 'Approvals' }).click();
  const waiting = nc.locator('#applications > li');
  await waiting.first().waitFor();
  const before = await waiting.count();
  const name = await waiting.first().locator('h2').innerText();
  await axe(nc, 'approvals');
  await waiting.first().getByRole('button', { name: 'Reject' }).click();
  await nc.getByText('Write the reason for rejecting first.').waitFor();
  await waiting.first().getByRole('button', { name: 'Approve' }).click();
  await nc.getByText(`${name} is approved.`).waitFor();
  expect(await waiting.count() === before - 1, 'the approved school left the list');
  // The country at a glance; a school suspended (with a reason) and reinstated.
  await nc.getByRole('link', { name: 'My country' }).click();
  await nc.getByRole('heading', { level: 1, name: 'Armenia in the network' }).waitFor();
  await nc.locator('#by-role li', { hasText: 'Teacher' }).waitFor();
  await axe(nc, "the country's dashboard");
  const school = nc.locator('#country-schools > li', { hasText: name });
  await school.getByRole('button', { name: 'Suspend' }).click();
  await nc.getByText('Write the reason first.').waitFor();
  await school.getByLabel('Reason').fill('The school asked for a pause this term.');
  await school.getByRole('button', { name: 'Suspend' }).click();
  await nc.getByText(`${name} is suspended`).waitFor();
  const suspended = nc.locator('#country-schools > li', { hasText: name });
  await suspended.getByText('History').click();
  await suspended.getByText('The school asked for a pause this term.').waitFor();
  await suspended.getByRole('button', { name: 'Reinstate' }).click();
  await nc.getByText(`${name} takes part again.`).waitFor();
  // She registers a school she knows takes part (approved at once) and
  // corrects its facts.
  await nc.getByText('Register a school of this country').click();
  const reg = nc.locator('#register-school');
  await reg.getByLabel("The school's name", { exact: true }).fill('Վանաձորի թիվ 5 դպրոց');
  await reg.getByLabel("The school's name in English (if it has one)").fill('Vanadzor School No. 5');
  await reg.getByLabel('City or town').fill('Vanadzor');
  expect(await reg.locator('#register-languages').getByLabel('Armenian').isChecked(), "the country's language is offered");
  await axe(nc, 'registering a school');
  await reg.getByRole('button', { name: 'Register the school' }).click();
  await nc.locator('#edit-school').click();
  await nc.getByRole('heading', { level: 1, name: /^The facts of / }).waitFor();
  expect(await nc.locator('#school-country').isDisabled(), 'the country cannot change');
  await nc.getByLabel('City or town').fill('Vanadzor, Lori');
  await axe(nc, "a school's facts");
  await nc.locator('#school-save').click();
  await nc.getByText('Vanadzor, Lori').waitFor();
  await nc.locator('#school-staff', { hasText: 'Nobody has an account at this school yet.' }).waitFor();
  // The teacher of Gyumri becomes the school's coordinator, and back.
  await nc.getByRole('link', { name: 'Schools', exact: true }).click();
  await nc.goto(`${BASE}/#/directory/AM`);
  await nc.locator('main').getByRole('link', { name: /Gyumri/ }).first().click();
  const staff = nc.locator('#school-staff');
  await staff.locator('li', { hasText: 'Teacher' }).first().getByRole('link').click();
  await nc.locator('#change-role', { hasText: 'Make them coordinator of' }).click();
  await nc.locator('#person-facts', { hasText: 'School coordinator' }).waitFor();
  await axe(nc, "a person's page, for their national coordinator");
  await nc.locator('#change-role', { hasText: 'Make them a teacher' }).click();
  await nc.locator('#person-facts', { hasText: 'Teacher' }).waitFor();

  const teacher = await person(b, 'teacher');
  await signIn(teacher, 'teacher.yerevan12', PW);
  await teacher.getByRole('link', { name: 'My students' }).click();
  await teacher.getByRole('heading', { level: 1, name: 'My students' }).waitFor();
  await teacher.getByLabel('Class', { exact: true }).fill('8A');
  await teacher.getByLabel('Names').fill('Ani S.\nAram K.\nLusine M.');
  await teacher.getByRole('button', { name: 'Create the accounts' }).click();
  const rows = teacher.locator('#credentials tbody tr');
  await rows.nth(2).waitFor();
  expect(await rows.count() === 3, 'three accounts on the printable list');
  const login = (await rows.first().locator('td').nth(2).innerText()).trim();
  const password = (await rows.first().locator('td').nth(3).innerText()).trim();
  await teacher.locator('#existing', { hasText: 'Class 8A' }).waitFor();
  await axe(teacher, 'students with credentials');
  // The printed page holds the list and nothing of the portal's chrome.
  await teacher.emulateMedia({ media: 'print' });
  expect(await teacher.locator('header.top').isHidden(), 'the menu is not printed');
  expect(await teacher.locator('#credentials').isVisible(), 'the list is printed');
  await teacher.emulateMedia({ media: 'screen' });
  // A pupil moves class; another leaves the school for a while.
  const lusine = teacher.locator('#existing li', { hasText: 'Lusine M.' });
  await lusine.getByText('Change').click();
  await lusine.getByLabel('New class').fill('8B');
  await lusine.getByRole('button', { name: 'Save' }).click();
  await teacher.locator('#existing section', { hasText: 'Class 8B' }).locator('li', { hasText: 'Lusine M.' }).waitFor();
  teacher.once('dialog', (d) => d.accept());
  await teacher.getByRole('button', { name: 'Deactivate Aram K.' }).click();
  await teacher.locator('#existing li', { hasText: 'Aram K.' }).getByText('deactivated').waitFor();
  await teacher.getByRole('button', { name: 'Reactivate Aram K.' }).click();
  await teacher.getByText('Aram K. can sign in again.').waitFor();

  // A school coordinator invites a new teacher, who joins by the link.
  const coord = await person(b, 'school-coordinator');
  await signIn(coord, 'coord.yerevan12', PW);
  await coord.getByRole('link', { name: 'My students' }).click();
  await coord.getByLabel("Teacher's name").fill('Nare Petrosyan');
  await coord.getByLabel("Teacher's e-mail").fill('nare.petrosyan@school.example');
  await coord.getByRole('button', { name: 'Make the invitation' }).click();
  const link = await coord.locator('#invite-link').inputValue();
  expect(link.includes('#/join?code='), `an invitation link: ${link}`);
  // A second invitation, sent by mistake, is withdrawn: its link stops working.
  await coord.getByLabel("Teacher's name").fill('Wrong Person');
  await coord.getByLabel("Teacher's e-mail").fill('wrong.person@school.example');
  await coord.getByRole('button', { name: 'Make the invitation' }).click();
  await coord.waitForFunction((first) => document.querySelector('#invite-link')?.value !== first, link);
  const wrongLink = await coord.locator('#invite-link').inputValue();
  await coord.reload();
  await coord.locator('#sent-invitations li', { hasText: 'Nare Petrosyan' }).getByText(/open until/).waitFor();
  await axe(coord, 'a coordinator with invitations');
  await coord.getByRole('button', { name: 'Withdraw the invitation of Wrong Person' }).click();
  await coord.locator('#sent-invitations li', { hasText: 'Wrong Person' }).getByText(/withdrawn on/).waitFor();
  const stranger = await person(b, 'stranger');
  await stranger.goto(wrongLink);
  await stranger.locator('main:not([aria-busy])').waitFor();
  expect(await stranger.getByRole('button', { name: 'Create my account' }).count() === 0, 'a withdrawn invitation opens nothing');
  const newcomer = await person(b, 'newcomer');
  await newcomer.goto(link);
  await newcomer.getByText('You are invited as Teacher').waitFor();
  await axe(newcomer, 'joining by invitation');
  await newcomer.getByLabel('Username').fill('nare.petrosyan');
  await newcomer.getByLabel('Password').fill('a-long-new-password');
  await newcomer.getByRole('button', { name: 'Create my account' }).click();
  await newcomer.getByRole('heading', { level: 1, name: 'Hello, Nare Petrosyan' }).waitFor();
  await newcomer.getByRole('link', { name: 'My students' }).waitFor();
  await coord.reload();
  await coord.locator('#sent-invitations li', { hasText: 'Nare Petrosyan' }).getByText(/accepted on/).waitFor();
  await coord.locator('#teachers li', { hasText: 'Nare Petrosyan' }).waitFor();

  const pupil = await person(b, 'student');
  await signIn(pupil, login, password);
  await pupil.getByRole('heading', { level: 1, name: 'Hello, Ani S.' }).waitFor();
  // The printed password becomes one only the student knows.
  await pupil.locator('#my-account').click();
  await pupil.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
  await axe(pupil, 'my account, as a student');
  expect(await pupil.locator('#profile-form').count() === 0, "a student's name is their teacher's to change");
  await pupil.getByLabel('Current password').fill('not-the-password');
  await pupil.getByLabel('New password', { exact: true }).fill('kite-river-7');
  await pupil.getByLabel('New password again').fill('kite-river-8');
  await pupil.locator('#password-submit').click();
  await pupil.getByText('The two new passwords are not the same.').waitFor();
  await pupil.getByLabel('New password again').fill('kite-river-7');
  await pupil.locator('#password-submit').click();
  await pupil.getByText('The current password is not right.').waitFor();
  await pupil.getByLabel('Current password').fill(password);
  await pupil.locator('#password-submit').click();
  await pupil.getByText('Your password is changed.').waitFor();
  // Still signed in here, with the new session.
  await pupil.goto(`${BASE}/#/`);
  await pupil.getByRole('heading', { level: 1, name: 'Hello, Ani S.' }).waitFor();
  await pupil.getByRole('button', { name: 'Sign out' }).click();
  await pupil.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await pupil.getByLabel('E-mail or username').fill(login);
  await pupil.getByLabel('Password').fill(password);
  await pupil.locator('#signin-submit').click();
  await pupil.getByText('This username or password is not right.').waitFor();
  await signIn(pupil, login, 'kite-river-7');
  await pupil.getByRole('heading', { level: 1, name: 'Hello, Ani S.' }).waitFor();
  const menu = await pupil.locator('#nav').innerText();
  for (const screen of ['My students', 'Approvals']) {
    expect(!menu.includes(screen), `a student's menu has no ${screen}: ${menu}`);
  }
  expect(await pupil.getByRole('link', { name: 'New space' }).count() === 0, 'a student cannot open spaces');
  for (const hash of ['#/students', '#/approvals', '#/spaces/new', '#/events/new']) {
    await pupil.goto(`${BASE}/${hash}`);
    await pupil.getByRole('heading', { level: 1, name: 'This page is not for you' }).waitFor();
    expect(await pupil.locator('main form').count() === 0, `no form of ${hash} for a student`);
  }
  await axe(pupil, 'a refused screen');
  await pupil.getByRole('button', { name: 'Sign out' }).click();
  await pupil.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await pupil.goto(`${BASE}/#/students`);
  await pupil.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();

  // The administrator adds a country to the network; adding it twice is refused.
  const admin = await person(b, 'administrator');
  await signIn(admin, 'admin', process.env.LFF_ADMIN_PASSWORD);
  await admin.getByRole('link', { name: 'My country' }).click();
  await admin.locator('#country-list li').first().waitFor();
  await admin.getByLabel('Country code').fill('ge');
  await admin.getByLabel('Name in English').fill('Georgia');
  await admin.getByLabel('Name in its own language').fill('საქართველო');
  await axe(admin, 'adding a country');
  await admin.locator('#add-country-submit').click();
  await admin.getByRole('heading', { level: 1, name: 'Georgia in the network' }).waitFor();
  await admin.goto(`${BASE}/#/country`);
  await admin.locator('#country-list', { hasText: 'Georgia' }).waitFor();
  await admin.getByLabel('Country code').fill('GE');
  await admin.getByLabel('Name in English').fill('Georgia');
  await admin.getByLabel('Name in its own language').fill('საქართველო');
  await admin.locator('#add-country-submit').click();
  await admin.locator('#add-country .status.error').waitFor();
});
