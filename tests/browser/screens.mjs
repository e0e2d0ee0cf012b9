// Every other screen passes the accessibility check; the portal works
// from the keyboard alone, in Russian as in English (the choice is
// remembered), and its first screen is small enough for a slow school
// connection — measured over an emulated 3G link, with a second visit
// served from the browser's cache.

import { BASE, axe, expect, person, scenario, signIn } from './lib.mjs';

const PW = 'demo-password-2026';

await scenario('screens', async (b) => {
  // The first screen over 3G: what it costs, and that it works.
  const first = await person(b, 'slow');
  const cdp = await first.context().newCDPSession(first);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 300, downloadThroughput: (750 * 1024) / 8, uploadThroughput: (250 * 1024) / 8,
  });
  let bytes = 0;
  cdp.on('Network.loadingFinished', (e) => {
    bytes += e.encodedDataLength;
  });
  await first.goto(`${BASE}/`);
  await first.getByRole('heading', { level: 1, name: 'Learning For the Future' }).waitFor();
  await first.waitForLoadState('networkidle');
  console.log(`first screen: ${bytes} bytes transferred`);
  expect(bytes > 0 && bytes <= 150 * 1024, `the first screen transfers at most 150 KB: ${bytes}`);
  await axe(first, 'the front door');
  // A second visit: every file is asked for again with its ETag and
  // answered 304, without its body.
  let again = 0;
  cdp.on('Network.loadingFinished', (e) => {
    again += e.encodedDataLength;
  });
  await first.reload();
  await first.getByRole('heading', { level: 1, name: 'Learning For the Future' }).waitFor();
  await first.waitForLoadState('networkidle');
  console.log(`second visit: ${again} bytes transferred`);
  expect(again * 4 < bytes, `a second visit costs a fraction of the first: ${again} of ${bytes} bytes`);

  // The keyboard alone: sign in, reach a screen from the menu.
  const keys = await person(b, 'keyboard');
  await keys.goto(`${BASE}/#/signin`);
  await keys.locator('#login:focus').waitFor();
  await keys.keyboard.type('teacher.gyumri3');
  await keys.keyboard.press('Tab');
  await keys.keyboard.type(PW);
  await keys.keyboard.press('Enter');
  await keys.getByRole('heading', { level: 1, name: /^Hello,/ }).waitFor();
  await keys.locator('#signout').waitFor();
  // From the top of the page, Tab reaches "Skip to content" first, then the menu.
  await keys.locator('main h1:focus').waitFor();
  await keys.keyboard.press('Shift+Tab');
  let reached = null;
  await keys.locator('body').press('Home');
  await keys.evaluate(() => document.activeElement.blur());
  for (let i = 0; i < 12 && !reached; i += 1) {
    await keys.keyboard.press('Tab');
    const text = await keys.evaluate(() => document.activeElement?.textContent?.trim());
    if (text === 'Search') reached = text;
  }
  expect(reached === 'Search', 'Tab reaches the menu');
  const ring = await keys.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  expect(ring !== 'none', `the focused link shows a focus ring: ${ring}`);
  await keys.keyboard.press('Enter');
  await keys.locator('#q:focus').waitFor();
  await keys.keyboard.type('water');
  await keys.locator('#search-count', { hasText: /result|Nothing found/ }).waitFor();

  // Every remaining screen, signed in as a teacher.
  const t = await person(b, 'teacher');
  await signIn(t, 'teacher.yerevan12', PW);
  await axe(t, 'home');
  for (const [hash, heading] of [
    ['#/directory', 'Schools of the network'],
    ['#/directory/AM', 'Armenia'],
    ['#/spaces/new', 'New twinning space'],
    ['#/search?q=water', 'Search'],
    ['#/events', 'Events'],
    ['#/welcome', 'Learning For the Future'],
    ['#/apply', 'Apply as a school'],
    ['#/account', 'My account'],
    ['#/mentors', 'UNESCO Chair mentors'],
    ['#/nowhere', 'There is no such page'],
  ]) {
    await t.goto(`${BASE}/${hash}`);
    await t.getByRole('heading', { level: 1, name: heading }).waitFor();
    await axe(t, hash);
  }
  // A mentor's page, from the directory of mentors.
  await t.goto(`${BASE}/#/mentors`);
  await t.locator('#mentor-list a').first().click();
  await t.locator('#person-facts dt', { hasText: 'UNESCO Chair' }).waitFor();
  await axe(t, "a mentor's page");
  await t.goto(`${BASE}/#/directory/AM`);
  await t.locator('#schools a').first().click();
  await t.getByRole('heading', { name: 'Visit card' }).waitFor();
  await axe(t, 'a visit card');

  // Russian: chosen once, kept on the next visit, every screen in it.
  await t.getByLabel('Language').selectOption('ru');
  await t.waitForLoadState('load');
  await t.getByRole('button', { name: 'Выйти' }).waitFor();
  expect(await t.evaluate(() => document.documentElement.lang) === 'ru', 'the page says it is in Russian');
  await t.goto(`${BASE}/#/events`);
  await t.getByRole('heading', { level: 1, name: 'Мероприятия' }).waitFor();
  await axe(t, 'events in Russian');
  await t.goto(`${BASE}/#/`);
  await t.reload();
  await t.getByRole('link', { name: 'Поиск', exact: true }).waitFor();
  await axe(t, 'home in Russian');

  // The national coordinator's screens, in Russian and by keyboard.
  const nc = await person(b, 'coordinator-ru', { locale: 'ru-RU' });
  await signIn(nc, 'nc.am', PW);
  for (const [hash, heading] of [
    ['#/audit', 'Журнал действий'],
    ['#/country', /в сети$/],
    ['#/approvals', 'Школы, ожидающие одобрения'],
    ['#/events/new', 'Планирование мероприятия'],
  ]) {
    await nc.goto(`${BASE}/${hash}`);
    await nc.getByRole('heading', { level: 1, name: heading }).waitFor();
    await axe(nc, `${hash} in Russian`);
  }
  // The register form opens and fills from the keyboard.
  await nc.goto(`${BASE}/#/country`);
  await nc.locator('#register summary').focus();
  await nc.keyboard.press('Enter');
  await nc.locator('#register-name:visible').waitFor();
  await nc.locator('#register-name').focus();
  await nc.keyboard.type('Школа');
  await nc.keyboard.press('Tab');
  expect(await nc.evaluate(() => document.activeElement.id) === 'register-name-en', 'Tab moves through the form');
  await axe(nc, 'registering a school in Russian');
});
