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
  // Also receives the worker's console messages (checked: an error logged in worker.js
  // fails this test).
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

test('the worker protocol: a newer run supersedes, cancel stops', async () => {
  const page = await browser.newPage();
  await page.goto(BASE_URL);
  const log = await page.evaluate(async () => {
    const worker = new Worker('./worker.js', { type: 'module' });
    const seen = [];
    const waitFor = (pred) =>
      new Promise((resolve) => {
        const check = () => {
          const hit = seen.find(pred);
          if (hit) resolve(hit);
          else setTimeout(check, 5);
        };
        check();
      });
    worker.onmessage = (e) => seen.push(e.data);
    const scenario = [
      'name = "protocol test"',
      '[[workloads]]', 'name = "inference"', 'base_gpus = 100',
      '[[providers]]', 'name = "cloud"', 'reserved_price = 2', 'on_demand_price = 3',
      '[[portfolios]]', 'name = "p"', 'contracts = [{ provider = "cloud", gpus = 110, term_weeks = 104 }]',
    ].join('\n');
    const big = { paths: 2_000_000 };
    worker.postMessage({ type: 'run', id: 1, scenario, format: 'toml', options: big });
    await waitFor((m) => m.type === 'progress' && m.id === 1);
    worker.postMessage({ type: 'run', id: 2, scenario, format: 'toml', options: { paths: 1500 } });
    await waitFor((m) => m.type === 'done' && m.id === 2);
    worker.postMessage({ type: 'run', id: 3, scenario, format: 'toml', options: big });
    await waitFor((m) => m.type === 'progress' && m.id === 3);
    worker.postMessage({ type: 'cancel', id: 3 });
    await new Promise((r) => setTimeout(r, 300));
    const count = (id) => seen.filter((m) => m.id === id && m.type === 'progress').length;
    const before = count(3);
    await new Promise((r) => setTimeout(r, 300));
    worker.postMessage({ type: 'run', id: 4, scenario: 'not json', options: {} });
    await waitFor((m) => m.type === 'error' && m.id === 4);
    worker.terminate();
    return {
      ready: seen.find((m) => m.type === 'ready'),
      total1: seen.find((m) => m.id === 1)?.total,
      done1: seen.some((m) => m.type === 'done' && m.id === 1),
      progress2: seen.filter((m) => m.id === 2 && m.type === 'progress').map((m) => m.done),
      done3: seen.some((m) => m.type === 'done' && m.id === 3),
      progress3: [before, count(3)],
      error4: seen.find((m) => m.type === 'error' && m.id === 4),
    };
  });
  assert.match(log.ready.engineVersion, /^\d+\.\d+\.\d+/);
  assert.ok(log.total1 > 1000, `run 1 has ${log.total1} chunks`);
  assert.equal(log.done1, false, 'superseded run 1 finished');
  assert.deepEqual(log.progress2, [1, 2, 3]);
  assert.equal(log.done3, false, 'cancelled run 3 finished');
  assert.equal(log.progress3[0], log.progress3[1], 'cancelled run 3 kept reporting progress');
  assert.ok(Array.isArray(log.error4.diagnostics) && log.error4.diagnostics.length > 0);
  assert.equal(typeof log.error4.diagnostics[0].message, 'string');
  await page.close();
});
