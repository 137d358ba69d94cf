// The Decide tab in headless Chromium: the optimizer and the sensitivity tornado run in a
// worker of their own (progress, cancel, no effect on the live dashboard), the frontier places
// the scenario's portfolios, "Add to comparison" adds a KPI card, and the browser's optimizer
// gives the CLI's answer to the digit. BASE_URL points at a server for dist/ (see app.test.mjs);
// the CLI comparison uses target/release/headroom (built by `cargo xtask test`).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:8080/';
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = process.env.REPO_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUN_TIMEOUT = 120_000;

let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
});

async function openPage() {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  await page.goto(BASE_URL);
  await page.waitForFunction(() => typeof window.__headroom_edit === 'function');
  return { page, context, problems };
}

/** Waits until the dashboard's run is done (and its digest differs from `notDigest`). */
async function waitDone(page, { notDigest } = {}) {
  await page.waitForFunction(
    (notDigest) => {
      const el = document.querySelector('[data-testid=results]');
      if (!el) return false;
      const state = el.getAttribute('data-state');
      if (state === 'error') return true;
      return state === 'done' && (!notDigest || el.getAttribute('data-digest') !== notDigest);
    },
    notDigest,
    { timeout: RUN_TIMEOUT, polling: 50 },
  );
  const el = page.locator('[data-testid=results]');
  assert.equal(await el.getAttribute('data-state'), 'done', await el.innerText());
  return el.getAttribute('data-digest');
}

const decide = (page) => page.locator('[data-testid=decide]');

async function setField(page, field, value) {
  await page.fill(`[data-testid=decide-form] [data-field=${field}]`, String(value));
}

/** Waits for the decision job to leave `running`; fails with the panel's text on an error. */
async function waitJob(page, state = 'done') {
  await page.waitForFunction(
    () => {
      const s = document.querySelector('[data-testid=decide]')?.getAttribute('data-state');
      return s === 'done' || s === 'error' || s === 'cancelled';
    },
    null,
    { timeout: RUN_TIMEOUT, polling: 20 },
  );
  assert.equal(await decide(page).getAttribute('data-state'), state, await decide(page).innerText());
}

/** Records every `data-done` value the panel shows (a fast job may finish between polls). */
async function recordProgress(page) {
  await page.evaluate(() => {
    window.__decideProgress = [];
    const el = document.querySelector('[data-testid=decide]');
    new MutationObserver(() => {
      window.__decideProgress.push([Number(el.getAttribute('data-done')), Number(el.getAttribute('data-total'))]);
    }).observe(el, { attributes: true, attributeFilter: ['data-done'] });
  });
}

async function svgText(page, testid) {
  return page.locator(`[data-testid=${testid}] svg`).evaluate((svg) => svg.textContent);
}

async function download(page, selector) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
}

