// A visitor at the front door: what LFF is and what it is for, the
// fourteen countries, what the schools share with everyone and a search
// box; a school that is not in the network applies, gets a receipt that
// says what happens next, and its national coordinator is told at once,
// approves it from the notification and invites its contact as the
// school's coordinator; the new coordinator writes the visit card with two
// photos (ordered, described for those who cannot see them) and a
// presentation, makes it public, and the visitor sees it.

import { deflateSync } from 'node:zlib';
import { BASE, api, axe, expect, person, scenario, signIn } from './lib.mjs';

/** A one-colour PNG of w×h pixels. */
function png(w, h, [r, g, b]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const x of buf) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(w, 0);
  header.writeUInt32BE(h, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: w }, () => [r, g, b]).flat())]);
  const pixels = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels)), chunk('IEND', Buffer.alloc(0))]);
}
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

const PW = 'demo-password-2026';
const SCHOOL = 'Гюмрийская школа № 21';

await scenario('frontdoor', async (b) => {
  // A teacher has published a material for everyone.
  const { login } = await api(null, 'mutation($l: String!, $p: String!) { login(login: $l, password: $p) { token user { school { id } } } }',
    { l: 'teacher.yerevan12', p: PW });
  const made = await api(login.token, `mutation($i: CreateMaterialInput!) { createMaterial(input: $i) { id } }`, {
    i: {
      schoolId: login.user.school.id,
      material: { title: 'Water in our town', summary: 'Measuring the water we drink, with a plan for a week.', kind: 'LESSON_PLAN',
        languages: ['en'], pillars: ['LEARNING_TO_DO'], visibility: 'PUBLIC' },
    },
  });
  await api(login.token, 'mutation($id: ID!) { publishMaterial(id: $id) { id } }', { id: made.createMaterial.id });
  // A mentor has planned a session open to everyone.
  const mentor = (await api(null, 'mutation($l: String!, $p: String!) { login(login: $l, password: $p) { token } }',
    { l: 'mentor.tallinn', p: PW })).login.token;
  const start = new Date(Date.now() + 3 * 24 * 3600 * 1000);
  await api(mentor, 'mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }', {
    i: { kind: 'WEBINAR', title: 'Open webinar: schools that save water', startsAt: start.toISOString(),
      endsAt: new Date(start.getTime() + 3600 * 1000).toISOString(), timeZone: 'Europe/Tallinn',
      joinUrl: 'https://meet.example/open-webinar', audience: { kind: 'PUBLIC' } },
  });

  const visitor = await person(b, 'visitor');
  await visitor.goto(`${BASE}/`);
  await visitor.getByRole('heading', { level: 1, name: 'Learning For the Future' }).waitFor();
  await visitor.locator('#pillars li').nth(3).waitFor();
  const countries = visitor.locator('#front-countries > li');
  await countries.nth(13).waitFor();
  expect(await countries.count() === 14, 'the fourteen countries of the network');
  // A published material reaches the search index shortly after its
  // commit: the front door shows it once it is there.
  const materials = visitor.locator('#front-materials > li');
  for (let i = 0; i < 50 && !(await materials.count()); i += 1) {
    await visitor.reload();
    await visitor.locator('#front-countries > li').first().waitFor();
  }
  expect(await materials.count() > 0, 'the newest public materials are shown');
  expect((await materials.first().locator('h3').innerText()).trim() === 'Water in our town', 'the newest first');
  await axe(visitor, 'the front door');
  // Typing in the search box suggests what it may find.
  await visitor.getByLabel('Search the materials and good practices open to everyone').pressSequentially('water in', { delay: 30 });
  await visitor.locator('#front-suggestions').getByRole('link', { name: 'Water in our town' }).waitFor();
  await visitor.getByLabel('Search the materials and good practices open to everyone').fill('');
  // A material open to everyone opens without signing in.
  const title = (await materials.first().locator('h3').innerText()).trim();
  await materials.first().getByRole('link').click();
  await visitor.getByRole('heading', { level: 1, name: title }).waitFor();
  await visitor.goBack();
  // The coming public event, readable without an account; taking part needs one.
  await visitor.locator('#front-events').getByRole('link', { name: 'Open webinar: schools that save water' }).click();
  await visitor.getByRole('heading', { level: 1, name: 'Open webinar: schools that save water' }).waitFor();
  await visitor.locator('#signin-to-register').waitFor();
  expect(await visitor.getByText('meet.example').count() === 0, 'no call link for visitors');
  await axe(visitor, 'a public event, as a visitor');
  await visitor.goBack();
  // The search box leads to the search screen with the words given.
  await visitor.getByLabel('Search the materials and good practices open to everyone').fill('water');
  await visitor.getByRole('button', { name: 'Search', exact: true }).click();
  await visitor.locator('#q').waitFor();
  expect(await visitor.locator('#q').inputValue() === 'water', 'the search screen has the words');

  // Applying: a required language is asked for before anything is sent.
  await visitor.goto(`${BASE}/`);
  await visitor.locator('#apply-link').click();
  await visitor.getByRole('heading', { level: 1, name: 'Apply as a school' }).waitFor();
  await axe(visitor, 'the application form');
  await visitor.getByLabel('Country').selectOption('AM');
  // The country's own language is suggested; taken back, it is asked for.
  const armenian = visitor.locator('#apply-languages').getByLabel('Armenian');
  expect(await armenian.isChecked(), "the country's language is suggested");
  expect(await visitor.getByLabel("Language of the school's name").inputValue() === 'hy', 'and for the name');
  await armenian.uncheck();
  await visitor.getByLabel("Language of the school's name").selectOption('ru');
  await visitor.getByLabel("The school's name", { exact: true }).fill(SCHOOL);
  await visitor.getByLabel("The school's name in English (if it has one)").fill('Gyumri School No. 21');
  await visitor.getByLabel('City or town').fill('Gyumri');
  await visitor.getByLabel('Name', { exact: true }).fill('Anahit Grigoryan');
  await visitor.getByLabel('E-mail').fill('director@gyumri21.example');
  await visitor.locator('#apply-submit').click();
  await visitor.getByText('Choose at least one language of instruction.').waitFor();
  await armenian.check();
  await visitor.locator('#apply-languages').getByLabel('Russian').check();
  // A website that is not one is refused by the server, with its reason.
  await visitor.getByLabel('Website').fill('not a website');
  await visitor.getByLabel('Website').evaluate((el) => {
    el.type = 'text';
  });
  await visitor.locator('#apply-submit').click();
  await visitor.locator('#apply-form .status.error').waitFor();
  await visitor.getByLabel('Website').fill('https://gyumri21.example');
  await visitor.locator('#apply-submit').click();
  await visitor.getByRole('heading', { level: 1, name: 'Application received' }).waitFor();
  await visitor.getByText('The national coordinator of Armenia has been told').waitFor();
  await visitor.getByText('They answer at director@gyumri21.example').waitFor();
  const reference = (await visitor.locator('#apply-reference').innerText()).trim();
  expect(reference.length > 10, `a reference: ${reference}`);
  await axe(visitor, 'the application receipt');

  // The national coordinator of Armenia has been told, and approves it.
  const nc = await person(b, 'coordinator');
  await signIn(nc, 'nc.am', PW);
  const note = nc.locator('#notifications a', { hasText: `A school of your country applied to join: ${SCHOOL}` });
  await note.waitFor();
  await note.click();
  await nc.getByRole('heading', { level: 1, name: 'Schools waiting for approval' }).waitFor();
  const waiting = nc.locator(`#applications > li[data-school="${reference}"]`);
  await waiting.waitFor();
  await waiting.getByRole('button', { name: 'Approve' }).click();
  await nc.getByText(`${SCHOOL} is approved.`).waitFor();
  expect(await waiting.count() === 0, 'the approved school left the list');

  // The coordinator invites the applicant (the form holds the contact given).
  const invite = nc.locator(`.invite-coordinator[data-school="${reference}"]`);
  expect(await invite.getByLabel('Name').inputValue() === 'Anahit Grigoryan', 'the contact is offered');
  expect(await invite.getByLabel('E-mail').inputValue() === 'director@gyumri21.example', 'with their e-mail');
  await axe(nc, 'approved, inviting the coordinator');
  await invite.getByRole('button', { name: 'Invite as school coordinator' }).click();
  const link = await nc.locator(`#coordinator-link-${reference}`).inputValue();
  expect(link.includes('#/join?code='), `an invitation link: ${link}`);

  // Both acts are in the country's audit trail, which she narrows to approvals.
  await nc.locator('#nav a[data-nav="audit"]').click();
  await nc.getByRole('heading', { level: 1, name: 'Audit trail' }).waitFor();
  await nc.locator(`#audit-rows tr[data-action="approve_school"]`, { hasText: reference }).waitFor();
  await nc.locator('#audit-rows tr[data-action="invite_person"]').first().waitFor();
  await axe(nc, 'the audit trail');
  await nc.getByLabel('Kind of act').fill('approve school');
  await nc.getByLabel('Kind of act').press('Enter');
  await nc.waitForURL(/action=approve_school/);
  // The narrowed screen has replaced the whole trail.
  await nc.locator('main:not([aria-busy]) table.audit[data-action="approve_school"]').waitFor();
  await nc.locator('#audit-rows tr[data-action="approve_school"]').first().waitFor();
  expect(await nc.locator('#audit-rows tr:not([data-action="approve_school"])').count() === 0, 'only approvals are shown');

  // The new school coordinator joins and writes the visit card.
  const coord = await person(b, 'new-coordinator');
  await coord.goto(link);
  await coord.getByText('You are invited as School coordinator').waitFor();
  await coord.getByLabel('Username').fill('anahit.g');
  await coord.getByLabel('Password').fill('a-long-new-password');
  await coord.getByRole('button', { name: 'Create my account' }).click();
  await coord.getByRole('heading', { level: 1, name: 'Hello, Anahit Grigoryan' }).waitFor();
  await coord.goto(`${BASE}/#/schools/${reference}`);
  await coord.locator('#card-visibility', { hasText: 'visitors do not' }).waitFor();
  await coord.locator('#edit-card').click();
  await coord.getByRole('heading', { level: 1, name: `Visit card of ${SCHOOL}` }).waitFor();
  await axe(coord, 'the visit card editor');
  await coord.locator('#motto-ru').fill('Учимся вместе');
  await coord.locator('#description-ru').fill('Школа в Гюмри, где ученики изучают цифровой мир.');
  await coord.locator('#motto-en').fill('Learning together');
  await coord.locator('#description-en').fill('A school in Gyumri where pupils explore the digital world.');
  await coord.getByLabel('Show the card to visitors').check();
  await coord.locator('#card-save').click();
  await coord.locator('#card-texts .status', { hasText: 'Saved.' }).waitFor();
  // Two photos, each described; the second is moved first.
  for (const [name, colour, alt] of [['yard.png', [20, 120, 40], 'The school yard in spring'], ['class.png', [200, 60, 30], 'Pupils at their computers']]) {
    await coord.locator('#photo-file').setInputFiles({ name, mimeType: 'image/png', buffer: png(40, 30, colour) });
    await coord.locator('#photo-alt').fill(alt);
    await coord.locator('#photo-submit').click();
    await coord.locator(`#card-photos img[alt="${alt}"]`).waitFor();
  }
  await coord.getByRole('button', { name: 'Move earlier: Pupils at their computers' }).click();
  await coord.getByText('Moved to place 1.').waitFor();
  const order = await coord.locator('#card-photos img').evaluateAll((imgs) => imgs.map((i) => i.alt));
  expect(order.join('|') === 'Pupils at their computers|The school yard in spring', `the photos' order: ${order}`);
  await coord.locator('#presentation-file').setInputFiles({ name: 'gyumri21.pdf', mimeType: 'application/pdf', buffer: PDF });
  await coord.locator('#presentation-submit').click();
  await coord.getByText('Now: gyumri21.pdf').waitFor();
  await axe(coord, 'the visit card editor with photos');

  // The visitor finds the school in Armenia's list and sees its card.
  await visitor.goto(`${BASE}/#/directory/AM`);
  // The list names schools in the reader's language where the school gave one.
  await visitor.locator('#schools').getByRole('link', { name: 'Gyumri School No. 21' }).click();
  await visitor.getByRole('heading', { level: 1, name: SCHOOL }).waitFor();
  await visitor.getByText('Learning together').waitFor();
  // The reader's language leads; the school's Russian waits behind a disclosure.
  expect(await visitor.locator('.motto').first().getAttribute('lang') === 'en', 'the English motto first');
  await visitor.locator('.more-motto summary', { hasText: 'In 1 other language' }).click();
  await visitor.locator('.more-motto .motto[lang="ru"]', { hasText: 'Учимся вместе' }).waitFor();
  const seen = visitor.locator('.photos img');
  await seen.nth(1).waitFor();
  const alts = await seen.evaluateAll((imgs) => imgs.map((i) => i.alt));
  expect(alts.join('|') === 'Pupils at their computers|The school yard in spring', `the visitor sees the photos in order: ${alts}`);
  await visitor.waitForFunction(() => [...document.querySelectorAll('.photos img')].every((i) => i.complete && i.naturalWidth === 40));
  await visitor.getByRole('button', { name: 'Download the presentation (gyumri21.pdf)' }).waitFor();
  expect(await visitor.locator('#edit-card').count() === 0, 'a visitor cannot edit the card');
  await axe(visitor, 'a public visit card');
});
