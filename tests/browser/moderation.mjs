// A pupil reports a classmate's unkind message in a twinning space; the
// teacher sees the waiting report on the space, opens the queue, hides the
// message with a note, and the pupil is told the outcome with that note;
// the hidden message no longer shows to pupils. A second report is left
// as it was, and the queue keeps both with what was decided.

import { BASE, api, axe, expect, person, scenario, signIn } from './lib.mjs';

const PW = 'demo-password-2026';
const PUPIL = 'pupil-2026';

// Set up as an API client would: a space of the Yerevan school with two pupils in it.
const teacher = (await api(null, 'mutation($l: String!, $p: String!) { login(login: $l, password: $p) { token } }',
  { l: 'teacher.yerevan12', p: PW })).login.token;
const space = (await api(teacher, 'mutation { createSpace(input: { title: "Kind words", topic: "Friendship", languages: ["en"] }) { id channels { id name } } }')).createSpace;
const general = space.channels.find((c) => c.name === 'general').id;
const pupils = {};
for (const login of ['yerevan12.p01', 'yerevan12.p02']) {
  const s = (await api(null, 'mutation($l: String!, $p: String!) { login(login: $l, password: $p) { token user { id } } }', { l: login, p: PUPIL })).login;
  pupils[login] = s;
}
await api(teacher, 'mutation($s: ID!, $u: [ID!]!) { addSpaceStudents(spaceId: $s, studentIds: $u) { id } }',
  { s: space.id, u: Object.values(pupils).map((p) => p.user.id) });
for (const body of ['You draw like a baby', 'My drawing of the river']) {
  await api(pupils['yerevan12.p02'].token, 'mutation($c: ID!, $b: String!) { postMessage(channelId: $c, body: $b) { id } }', { c: general, b: body });
}

await scenario('moderation', async (b) => {
  const pupil = await person(b, 'pupil');
  await signIn(pupil, 'yerevan12.p01', PUPIL);
  await pupil.goto(`${BASE}/#/spaces/${space.id}`);
  const unkind = pupil.locator('#messages .message', { hasText: 'You draw like a baby' });
  await unkind.waitFor();
  // Each report is sent when the server has answered it.
  const report = async (message, reason) => {
    pupil.once('dialog', (d) => d.accept(reason));
    const [res] = await Promise.all([
      pupil.waitForResponse((r) => r.url().endsWith('/graphql') && (r.request().postData() || '').includes('reportMessage')),
      message.getByRole('button', { name: 'Report' }).click(),
    ]);
    expect(res.ok(), `the report is taken: HTTP ${res.status()}`);
  };
  await report(unkind, 'It is unkind to my friend');
  await pupil.getByText('Thank you. The teachers will look at it.').waitFor();
  await report(pupil.locator('#messages .message', { hasText: 'My drawing of the river' }), 'I do not like rivers');
  expect(await pupil.locator('#space-reports').count() === 0, 'pupils have no queue');

  const t = await person(b, 'teacher');
  await signIn(t, 'teacher.yerevan12', PW);
  await t.goto(`${BASE}/#/spaces/${space.id}`);
  await t.locator('#reports-badge', { hasText: '2' }).waitFor();
  await t.locator('#space-reports').click();
  await t.getByRole('heading', { level: 1, name: 'Reported messages — Kind words' }).waitFor();
  await t.locator('#open-count', { hasText: '2 reports wait for a decision.' }).waitFor();
  await axe(t, 'the moderation queue');
  const first = t.locator('#reports .report', { hasText: 'You draw like a baby' });
  await first.getByText('It is unkind to my friend').waitFor();
  await first.getByLabel('A note for whoever reported it (optional)').fill('Thank you for telling us. We will talk about it in class.');
  await first.getByRole('button', { name: 'Hide the message' }).click();
  await t.locator('#reports .report[data-status="MESSAGE_HIDDEN"]', { hasText: 'You draw like a baby' }).waitFor();
  await t.locator('#open-count', { hasText: '1 report waits for a decision.' }).waitFor();
  // The other one is left as it was, by keyboard.
  const second = t.locator('#reports .report[data-status="OPEN"]', { hasText: 'My drawing of the river' });
  await second.getByRole('button', { name: 'Leave it' }).focus();
  await t.keyboard.press('Enter');
  await t.locator('#reports .report[data-status="DISMISSED"]').waitFor();
  await t.locator('#open-count', { hasText: 'Nothing waits for a decision.' }).waitFor();
  // Handled reports stay listed, with what was decided.
  await t.locator('#reports-show').selectOption('ALL');
  await t.waitForURL(/show=ALL/);
  await t.locator('#reports .report[data-status="MESSAGE_HIDDEN"]').getByText('Note: Thank you for telling us.', { exact: false }).waitFor();
  await t.locator('#reports .report[data-status="DISMISSED"]').waitFor();
  await axe(t, 'handled reports');

  // The pupil is told, with the teacher's note, and no longer sees the message.
  await pupil.goto(`${BASE}/#/`);
  await pupil.locator('#notifications a', { hasText: 'A teacher hid the message you reported. Thank you for telling us.' }).waitFor();
  await pupil.locator('#notifications a', { hasText: 'A teacher looked at the message you reported and left it.' }).waitFor();
  await pupil.goto(`${BASE}/#/spaces/${space.id}`);
  await pupil.locator('#messages .message', { hasText: 'My drawing of the river' }).waitFor();
  expect(await pupil.locator('#messages .message', { hasText: 'You draw like a baby' }).count() === 0, 'the hidden message is gone for pupils');

  // In Russian, the queue speaks Russian.
  const ru = await person(b, 'teacher-ru', { locale: 'ru-RU' });
  await signIn(ru, 'teacher.yerevan12', PW);
  await ru.goto(`${BASE}/#/spaces/${space.id}/reports?show=ALL`);
  await ru.getByRole('heading', { level: 1, name: 'Жалобы на сообщения — Kind words' }).waitFor();
  await ru.locator('#reports .report[data-status="MESSAGE_HIDDEN"] .outcome', { hasText: 'Сообщение скрыто' }).waitFor();
  await axe(ru, 'the moderation queue in Russian');
});
