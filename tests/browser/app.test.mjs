// End-to-end tests of the built app in headless Chromium (via playwright-core and the system
// browser, so nothing is downloaded). BASE_URL points at a server for dist/.
//
// Digests: every library scenario must give, in the browser, the same digest as the native
// CLI (`headroom run FILE --format json`). The CLI digests are computed here (release build,
// ~0.1-3 s per file), or read from DIGESTS_JSON (a {"file.toml": "digest"} map) when set.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:8080/';
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const OUT_DIR = join(HERE, 'out');
const RUN_TIMEOUT = 120_000;

let browser;
let cliDigests;

function computeCliDigests() {
  if (process.env.DIGESTS_JSON) return JSON.parse(readFileSync(process.env.DIGESTS_JSON, 'utf8'));
  const files = readdirSync(join(ROOT, 'scenarios')).filter((f) => f.endsWith('.toml')).sort();
  const out = {};
  for (const file of files) {
    const json = execFileSync(
      'cargo',
      ['run', '-q', '--release', '-p', 'cli', '--', 'run', join('scenarios', file), '--format', 'json'],
      { cwd: ROOT, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
    );
    out[file] = JSON.parse(json).digest;
  }
  return out;
}

before(async () => {
  cliDigests = computeCliDigests();
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

/** A page that records console errors, page errors, failed and off-origin requests. */
async function openPage(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true, ...options });
  const page = await context.newPage();
  const problems = [];
  // Also receives the worker's console messages.
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
  page.on('requestfailed', (req) => {
    // Downloads through a temporary <a download> of a blob: URL are reported as aborted.
    if (!req.url().startsWith('blob:')) problems.push(`request failed: ${req.url()}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return { page, context, problems };
}

const results = (page) => page.locator('[data-testid=results]');

/** Waits until the results are `done` and (optionally) carry `digest` / differ from `notDigest`. */
async function waitDone(page, { digest, notDigest } = {}) {
  await page.waitForFunction(
    ({ digest, notDigest }) => {
      const el = document.querySelector('[data-testid=results]');
      if (!el) return false;
      const state = el.getAttribute('data-state');
      const d = el.getAttribute('data-digest');
      if (state === 'error') return true;
      if (state !== 'done') return false;
      if (digest && d !== digest) return false;
      if (notDigest && d === notDigest) return false;
      return true;
    },
    { digest, notDigest },
    { timeout: RUN_TIMEOUT, polling: 50 },
  );
  const el = results(page);
  assert.equal(await el.getAttribute('data-state'), 'done', await el.innerText());
  return el.getAttribute('data-digest');
}

test('the dashboard renders with no console errors and no outside requests', async () => {
  const { page, context, problems } = await openPage();
  await page.goto(BASE_URL);
  const digest = await waitDone(page, { digest: cliDigests['three-lane.toml'] });
  assert.ok(digest);
  for (const id of ['kpi-0', 'kpi-1', 'chart-demand', 'chart-shortage', 'chart-cost', 'chart-risk', 'chart-weekly-cost', 'chart-providers', 'comparisons']) {
    assert.equal(await page.locator(`[data-testid=${id}]`).count(), 1, `${id} is missing`);
  }
  for (const id of ['chart-demand', 'chart-shortage', 'chart-cost', 'chart-risk', 'chart-weekly-cost', 'chart-providers']) {
    const svg = page.locator(`[data-testid=${id}] svg`);
    assert.equal(await svg.count(), 1, `${id} has no SVG`);
    const box = await svg.boundingBox();
    assert.ok(box.width > 200 && box.height > 100, `${id} is ${box.width}x${box.height}`);
  }
  const kpi = await page.locator('[data-testid=kpi-0]').innerText();
  assert.match(kpi, /%/);
  assert.match(kpi, /\$/);
  assert.equal(await results(page).getAttribute('data-stale'), 'false');
  // Let the fonts/layout settle, then capture the dashboard for the README.
  await page.waitForTimeout(200);
  mkdirSync(OUT_DIR, { recursive: true });
  const shot = join(OUT_DIR, 'dashboard.png');
  await page.screenshot({ path: shot, fullPage: true });
  mkdirSync(join(ROOT, 'docs'), { recursive: true });
  copyFileSync(shot, join(ROOT, 'docs', 'dashboard.png'));
  assert.deepEqual(problems, []);
  await context.close();
});

test('every library scenario reaches done with the same digest as the CLI', async () => {
  const { page, context, problems } = await openPage();
  await page.goto(BASE_URL);
  await waitDone(page);
  const files = await page.locator('[data-testid=library] option:not([disabled])').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual([...files].sort(), Object.keys(cliDigests).sort());
  for (const file of files) {
    await page.selectOption('[data-testid=library]', file);
    const digest = await waitDone(page, { digest: cliDigests[file] });
    assert.equal(digest, cliDigests[file], file);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('an edit re-runs; an invalid edit keeps the last result, marked stale', async () => {
  const { page, context, problems } = await openPage();
  await page.goto(BASE_URL);
  const before = await waitDone(page);
  const cost = await page.locator('[data-testid=kpi-0] [data-kpi=cost]').innerText();
  await page.evaluate(() => window.__headroom_edit('workloads[0].base_gpus', 4000));
  const after = await waitDone(page, { notDigest: before });
  assert.notEqual(after, before);
  assert.notEqual(await page.locator('[data-testid=kpi-0] [data-kpi=cost]').innerText(), cost);

  await page.evaluate(() => window.__headroom_edit('horizon_weeks', 'soon'));
  await page.locator('[data-testid=results][data-stale=true]').waitFor();
  await page.locator('[data-testid=diagnostics]').waitFor();
  assert.match(await page.locator('[data-testid=diagnostics]').innerText(), /horizon_weeks/);
  assert.equal(await results(page).getAttribute('data-digest'), after);
  assert.ok(await page.locator('[data-testid=export-toml]').isDisabled());

  await page.evaluate(() => window.__headroom_edit('horizon_weeks', null));
  await page.locator('[data-testid=results][data-stale=false]').waitFor();
  await page.locator('[data-testid=reset]').click();
  await waitDone(page, { digest: before });
  assert.deepEqual(problems, []);
  await context.close();
});

test('progressive estimates arrive before the end, and Cancel stops the run', async () => {
  const { page, context, problems } = await openPage();
  await page.goto(BASE_URL);
  await waitDone(page);
  await page.selectOption('[data-testid=library]', 'bench.toml');
  // A first estimate is on screen while the run is still going.
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid=results]');
    return el.getAttribute('data-state') === 'running' && Number(el.getAttribute('data-paths')) > 0
      && document.querySelector('.scenario-name').textContent.includes('Benchmark');
  }, null, { timeout: RUN_TIMEOUT, polling: 10 });
  await page.locator('[data-testid=cancel]').click();
  await page.locator('[data-testid=results][data-state=cancelled]').waitFor();
  const paths = Number(await results(page).getAttribute('data-paths'));
  assert.ok(paths > 0 && paths < 10_000, `cancelled at ${paths} paths`);
  await page.waitForTimeout(300);
  assert.equal(Number(await results(page).getAttribute('data-paths')), paths, 'a cancelled run kept going');
  assert.equal(await page.locator('[data-testid=kpi-0] [data-kpi=cost]').count(), 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test('autosave survives a reload; an unreadable save is kept aside with a notice', async () => {
  const { page, context, problems } = await openPage();
  await page.goto(BASE_URL);
  const original = await waitDone(page);
  await page.evaluate(() => window.__headroom_edit('seed', 987654));
  const edited = await waitDone(page, { notDigest: original });
  await page.waitForTimeout(600); // autosave is debounced
  await page.reload();
  // The load event can come before the app's wasm has started: wait for its hooks.
  await page.waitForFunction(() => typeof window.__headroom_doc === 'function');
  assert.equal(await page.evaluate(() => window.__headroom_doc().seed), 987654);
  await waitDone(page, { digest: edited });

  await page.evaluate(() => localStorage.setItem('headroom.autosave.v1', '{"doc": tru'));
  await page.reload();
  await page.locator('[data-testid=notice]').waitFor();
  const kept = await page.evaluate(() =>
    Object.keys(localStorage).filter((k) => k.startsWith('headroom.autosave.unreadable.')).map((k) => localStorage.getItem(k)),
  );
  assert.deepEqual(kept, ['{"doc": tru']);
  await waitDone(page, { digest: original });
  assert.deepEqual(problems, []);
  await context.close();
});

test('presentation mode: large layout, arrows move the highlight and the stress test', async () => {
  const { page, context, problems } = await openPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(BASE_URL);
  const base = await waitDone(page);
  await page.keyboard.press('p');
  await page.waitForFunction(() => document.body.classList.contains('presenting'));
  assert.equal(await page.locator('[data-testid=editor-slot]').isVisible(), false);
  await page.keyboard.press('ArrowRight');
  assert.equal(await results(page).getAttribute('data-highlight'), '0');
  await page.keyboard.press('ArrowRight');
  assert.equal(await results(page).getAttribute('data-highlight'), '1');
  assert.ok(await page.locator('[data-testid=kpi-1].highlight').isVisible());
  await page.keyboard.press('ArrowLeft');
  assert.equal(await results(page).getAttribute('data-highlight'), '0');

  await page.keyboard.press('ArrowDown');
  const stressed = await waitDone(page, { notDigest: base });
  assert.match(await page.locator('[data-testid=run-meta]').innerText(), /stress: /);
  await page.keyboard.press('ArrowUp');
  await waitDone(page, { digest: base });
  assert.notEqual(stressed, base);
  await page.screenshot({ path: join(OUT_DIR, 'presentation.png') });

  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.body.classList.contains('presenting'));
  assert.ok(await page.locator('[data-testid=editor-slot]').isVisible());
  // The button is keyboard reachable and labelled.
  await page.locator('[data-testid=present]').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.body.classList.contains('presenting'));
  assert.equal(await page.locator('[data-testid=present]').getAttribute('aria-pressed'), 'true');
  assert.deepEqual(problems, []);
  await context.close();
});

test('exports: results CSV is one row per portfolio, formula-safe; charts as SVG', async () => {
  const { page, context, problems } = await openPage();
  await page.goto(BASE_URL);
  await waitDone(page);
  const portfolios = await page.locator('[data-testid^=kpi-]').count();
  const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=export-csv]').click()]);
  assert.match(csv.suggestedFilename(), /\.csv$/);
  const text = readFileSync(await csv.path(), 'utf8').trim().split('\n');
  assert.equal(text.length, 1 + portfolios);
  assert.match(text[0], /^portfolio,shortage_probability,/);
  const [svg] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=chart-risk] button', { hasText: 'SVG' }).click()]);
  assert.match(readFileSync(await svg.path(), 'utf8'), /^<svg/);
  const [png] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=chart-risk] button', { hasText: 'PNG' }).click()]);
  assert.deepEqual([...readFileSync(await png.path()).subarray(1, 4)], [0x50, 0x4e, 0x47]);
  const [toml] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=export-toml]').click()]);
  assert.match(readFileSync(await toml.path(), 'utf8'), /\[\[portfolios\]\]/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('helper workers: 1, 3 and the default number of workers give the same digest', async () => {
  const page = await browser.newPage();
  await page.goto(BASE_URL);
  const runs = await page.evaluate(async () => {
    const scenario = await (await fetch('scenarios/three-lane.toml')).text();
    const runWith = (workers) => new Promise((resolve) => {
      const worker = new Worker('./worker.js', { type: 'module' });
      const progress = [];
      worker.onmessage = ({ data }) => {
        if (data.type === 'progress') progress.push(data.done);
        if (data.type === 'done' || data.type === 'error') {
          worker.terminate();
          resolve({ type: data.type, workers: data.workers, paths: data.paths, digest: data.report && JSON.parse(data.report).digest, progress });
        }
      };
      worker.postMessage({ type: 'run', id: 1, scenario, format: 'toml', options: { paths: 6000, seed: 11 }, workers });
    });
    return [await runWith(1), await runWith(3), await runWith(undefined)];
  });
  const [one, three, auto] = runs;
  assert.equal(one.type, 'done');
  assert.equal(one.workers, 1);
  assert.equal(three.workers, 3, 'nested helper workers did not start');
  assert.equal(one.paths, 6000);
  assert.equal(three.digest, one.digest);
  assert.equal(auto.digest, one.digest);
  // Merged-chunk counts only grow, whatever order the helpers deliver in.
  for (const r of runs) assert.deepEqual(r.progress, [...r.progress].sort((a, b) => a - b));
  const cli = execFileSync(
    'cargo',
    ['run', '-q', '--release', '-p', 'cli', '--', 'run', join('scenarios', 'three-lane.toml'), '--paths', '6000', '--seed', '11', '--format', 'json'],
    { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
  );
  assert.equal(one.digest, JSON.parse(cli).digest);
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
    // Under the engine's path limit (1,000,000), long enough to be superseded mid-run.
    const big = { paths: 900_000 };
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
      progress2: seen.filter((m) => m.id === 2 && m.type === 'progress').map((m) => [m.done, typeof m.report]),
      paths2: seen.filter((m) => m.id === 2 && m.type === 'progress').map((m) => m.paths),
      done2: seen.find((m) => m.id === 2 && m.type === 'done'),
      done3: seen.some((m) => m.type === 'done' && m.id === 3),
      progress3: [before, count(3)],
      error4: seen.find((m) => m.type === 'error' && m.id === 4),
    };
  });
  assert.match(log.ready.engineVersion, /^\d+\.\d+\.\d+/);
  assert.ok(log.total1 > 1000, `run 1 has ${log.total1} chunks`);
  assert.equal(log.done1, false, 'superseded run 1 finished');
  // Progress counts merged chunks from chunk 0 on (helper workers may deliver some at
  // once); the first carries an estimate; the last chunk comes as the 'done' message.
  assert.ok(log.progress2.length >= 1 && log.progress2.length <= 2, JSON.stringify(log.progress2));
  assert.deepEqual(log.progress2[0], [1, 'string']);
  assert.deepEqual(log.paths2, log.progress2.map(([done]) => done * 500));
  assert.equal(log.done2.paths, 1500);
  assert.ok(log.done2.engineMs > 0 && JSON.parse(log.done2.report).paths === 1500);
  assert.equal(log.done3, false, 'cancelled run 3 finished');
  assert.equal(log.progress3[0], log.progress3[1], 'cancelled run 3 kept reporting progress');
  assert.ok(Array.isArray(log.error4.diagnostics) && log.error4.diagnostics.length > 0);
  assert.equal(typeof log.error4.diagnostics[0].message, 'string');
  await page.close();
});
