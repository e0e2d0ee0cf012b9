// A teacher puts a material in the school's library — a folder, the
// material, a 3 MB file sent in pieces, one of which the network loses,
// and a second upload given up halfway that leaves nothing behind —
// publishes it, then edits it to give it a pillar of learning, a
// Sustainable Development Goal, ages and authors; a teacher of another
// country finds it by searching as they type and by that goal and pillar,
// opens it and downloads the very same bytes.

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { axe, expect, person, scenario, signIn } from './lib.mjs';

const PW = 'demo-password-2026';
const dir = mkdtempSync(path.join(tmpdir(), 'lff-materials-'));
const file = path.join(dir, 'rainwater-notes.txt');
const lines = [];
for (let i = 0; lines.join('\n').length < 3 * 1024 * 1024; i += 1) {
  lines.push(`${i}: collecting rainwater from the school roof, measuring it every morning and sharing it with our twins.`);
}
writeFileSync(file, lines.join('\n'));
const sha = createHash('sha256').update(readFileSync(file)).digest('hex');

await scenario('materials', async (b) => {
  const author = await person(b, 'author');
  await signIn(author, 'teacher.yerevan12', PW);
  await author.getByRole('link', { name: 'Library', exact: true }).click();
  await author.getByRole('heading', { level: 1, name: /^Library of / }).waitFor();
  await axe(author, 'a school library');
  await author.getByLabel('New folder').fill('Water');
  await author.getByRole('button', { name: 'Add folder' }).click();
  await author.locator('#folders').getByRole('link', { name: 'Water' }).click();
  await author.locator('.crumbs [aria-current="page"]', { hasText: 'Water' }).waitFor();
  author.once('dialog', (d) => d.accept('Water and rain'));
  await author.getByRole('button', { name: 'Rename this folder' }).click();
  await author.locator('.crumbs [aria-current="page"]', { hasText: 'Water and rain' }).waitFor();

  await author.getByText('Add a material').click();
  await author.getByLabel('Title').fill('Rainwater harvesting at school');
  await author.getByLabel('Summary').fill('How our pupils collect and measure rain on the school roof.');
  await author.getByLabel('Kind').selectOption('LESSON_PLAN');
  await author.getByLabel('Subjects').fill('geography, science');
  await author.getByRole('button', { name: 'Create the material' }).click();
  await author.getByRole('heading', { level: 1, name: 'Rainwater harvesting at school' }).waitFor();

  // The network loses the second piece once: the upload asks where it
  // stands and goes on.
  let cut = 0;
  await author.route('**/uploads/*', async (route) => {
    if (route.request().method() === 'PATCH' && route.request().headers()['upload-offset'] !== '0' && cut === 0) {
      cut += 1;
      await route.abort('connectionreset');
    } else {
      await route.continue();
    }
  });
  await author.getByLabel('Add files').setInputFiles(file);
  await author.locator('.upload-status[data-done="rainwater-notes.txt"]').waitFor({ timeout: 60_000 });
  expect(cut === 1, 'one piece was lost on the way');
  await author.locator('#files .file', { hasText: 'rainwater-notes.txt' }).waitFor();
  // An upload given up halfway leaves nothing behind: its first piece is
  // held on the way, the author cancels, and the server forgets the upload.
  await author.unroute('**/uploads/*');
  let release = null;
  const released = new Promise((r) => {
    release = r;
  });
  let held = 0;
  await author.route('**/uploads/*', async (route) => {
    if (route.request().method() !== 'PATCH') return route.continue();
    held += 1;
    await released;
    await route.abort('connectionreset').catch(() => {});
  });
  const draft = path.join(dir, 'draft-notes.txt');
  writeFileSync(draft, 'draft '.repeat(600_000));
  await author.getByLabel('Add files').setInputFiles(draft);
  await author.waitForFunction(() => [...document.querySelectorAll('.upload-status')].some((l) => /Sending draft-notes/.test(l.textContent)));
  await author.getByRole('button', { name: 'Cancel the upload' }).click();
  await author.locator('.upload-status[data-cancelled="draft-notes.txt"]').waitFor();
  release();
  expect(held >= 1, 'a piece was on its way');
  const kept = await author.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('lff.upload:')).length);
  expect(kept === 0, 'the browser keeps no upload to resume');
  await author.unroute('**/uploads/*');
  await author.reload();
  await author.locator('#files .file', { hasText: 'rainwater-notes.txt' }).waitFor();
  expect(await author.locator('#files .file', { hasText: 'draft-notes.txt' }).count() === 0, 'the cancelled file is not there');
  await author.getByRole('button', { name: 'Publish' }).click();
  await author.locator('#material-status', { hasText: 'Published' }).waitFor();
  await axe(author, 'a material');

  // Edited: what it serves, for whom and by whom.
  await author.locator('#edit-material').click();
  await author.getByRole('heading', { level: 1, name: 'Edit: Rainwater harvesting at school' }).waitFor();
  await axe(author, 'editing a material');
  expect(await author.locator('#material-title').inputValue() === 'Rainwater harvesting at school', 'the form holds the material');
  expect(await author.locator('#move-to option:checked').innerText() === '— Water and rain', 'it is in its folder');
  await author.locator('#material-pillars').getByLabel('Learning to know').check();
  await author.locator('#material-sdgs').getByLabel('6. Clean water and sanitation').check();
  await author.getByLabel('From age').fill('10');
  await author.getByLabel('To age').fill('14');
  await author.getByLabel('Authors').fill('Ani S., Aram K.');
  await author.locator('#save-material').click();
  await author.getByRole('heading', { level: 1, name: 'Rainwater harvesting at school' }).waitFor();
  await author.locator('#material-sdgs', { hasText: '6. Clean water and sanitation' }).waitFor();
  await author.getByText('Ani S., Aram K.').waitFor();
  await author.getByText('Learning to know').waitFor();
  // The folder, with the material in it, moves under a new one.
  await author.getByRole('link', { name: 'Library', exact: true }).click();
  await author.getByLabel('New folder').fill('Climate');
  await author.getByRole('button', { name: 'Add folder' }).click();
  // The library shows itself again with the new folder: only then is it the page to go on from.
  await author.locator('#folders').getByRole('link', { name: 'Climate' }).waitFor();
  await author.locator('#folders').getByRole('link', { name: 'Water and rain' }).click();
  await author.getByText('Move this folder').click();
  await author.locator('#move-folder-to option', { hasText: 'Climate' }).waitFor({ state: 'attached' });
  expect(await author.locator('#move-folder-to option', { hasText: 'Water and rain' }).count() === 0, 'not into itself');
  await author.locator('#move-folder-to').selectOption({ label: '— Climate' });
  await author.locator('#move-folder-submit').click();
  await author.locator('.crumbs', { hasText: 'Climate' }).locator('[aria-current="page"]', { hasText: 'Water and rain' }).waitFor();
  await author.locator('#materials, main', { hasText: 'Rainwater harvesting at school' }).first().waitFor();

  const reader = await person(b, 'reader');
  await signIn(reader, 'teacher.baku23', PW);
  await reader.getByRole('link', { name: 'Search', exact: true }).click();
  const box = reader.getByLabel(/^Search materials/);
  // The index follows within moments (the edit too); search again until it has.
  let hit = null;
  const goal = reader.locator('#facets input[data-facet="SDG"][value="6"]');
  for (let attempt = 0; attempt < 10 && !hit; attempt += 1) {
    await box.fill('');
    await box.pressSequentially('rainwater harv', { delay: 20 });
    const found = reader.locator('#results .hit[data-kind="material"]', { hasText: 'Rainwater harvesting at school' });
    try {
      await found.waitFor({ timeout: 2000 });
      await goal.waitFor({ timeout: 2000 });
      hit = found;
    } catch {
      /* not indexed yet */
    }
  }
  expect(hit, 'the material is found by searching as you type');
  expect(await hit.locator('mark').count() > 0, 'the matched words are marked');
  // Narrowing by a facet keeps the hit and puts the choice in the address.
  await reader.locator('#facets input[data-facet="KIND"][value="LESSON_PLAN"]').check();
  await reader.waitForURL(/kind=LESSON_PLAN/);
  await reader.locator('#facets input[data-facet="KIND"][value="LESSON_PLAN"]:checked').waitFor();
  await hit.waitFor();
  // The goal and the pillar it was given find it too.
  await goal.check();
  await reader.waitForURL(/sdg=6/);
  await reader.locator('#facets input[data-facet="PILLAR"][value="LEARNING_TO_KNOW"]').check();
  await reader.waitForURL(/pillar=LEARNING_TO_KNOW/);
  await reader.locator('#facets input[data-facet="PILLAR"][value="LEARNING_TO_KNOW"]:checked').waitFor();
  await hit.waitFor();
  await axe(reader, 'search with results');
  await hit.getByRole('link').click();
  await reader.getByRole('heading', { level: 1, name: 'Rainwater harvesting at school' }).waitFor();
  const [download] = await Promise.all([
    reader.waitForEvent('download'),
    reader.locator('#files .file', { hasText: 'rainwater-notes.txt' }).getByRole('button', { name: 'Download' }).first().click(),
  ]);
  expect(download.suggestedFilename() === 'rainwater-notes.txt', `the download keeps its name: ${download.suggestedFilename()}`);
  const saved = path.join(dir, 'downloaded.txt');
  await download.saveAs(saved);
  const got = createHash('sha256').update(readFileSync(saved)).digest('hex');
  expect(got === sha, `the downloaded bytes are the uploaded ones (${got} vs ${sha})`);
  await reader.locator('[data-downloaded="rainwater-notes.txt"]').waitFor();
  await axe(reader, 'a material (reader)');
});