test('the optimizer shows progress and a frontier with the scenario portfolios; Add to comparison adds a KPI card', async () => {
  const { page, context, problems } = await openPage();
  const digest = await waitDone(page);
  const names = await page.evaluate(() => window.__headroom_doc().portfolios.map((p) => p.name));
  assert.equal(await page.locator('[data-testid^=kpi-]').count(), names.length);

  await page.click('[data-testid=tab-decide]');
  assert.equal(await page.locator('#pane-dashboard').isHidden(), true);
  await setField(page, 'paths', 500);
  await setField(page, 'max_evaluations', 60);
  await recordProgress(page);
  const started = Date.now();
  await page.click('[data-testid=optimize-run]');
  await waitJob(page);
  const ms = Date.now() - started;
  console.log(`# browser optimizer: three-lane.toml, 500 paths, 60 candidates: ${ms} ms`);

  // Progress arrived before the end, counted against the candidate budget.
  const seen = await page.evaluate(() => window.__decideProgress);
  assert.ok(seen.some(([d, t]) => d > 0 && d < t && t === 60), JSON.stringify(seen));
  assert.match(await page.locator('[data-testid=decide-progress-label]').innerText(), /Optimizer: done/);

  // The frontier places every scenario portfolio and marks the best.
  const frontier = await svgText(page, 'chart-frontier');
  for (const name of names) assert.ok(frontier.includes(name), `${name} is not on the frontier chart`);
  assert.match(frontier, /efficient frontier/);
  assert.match(frontier, /best/);
  const evaluations = Number(await page.locator('[data-testid=optimizer-results]').getAttribute('data-evaluations'));
  assert.ok(evaluations > 1 && evaluations <= 60, String(evaluations));

  // The best portfolio's table, and the same answer as the CLI to the digit.
  const table = await page.locator('[data-testid=best-portfolio]').innerText();
  assert.match(table, /Committed GPUs/);
  assert.match(table, /P\(shortage over the horizon\)/);
  const json = await download(page, '[data-testid=optimizer-json]');
  assert.match(json.name, /-optimization\.json$/);
  const browserResult = JSON.parse(json.text);
  const cli = join(ROOT, 'target', 'release', 'headroom');
  if (existsSync(cli)) {
    const native = execFileSync(
      cli,
      ['optimize', join(ROOT, 'scenarios', 'three-lane.toml'), '--paths', '500', '--max-evaluations', '60', '--max-shortage', '0.05', '--format', 'json'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    assert.equal(json.text, native, 'the browser optimizer differs from `headroom optimize`');
  } else {
    console.log('# target/release/headroom missing: skipped the CLI comparison');
  }

  // Add to comparison: one more portfolio in the document, the dashboard re-runs with a new card.
  await page.click('[data-testid=add-to-comparison]');
  await page.locator('[data-testid=added-notice]').waitFor();
  const after = await page.evaluate(() => window.__headroom_doc().portfolios.map((p) => p.name));
  assert.deepEqual(after, [...names, browserResult.best_portfolio.name]);
  assert.equal(await page.locator('[data-testid=add-to-comparison]').isDisabled(), true);
  await page.click('[data-testid=tab-dashboard]');
  await waitDone(page, { notDigest: digest });
  assert.equal(await page.locator('[data-testid^=kpi-]').count(), names.length + 1);
  assert.ok((await page.locator(`[data-testid=kpi-${names.length}]`).innerText()).includes(browserResult.best_portfolio.name));
  // The result describes the scenario still (adding a portfolio does not change the problem).
  assert.equal(await page.locator('[data-testid=decide-stale]').count(), 0);
  // The addition was autosaved like any edit.
  await page.waitForFunction(
    (n) => JSON.parse(localStorage.getItem('headroom.autosave.v1') ?? '{}').doc?.portfolios?.length === n,
    after.length,
  );
  assert.deepEqual(problems, []);
  await context.close();
});

test('Cancel stops a long optimization while the dashboard keeps re-running; the tornado then runs', async () => {
  const { page, context, problems } = await openPage();
  const digest = await waitDone(page);
  await page.click('[data-testid=tab-decide]');
  await setField(page, 'paths', 2000);
  await setField(page, 'max_evaluations', 100000);
  await page.click('[data-testid=optimize-run]');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=decide]').getAttribute('data-done')) > 0, null, {
    timeout: RUN_TIMEOUT,
    polling: 20,
  });
  // The tab shows the job's progress to a user on the dashboard.
  assert.match(await page.locator('[data-testid=tab-decide]').innerText(), /Decide \(\d+%\)/);

  // Meanwhile an edit re-runs the dashboard to the end: the job has a worker of its own.
  await page.evaluate(() => window.__headroom_edit('seed', 11));
  await waitDone(page, { notDigest: digest });
  assert.equal(await decide(page).getAttribute('data-state'), 'running');

  await page.click('[data-testid=decide-cancel]');
  await waitJob(page, 'cancelled');
  assert.match(await page.locator('[data-testid=decide-progress-label]').innerText(), /cancelled/);
  assert.equal(await page.locator('[data-testid=optimizer-results]').count(), 0);

  // A new job starts a fresh worker: the tornado, with a bar per input.
  await setField(page, 'paths', 300);
  await recordProgress(page);
  await page.click('[data-testid=sensitivity-run]');
  await waitJob(page);
  const seen = await page.evaluate(() => window.__decideProgress);
  assert.ok(seen.some(([d, t]) => d > 0 && d < t), JSON.stringify(seen));
  const results = page.locator('[data-testid=sensitivity-results]');
  const rows = Number(await results.getAttribute('data-rows'));
  assert.ok(rows > 10, `only ${rows} inputs`);
  assert.equal(await page.locator('[data-testid=tornado-table] tbody tr').count(), rows);
  for (const chart of ['chart-tornado-shortage', 'chart-tornado-cost']) {
    const text = await svgText(page, chart);
    assert.match(text, /workloads\[hot-inference\]\.growth/);
    assert.match(text, /input low/);
    // Low (blue) and high (vermillion) bars.
    const svg = await page.locator(`[data-testid=${chart}] svg`).evaluate((s) => s.outerHTML);
    assert.ok(svg.includes('#0072B2') && svg.includes('#D55E00'), `${chart} has no bars`);
  }
  // SVG export of a decision chart, as the dashboard's.
  const svg = await download(page, '[data-testid=chart-tornado-cost] button:has-text("SVG")');
  assert.match(svg.name, /tornado-cost\.svg$/);
  assert.match(svg.text, /^<svg/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('adding to a scenario that already has the most portfolios the dashboard shows says so', async () => {
  const { page, context, problems } = await openPage();
  await waitDone(page);
  await page.selectOption('[data-testid=library]', 'architectures.toml');
  await waitDone(page);
  const count = await page.evaluate(() => window.__headroom_doc().portfolios.length);
  assert.ok(count >= 4, `architectures.toml has ${count} portfolios`);
  await page.click('[data-testid=tab-decide]');
  await setField(page, 'paths', 200);
  await setField(page, 'max_evaluations', 10);
  await page.click('[data-testid=optimize-run]');
  await waitJob(page);
  assert.match(await page.locator('[data-testid=comparison-full]').innerText(), /most the dashboard compares side by side/);
  await page.click('[data-testid=add-to-comparison]');
  assert.match(await page.locator('[data-testid=added-notice]').innerText(), /Portfolios shown/);
  assert.equal(await page.evaluate(() => window.__headroom_doc().portfolios.length), count + 1);
  assert.deepEqual(problems, []);
  await context.close();
});
