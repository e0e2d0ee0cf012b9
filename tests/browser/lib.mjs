// Shared by the browser scenarios: Debian's Chromium driven by
// playwright-core, one isolated browser context per person, every console
// error and failed page script collected (a scenario fails on any), the
// axe-core check, and a screenshot of every page when a scenario fails.

import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const BASE = process.env.LFF_URL || 'http://127.0.0.1:8080';
const SHOTS = process.env.LFF_SCREENSHOTS || path.resolve('screenshots');
const TIMEOUT = 15_000;

export async function browser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-quic', '--disable-sync'],
  });
}

const pages = [];
export const problems = [];

/** A new person: their own context (storage, session), English unless told. */
export async function person(b, name, { locale = 'en-GB', downloads } = {}) {
  const context = await b.newContext({ locale, acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(`${name}: console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${name}: page error: ${e.message}`));
  pages.push([name, page]);
  page.lffName = name;
  page.downloads = downloads;
  return page;
}

export async function signIn(page, login, password) {
  await page.goto(`${BASE}/#/signin`);
  await page.getByLabel(/E-mail or username|Эл. почта или логин/).fill(login);
  await page.getByLabel(/^(Password|Пароль)$/).fill(password);
  await page.locator('#signin-submit').click();
  await page.locator('#signout').waitFor();
  await page.locator('main:not([aria-busy]) h1:not(:text("Sign in"))').first().waitFor();
}

/** axe-core in the page: no serious or critical violation. */
export async function axe(page, screen) {
  // The screen must have arrived: not the previous one, dimmed while loading.
  await page.locator('main:not([aria-busy])').waitFor();
  await page.waitForLoadState('networkidle');
  // Evaluated through the DevTools protocol: the page's CSP (rightly)
  // refuses inline scripts, and the check must not weaken it.
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) throw new Error(`axe on ${screen}: ${JSON.stringify(bad, null, 1)}`);
  return result;
}

/** Runs a scenario; on failure keeps a screenshot of every page. */
export async function scenario(name, body) {
  const b = await browser();
  let failed = null;
  try {
    await body(b);
    if (problems.length) throw new Error(`problems in the pages:\n${problems.join('\n')}`);
  } catch (e) {
    failed = e;
    mkdirSync(SHOTS, { recursive: true });
    for (const [who, page] of pages) {
      const file = path.join(SHOTS, `${name}-${who}.png`);
      await page.screenshot({ path: file, fullPage: true }).catch(() => {});
      console.error(`screenshot: ${file} (${page.url()})`);
    }
  } finally {
    await b.close();
  }
  if (failed) {
    console.error(`${name}: FAILED\n${failed.stack || failed}`);
    process.exit(1);
  }
  console.log(`${name}: passed`);
}

/** A GraphQL call from the scenario itself, as an API client would make it (setting things up). */
export async function api(token, query, variables) {
  const res = await fetch(`${BASE}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

export function expect(cond, message) {
  if (!cond) throw new Error(message);
}
