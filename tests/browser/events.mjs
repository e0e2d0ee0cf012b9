// A mentoring session, live: a mentor plans a session for the whole
// network starting in half an hour; a teacher registers for it; the mentor
// starts it; in the live room the teacher's question, vote and
// raised hand reach the mentor, the mentor's poll and chat reach the
// teacher, and the teacher's vote is counted on both sides; the mentor
// ends it, records its minutes, recording and a material, and downloads
// the attendance as CSV.

import { readFileSync } from 'node:fs';
import { api, axe, expect, person, scenario, signIn } from './lib.mjs';

const PW = 'demo-password-2026';
const TITLE = 'Where does this photo come from?';

// A teacher has a checklist the session will end with, published for the network.
const author = (await api(null, 'mutation($l: String!, $p: String!) { login(login: $l, password: $p) { token user { school { id } } } }',
  { l: 'teacher.yerevan12', p: PW })).login;
const checklist = (await api(author.token, 'mutation($i: CreateMaterialInput!) { createMaterial(input: $i) { id } }', {
  i: { schoolId: author.user.school.id, material: { title: 'Checklist: where does a photo come from', kind: 'WORKSHEET', languages: ['en'], visibility: 'NETWORK' } },
})).createMaterial.id;
await api(author.token, 'mutation($id: ID!) { publishMaterial(id: $id) { id } }', { id: checklist });

