// The first screen over an emulated 3G link (300 ms round trip, 750 kbit/s
// down, 250 kbit/s up): bytes transferred and the time until the front
// door shows the countries and the way to apply, cold and with the
// browser's cache, median of N runs.
// Usage (a server on LFF_URL, after `npm ci` in tests/browser):
//   node bench/first-screen.mjs [runs]
import { browser, BASE } from '../tests/browser/lib.mjs';

const runs = Number(process.argv[2] || 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const b = await browser();
const cold = [];
const warm = [];
const bytes = [];
for (let i = 0; i < runs; i += 1) {
  const context = await b.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 300, downloadThroughput: (750 * 1024) / 8, uploadThroughput: (250 * 1024) / 8,
  });
  let sum = 0;
  cdp.on('Network.loadingFinished', (e) => { sum += e.encodedDataLength; });
  for (const list of [cold, warm]) {
    const start = Date.now();
    if (list === cold) await page.goto(`${BASE}/`);
    else await page.reload();
    await page.locator('#front-countries > li').first().waitFor();
    await page.locator('#apply-link').waitFor();
    list.push(Date.now() - start);
    if (list === cold) {
      await page.waitForLoadState('networkidle');
      bytes.push(sum);
    }
  }
  await context.close();
}
await b.close();
console.log(`runs ${runs}: bytes ${median(bytes)}, usable cold ${median(cold)} ms (${cold.join(' ')}), warm ${median(warm)} ms (${warm.join(' ')})`);
