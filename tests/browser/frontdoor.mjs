// A visitor at the front door: what LFF is and what it is for, the
// fourteen countries, what the schools share with everyone and a search
// box; a school that is not in the network applies, gets a receipt that
// says what happens next, and its national coordinator is told at once and
// approves it from the notification.

import { BASE, axe, expect, person, scenario, signIn } from './lib.mjs';

const PW = 'demo-password-2026';
const SCHOOL = 'Гюмрийская школа № 21';

/** One GraphQL call as `token` (null: anonymous), failing on any error. */
async function api(token, query, variables = {}) {
  const res = await fetch(`${BASE}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

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
  // A material open to everyone opens without signing in.
  const title = (await materials.first().locator('h3').innerText()).trim();
  await materials.first().getByRole('link').click();
  await visitor.getByRole('heading', { level: 1, name: title }).waitFor();
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
});