await scenario('events', async (b) => {
  const mentor = await person(b, 'mentor');
  await signIn(mentor, 'mentor.tallinn', PW);
  await mentor.getByRole('link', { name: 'Events', exact: true }).click();
  await mentor.getByRole('link', { name: 'Plan an event' }).click();
  await mentor.getByLabel('Title').fill(TITLE);
  await mentor.getByLabel('Description').fill('Bring a photo you saw online this week.');
  const soon = await mentor.evaluate(() => {
    const d = new Date(Date.now() + 30 * 60_000);
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  });
  await mentor.getByLabel('Starts at (your time)').fill(soon);
  await mentor.getByLabel('Join link').fill('https://meet.example/photo-session');
  await mentor.getByLabel('Seats').fill('30');
  await axe(mentor, 'planning an event');
  await mentor.getByRole('button', { name: 'Plan the event' }).click();
  await mentor.getByRole('heading', { level: 1, name: TITLE }).waitFor();

  const teacher = await person(b, 'teacher');
  await signIn(teacher, 'teacher.yerevan12', PW);
  await teacher.getByRole('link', { name: 'Events', exact: true }).click();
  await axe(teacher, 'events');
  await teacher.getByRole('link', { name: TITLE }).click();
  await teacher.getByRole('button', { name: 'Register', exact: true }).click();
  await teacher.locator('#my-registration', { hasText: 'Registered' }).waitFor();
  await axe(teacher, 'an event');

  // The mentor gives it an agenda and narrows it to two countries' schools;
  // the registered teacher is told.
  await mentor.locator('#edit-event').click();
  await mentor.getByRole('heading', { level: 1, name: `Change: ${TITLE}` }).waitFor();
  const later = await mentor.evaluate(() => {
    const d = new Date(Date.now() + 45 * 60_000);
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  });
  for (const [at, what, who] of [[soon, 'Photos we brought', ''], [later, 'Checking a source together', 'Kadri Tamm']]) {
    await mentor.getByRole('button', { name: 'Add an agenda item' }).click();
    const item = mentor.locator('#agenda-items .agenda-item').last();
    await item.getByLabel('When').fill(at);
    await item.getByLabel('What').fill(what);
    if (who) await item.getByLabel('Who speaks (optional)').fill(who);
  }
  await mentor.getByLabel('For whom').selectOption('COUNTRIES');
  await mentor.locator('#event-countries').getByLabel('Armenia').check();
  await mentor.locator('#event-countries').getByLabel('Estonia').check();
  await axe(mentor, 'changing an event');
  await mentor.getByRole('button', { name: 'Save the changes' }).click();
  await mentor.getByRole('heading', { level: 1, name: TITLE }).waitFor();
  await mentor.getByText('Checking a source together — Kadri Tamm').waitFor();
  await teacher.locator('#notifications a, .toast', { hasText: `An event changed: ${TITLE}` }).first().waitFor();
  await teacher.reload();
  await teacher.getByText('Photos we brought').waitFor();

  await mentor.getByRole('button', { name: 'Start the live session' }).click();
  await mentor.getByRole('button', { name: 'End the live session' }).waitFor();
  await mentor.getByRole('link', { name: 'Enter the live room' }).click();
  await mentor.locator('#live-state', { hasText: 'The session is live.' }).waitFor();

  // The teacher was told it is live, and goes in.
  await teacher.locator('.toast', { hasText: 'Live now' }).waitFor();
  await teacher.reload();
  await teacher.getByRole('link', { name: 'Enter the live room' }).click();
  await teacher.locator('#live-state', { hasText: 'The session is live.' }).waitFor();
  await mentor.locator('#present', { hasText: 'Արմեն' }).waitFor();

  await teacher.getByLabel('Your question').fill('How do we check where a photo comes from?');
  await teacher.getByRole('button', { name: 'Ask', exact: true }).click();
  const question = mentor.locator('#questions .question', { hasText: 'where a photo comes from' });
  await question.waitFor();
  await teacher.locator('#questions .question', { hasText: 'where a photo comes from' })
    .getByRole('button', { name: /Vote for this question/ }).click();
  await question.locator('.votes', { hasText: '1' }).waitFor();
  await question.getByRole('button', { name: 'Pin' }).click();
  await teacher.locator('#questions .question.pinned', { hasText: 'where a photo comes from' }).waitFor();

  await teacher.getByRole('button', { name: 'Raise my hand' }).click();
  await mentor.locator('#hands', { hasText: 'Արմեն' }).waitFor();

  await mentor.getByText('Open a poll').click();
  await mentor.getByLabel('Question', { exact: true }).fill('Have you checked a photo this week?');
  await mentor.getByLabel('Choices', { exact: true }).fill('Yes\nNo');
  await mentor.getByRole('button', { name: 'Open the poll' }).click();
  const poll = teacher.locator('#polls .poll', { hasText: 'Have you checked a photo this week?' });
  await poll.getByLabel('Yes').check();
  await poll.getByRole('button', { name: 'Vote' }).click();
  await mentor.locator('#polls .poll', { hasText: 'Have you checked a photo' }).getByText('1 person voted').waitFor();

  await mentor.getByLabel('Say something').fill('Welcome, everyone!');
  await mentor.getByLabel('Say something').press('Enter');
  await teacher.locator('#live-chat .message', { hasText: 'Welcome, everyone!' }).waitFor();
  await axe(teacher, 'the live room (participant)');
  await axe(mentor, 'the live room (mentor)');
  expect(await teacher.locator('#live-chat .message').count() === 1, 'the chat message arrived once');

  // The teacher writes something the mentor takes out of the room: it
  // leaves both screens, and participants get no button to do the same.
  await teacher.getByLabel('Say something').fill('an unkind remark');
  await teacher.getByLabel('Say something').press('Enter');
  const remark = mentor.locator('#live-chat .message', { hasText: 'an unkind remark' });
  await remark.waitFor();
  expect(await teacher.locator('#live-chat .hide-live-message').count() === 0, 'participants cannot hide messages');
  await remark.getByRole('button', { name: /Hide the message/ }).click();
  await remark.waitFor({ state: 'detached' });
  await teacher.locator('#live-chat .message', { hasText: 'an unkind remark' }).waitFor({ state: 'detached' });

  // The mentor ends it, records what came of it and takes the attendance
  // home as a spreadsheet; the teacher reads the outcome.
  const eventUrl = mentor.url().replace(/\/live$/, '');
  await mentor.goto(eventUrl);
  await mentor.locator('#end-live').click();
  await mentor.locator('#start-live, #end-live').first().waitFor({ state: 'detached' });
  await mentor.getByText('Record the outcome').click();
  await mentor.getByLabel('Minutes').fill('We traced **three** photos to their source.');
  await mentor.getByLabel('Link to the recording').fill('https://video.example/photo-session');
  // The checklist is attached: found by searching (once the index has it).
  const attach = mentor.getByRole('button', { name: 'Attach: Checklist: where does a photo come from' });
  for (let i = 0; i < 10 && !(await attach.count()); i += 1) {
    await mentor.locator('#outcome-find').fill('');
    await mentor.locator('#outcome-find').pressSequentially('photo checklist', { delay: 10 });
    await attach.waitFor({ timeout: 2000 }).catch(() => {});
  }
  await attach.click();
  await mentor.locator(`#outcome-materials li[data-material="${checklist}"]`).waitFor();
  await mentor.locator('#save-outcome').click();
  await mentor.getByRole('heading', { name: 'Outcome' }).waitFor();
  await mentor.getByRole('button', { name: 'Show attendance' }).click();
  const [sheet] = await Promise.all([
    mentor.waitForEvent('download'),
    mentor.locator('#attendance-csv').click(),
  ]);
  expect(sheet.suggestedFilename().endsWith('.csv'), `a CSV file: ${sheet.suggestedFilename()}`);
  const rows = readFileSync(await sheet.path(), 'utf8').trim().split(/\r?\n/);
  expect(rows.length >= 2 && rows.some((r) => r.includes('Արմեն')), `the teacher's attendance is in it: ${rows.join(' / ')}`);
  await axe(mentor, 'an event with its outcome');
  await teacher.goto(eventUrl);
  await teacher.locator('.prose strong', { hasText: 'three' }).waitFor();
  await teacher.getByRole('link', { name: 'The recording' }).waitFor();
  await teacher.getByRole('link', { name: 'Checklist: where does a photo come from' }).waitFor();
});
