// Robustness of the browser app: engine crash recovery, run budgets (refusal and confirmation
// of large runs), and untrusted names shown literally everywhere. BASE_URL points at a server
// for dist/ (see app.test.mjs).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:8080/';
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
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

/** A fresh page (no autosave carried over) that records page errors and console errors. */
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

const results = (page) => page.locator('[data-testid=results]');

async function waitDone(page, { digest, notDigest } = {}) {
  await page.waitForFunction(
    ({ digest, notDigest }) => {
      const el = document.querySelector('[data-testid=results]');
      if (!el) return false;
      const state = el.getAttribute('data-state');
      const d = el.getAttribute('data-digest');
      if (state === 'error') return true;
      if (state !== 'done' || el.getAttribute('data-stale') !== 'false') return false;
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

for (const [how, hook] of [
  ['terminated', '__headroom_kill_worker'],
  ['killed by an uncaught error', '__headroom_crash_worker'],
]) {
  test(`when the engine worker is ${how}, it restarts and the run returns with the same digest`, async () => {
    const { page, context } = await openPage();
    const digest = await waitDone(page);
    const doc = await page.evaluate(() => JSON.stringify(window.__headroom_doc()));
    await page.evaluate((hook) => window[hook](), hook);
    const notice = page.locator('[data-testid=engine-notice]');
    await notice.waitFor({ timeout: 10_000 });
    assert.match(await notice.innerText(), /restarted/);
    assert.equal(await notice.getAttribute('role'), 'alert');
    // The results come back from a new worker, identical, and are no longer stale.
    assert.equal(await waitDone(page, { digest }), digest);
    assert.equal(await page.evaluate(() => JSON.stringify(window.__headroom_doc())), doc);
    assert.equal(await page.locator('[data-testid=kpi-0]').count(), 1);
    // The new worker keeps working: an edit re-runs.
    await page.evaluate(() => window.__headroom_edit('seed', 99));
    await waitDone(page, { notDigest: digest });
    await context.close();
  });
}

test('results stay on screen, marked stale, while the restarted engine re-runs', async () => {
  const { page, context } = await openPage();
  const digest = await waitDone(page);
  // A long run (bench.toml at 200,000 paths: seconds, however fast the engine), then a crash
  // in the middle of it.
  await page.selectOption('[data-testid=library]', 'bench.toml');
  await page.evaluate(() => window.__headroom_edit('paths', 200000));
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid=results]');
    // More paths merged than bench.toml's own 10,000: this is the 200,000-path run.
    return el.getAttribute('data-state') === 'running' && Number(el.getAttribute('data-paths')) > 10000;
  }, null, { timeout: RUN_TIMEOUT, polling: 10 });
  // The restarted engine's first estimate clears the stale mark within ~100 ms: record it
  // as it happens rather than polling for it.
  await page.evaluate(() => {
    const el = document.querySelector('[data-testid=results]');
    window.__staleWithCards = false;
    new MutationObserver(() => {
      if (el.getAttribute('data-stale') === 'true' && document.querySelector('[data-testid=kpi-0]')) {
        window.__staleWithCards = true;
      }
    }).observe(el, { attributes: true, attributeFilter: ['data-stale'] });
  });
  await page.evaluate(() => window.__headroom_kill_worker());
  await page.locator('[data-testid=engine-notice]').waitFor();
  await page.waitForFunction(() => window.__staleWithCards, null, { timeout: 5_000 });
  assert.equal(await page.locator('[data-testid=kpi-0]').count(), 1);
  await page.locator('[data-testid=results][data-state=running]').waitFor();
  await page.locator('[data-testid=cancel]').click();
  await page.locator('[data-testid=results][data-state=cancelled]').waitFor();
  await page.selectOption('[data-testid=library]', 'three-lane.toml');
  await waitDone(page, { digest });
  await context.close();
});

