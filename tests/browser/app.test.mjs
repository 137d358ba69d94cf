// End-to-end test of the built app: loads it in headless Chromium (via playwright-core
// and the system browser, so nothing is downloaded), waits for the engine worker to
// finish the sample run and checks the result. BASE_URL points at a server for dist/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:8080/';
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), 'out');

let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
});

test('the sample scenario runs in the worker and shows a digest', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  const origin = new URL(BASE_URL).origin;
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.protocol !== 'data:' && url.protocol !== 'blob:' && url.origin !== origin) {
      problems.push(`request outside the page's origin: ${req.url()}`);
    }
  });
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()}`));
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });

  await page.goto(BASE_URL);
  const results = page.locator('[data-testid=results]');
  await results.and(page.locator('[data-state=done], [data-state=error]')).waitFor({ timeout: 60_000 });

  mkdirSync(OUT_DIR, { recursive: true });
  await page.screenshot({ path: join(OUT_DIR, 'dashboard.png'), fullPage: true });

  assert.equal(await results.getAttribute('data-state'), 'done', await results.innerText());
  const digest = await results.getAttribute('data-digest');
  assert.ok(digest && digest.length > 0, 'data-digest is empty');
  assert.deepEqual(problems, []);
  await page.close();
});
