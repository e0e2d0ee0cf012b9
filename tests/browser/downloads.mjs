// A 200 MiB video in a material is downloaded by the browser's own
// download from a signed link — no `blob:`, no token in the page's hands
// — and arrives intact, while the browser's memory does not grow by the
// file's size; the material page plays the video from a signed link that
// the server answers with ranges.

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BASE, api, expect, person, scenario, signIn } from './lib.mjs';

const PW = 'demo-password-2026';
const SIZE = 200 * 1024 * 1024;
const dir = mkdtempSync(path.join(tmpdir(), 'lff-downloads-'));
const file = path.join(dir, 'school-garden.mp4');

// An MP4 box header, then 200 MiB of bytes: typed as video/mp4 from its bytes.
{
  const fd = openSync(file, 'w');
  const head = Buffer.from('00000018667479706d7034320000000069736f6d6d703432', 'hex');
  writeSync(fd, head);
  const chunk = randomBytes(1024 * 1024);
  let left = SIZE - head.length;
  for (let i = 0; left > 0; i += 1) {
    chunk.writeUInt32LE(i, 0);
    const n = Math.min(left, chunk.length);
    writeSync(fd, chunk, 0, n);
    left -= n;
  }
  closeSync(fd);
}

async function sha256Of(p) {
  const h = createHash('sha256');
  for await (const part of createReadStream(p)) h.update(part);
  return h.digest('hex');
}
const sha = await sha256Of(file);

/** Resident memory of every process of this browser, in bytes. */
async function browserMemory(b) {
  const cdp = await b.newBrowserCDPSession();
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
  await cdp.detach();
  let total = 0;
  for (const p of processInfo) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.id}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      /* gone */
    }
  }
  return total;
}

// The author puts the video in a material for the network, through the
// resumable upload an API client would use.
const author = (await api(null, 'mutation($l: String!, $p: String!) { login(login: $l, password: $p) { token user { school { id } } } }',
  { l: 'teacher.yerevan12', p: PW })).login;
const material = (await api(author.token, 'mutation($i: CreateMaterialInput!) { createMaterial(input: $i) { id } }', {
  i: { schoolId: author.user.school.id, material: { title: 'Our school garden on film', kind: 'VIDEO', languages: ['hy'], visibility: 'NETWORK' } },
})).createMaterial.id;
const up = (await api(author.token, 'mutation($i: StartUploadInput!) { startUpload(input: $i) { id url } }',
  { i: { materialId: material, name: 'school-garden.mp4', size: SIZE, sha256: sha } })).startUpload;
const sent = await fetch(`${BASE}${up.url}`, {
  method: 'PATCH',
  headers: { authorization: `Bearer ${author.token}`, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
  body: createReadStream(file),
  duplex: 'half',
});
expect(sent.status === 204, `the bytes arrive: HTTP ${sent.status}`);
const version = (await api(author.token, 'mutation($id: ID!) { finishUpload(id: $id) { contentType sha256 } }', { id: up.id })).finishUpload;
expect(version.contentType === 'video/mp4' && version.sha256 === sha, `the upload is finished: ${JSON.stringify(version)}`);
await api(author.token, 'mutation($id: ID!) { publishMaterial(id: $id) { status } }', { id: material });

await scenario('downloads', async (b) => {
  const reader = await person(b, 'reader');
  // A blob URL would mean the file passed through the page.
  await reader.addInitScript(() => {
    const made = URL.createObjectURL;
    URL.createObjectURL = (x) => {
      window.lffBlobs = (window.lffBlobs || 0) + 1;
      return made(x);
    };
  });
  await signIn(reader, 'teacher.baku23', PW);
  await reader.goto(`${BASE}/#/materials/${material}`);
  await reader.getByRole('heading', { level: 1, name: 'Our school garden on film' }).waitFor();

  // The player plays from a signed link, which the server answers with ranges and without a token.
  const video = reader.locator('#files video');
  await video.waitFor();
  const src = await video.evaluate((v) => new Promise((resolve) => {
    if (v.currentSrc) resolve(v.currentSrc);
    else v.addEventListener('loadstart', () => resolve(v.currentSrc), { once: true });
  }));
  expect(/\/downloads\/[0-9a-f]+\?link=/.test(src), `the player uses a signed link: ${src}`);
  const part = await fetch(src, { headers: { range: 'bytes=0-1023' } });
  expect(part.status === 206 && (await part.arrayBuffer()).byteLength === 1024, `ranges for the player: HTTP ${part.status}`);
  expect((await fetch(src.replace(/link=[^&]+/, 'link=forged'))).status === 401, 'a forged link opens nothing');

  const before = await browserMemory(b);
  const [download] = await Promise.all([
    reader.waitForEvent('download'),
    reader.locator('#files .file', { hasText: 'school-garden.mp4' }).getByRole('button', { name: 'Download' }).first().click(),
  ]);
  expect(!download.url().startsWith('blob:'), `the browser downloads from the server: ${download.url()}`);
  expect(/\/downloads\/[0-9a-f]+\?link=.+&download=1$/.test(download.url()), `from a signed link: ${download.url()}`);
  expect(download.suggestedFilename() === 'school-garden.mp4', `the download keeps its name: ${download.suggestedFilename()}`);
  const saved = await download.path();
  expect(!(await download.failure()), 'the download completes');
  const after = await browserMemory(b);
  const got = await sha256Of(saved);
  expect(got === sha, `the downloaded bytes are the uploaded ones (${got} vs ${sha})`);
  const grew = after - before;
  console.log(`browser memory: ${(before / 2 ** 20).toFixed(0)} MiB before, ${(after / 2 ** 20).toFixed(0)} MiB after a ${SIZE / 2 ** 20} MiB download`);
  expect(grew < SIZE / 4, `the browser's memory does not grow by the file's size: +${(grew / 2 ** 20).toFixed(0)} MiB`);
  expect(!(await reader.evaluate(() => window.lffBlobs || 0)), 'no blob: URL was made');
  await reader.locator('[data-downloaded="school-garden.mp4"]').waitFor();
});
rmSync(dir, { recursive: true, force: true });