test('a run over the work budget asks first; Cancel runs nothing, Run anyway runs (cancellably)', async () => {
  const { page, context, problems } = await openPage();
  const digest = await waitDone(page);
  const runId = await results(page).getAttribute('data-run-id');
  // 1e6 paths x 1040 weeks x (portfolios + providers + workloads + events) >> 4e9, while
  // memory stays ~100 MB: over the work budget, not refused.
  await page.evaluate(() => {
    window.__headroom_edit('horizon_weeks', 1040);
    window.__headroom_edit('paths', 1000000);
  });
  const dialog = page.locator('[data-testid=confirm-large]');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /1,000,000 paths/);
  // Keyboard accessible: focus is on Cancel, Escape declines.
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'confirm-cancel');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await page.waitForTimeout(400);
  assert.equal(await results(page).getAttribute('data-run-id'), runId, 'a run started');
  assert.equal(await results(page).getAttribute('data-state'), 'done');
  assert.equal(await results(page).getAttribute('data-digest'), digest);
  assert.equal(await results(page).getAttribute('data-stale'), 'true');
  assert.equal(await page.locator('[data-testid=kpi-0]').count(), 1);

  // Re-run asks again; Cancel (clicked) declines too.
  await page.locator('[data-testid=results] button[title="Run again"]').click();
  await dialog.waitFor();
  await page.locator('[data-testid=confirm-cancel]').click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await results(page).getAttribute('data-run-id'), runId);

  // Accepting (by keyboard) runs it, and the run can be cancelled.
  await page.locator('[data-testid=results] button[title="Run again"]').click();
  await dialog.waitFor();
  await page.locator('[data-testid=confirm-run]').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid=results]');
    return el.getAttribute('data-state') === 'running' && Number(el.getAttribute('data-paths')) > 0;
  }, null, { timeout: RUN_TIMEOUT, polling: 20 });
  assert.notEqual(await results(page).getAttribute('data-run-id'), runId);
  assert.equal(await dialog.count(), 0);
  await page.locator('[data-testid=cancel]').click();
  await page.locator('[data-testid=results][data-state=cancelled]').waitFor();
  const paths = Number(await results(page).getAttribute('data-paths'));
  await page.waitForTimeout(300);
  assert.equal(Number(await results(page).getAttribute('data-paths')), paths, 'a cancelled run kept going');
  assert.deepEqual(problems, []);
  await context.close();
});

test('after a crash, the re-run of a confirmed large run does not ask again', async () => {
  const { page, context } = await openPage();
  await waitDone(page);
  await page.evaluate(() => {
    window.__headroom_edit('horizon_weeks', 1040);
    window.__headroom_edit('paths', 1000000);
  });
  const dialog = page.locator('[data-testid=confirm-large]');
  await dialog.waitFor();
  await page.locator('[data-testid=confirm-run]').click();
  const running = () => page.waitForFunction(() => {
    const el = document.querySelector('[data-testid=results]');
    return el.getAttribute('data-state') === 'running' && Number(el.getAttribute('data-paths')) > 0;
  }, null, { timeout: RUN_TIMEOUT, polling: 20 });
  await running();
  await page.evaluate(() => window.__headroom_kill_worker());
  await page.locator('[data-testid=engine-notice]').waitFor();
  // The restarted engine runs it again at once (progress from zero), without the question.
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid=results]');
    return el.getAttribute('data-state') === 'running' && Number(el.getAttribute('data-paths')) === 0;
  }, null, { timeout: 10_000, polling: 10 });
  await running();
  assert.equal(await dialog.count(), 0);
  await page.locator('[data-testid=cancel]').click();
  await page.locator('[data-testid=results][data-state=cancelled]').waitFor();
  // A different large run still asks.
  await page.evaluate(() => window.__headroom_edit('seed', 8));
  await dialog.waitFor();
  await context.close();
});

test('a run over the memory limit is refused with the numbers, and nothing runs', async () => {
  const { page, context, problems } = await openPage();
  const digest = await waitDone(page);
  const runId = await results(page).getAttribute('data-run-id');
  await page.evaluate(() => {
    const doc = window.__headroom_doc();
    const base = doc.portfolios[0];
    // 60 portfolios x 1e6 paths x 20 bytes > 1 GiB.
    doc.portfolios = Array.from({ length: 60 }, (_, i) => ({ ...base, name: `p${i}` }));
    doc.paths = 1000000;
    window.__headroom_edit('', doc);
  });
  const refused = page.locator('[data-testid=run-refused]');
  await refused.waitFor();
  assert.match(await refused.innerText(), /memory .* MB \(limit 1,024 MB\)/);
  assert.equal(await page.locator('[data-testid=confirm-large]').count(), 0);
  await page.waitForTimeout(400);
  assert.equal(await results(page).getAttribute('data-run-id'), runId);
  assert.equal(await results(page).getAttribute('data-digest'), digest);
  assert.equal(await results(page).getAttribute('data-stale'), 'true');
  // Back within limits: it runs again.
  await page.locator('[data-testid=reset]').click();
  await waitDone(page, { digest });
  assert.equal(await refused.count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

const IMG = '<img src=x onerror="window.__pwned=1">';
const SCRIPT = '"><script>window.__pwned=2</script>';
const FORMULA = '=HYPERLINK("http://x")';

test('untrusted names are shown as text in the title, cards, comparisons, charts and exports', async () => {
  const { page, context, problems } = await openPage();
  await waitDone(page);
  const before = await results(page).getAttribute('data-digest');
  await page.evaluate(({ IMG, SCRIPT, FORMULA }) => {
    window.__headroom_edit('', {
      name: IMG,
      description: SCRIPT,
      paths: 400,
      seed: 1,
      workloads: [{ name: SCRIPT, base_gpus: 10 }],
      providers: [{ name: SCRIPT, reserved_price: 2, on_demand_price: 3 }],
      portfolios: [
        { name: FORMULA, contracts: [{ provider: SCRIPT, gpus: 12, term_weeks: 104 }] },
        { name: IMG, contracts: [{ provider: SCRIPT, gpus: 8, term_weeks: 104 }], burst: [{ provider: SCRIPT, max_gpus: 10 }] },
      ],
    });
  }, { IMG, SCRIPT, FORMULA });
  await waitDone(page, { notDigest: before });
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.title(), `Headroom — ${IMG}`);
  assert.equal(await page.locator('img[src=x]').count(), 0);
  assert.equal(await page.locator('script', { hasText: '__pwned' }).count(), 0);
  assert.ok((await page.locator('[data-testid=kpi-0]').innerText()).includes(FORMULA));
  assert.ok((await page.locator('[data-testid=kpi-1]').innerText()).includes(IMG));
  assert.ok((await page.locator('.scenario-name').innerText()).includes(IMG));
  const comparisons = await page.locator('[data-testid=comparisons]').innerText();
  assert.ok(comparisons.includes(FORMULA) && comparisons.includes(IMG), comparisons);
  assert.ok((await page.locator('[data-testid=scenario-summary]').innerText()).includes(IMG));
  // The rendered charts carry the names as text only.
  const frames = await page.locator('.chart-frame').evaluateAll((els) => els.map((e) => e.innerHTML));
  assert.ok(frames.length > 0);
  for (const html of frames) assert.ok(!/<img|<script/i.test(html), html.slice(0, 200));
  assert.ok(frames.some((h) => h.includes('&lt;img src=x')), 'no chart shows the portfolio name');

  const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=export-csv]').click()]);
  const rows = readFileSync(await csv.path(), 'utf8').trim().split('\n');
  // The formula-like name is quoted (it contains quotes) and neutralized with a leading '.
  const cell = rows[1].startsWith('"') ? rows[1].slice(1) : rows[1];
  assert.ok(cell.startsWith(`'=HYPERLINK(""http://x"")`), rows[1]);
  assert.ok(rows.some((r) => r.includes(IMG.replaceAll('"', '""'))), rows.join('\n'));

  for (const chart of ['chart-cost', 'chart-providers']) {
    const [svg] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-testid=${chart}] button`, { hasText: 'SVG' }).click()]);
    const text = readFileSync(await svg.path(), 'utf8');
    assert.match(text, /^<svg/);
    assert.ok(!/<img|<script/i.test(text), `${chart}: raw markup in the SVG`);
    if (chart === 'chart-cost') assert.ok(text.includes('&lt;img src=x'), `${chart}: name missing`);
    if (chart === 'chart-providers') assert.ok(text.includes('&lt;script&gt;'), `${chart}: provider name missing`);
  }
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(problems, []);
  await context.close();
});
