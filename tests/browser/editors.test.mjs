// End-to-end tests of the scenario editors (crates/ui/src/editors) and import
// (crates/ui/src/import.rs) in headless Chromium. BASE_URL points at a server for dist/.

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
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
});

/** A page with the editor panel loaded; page errors fail the test. */
async function open() {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  await page.goto(BASE_URL);
  await page.locator('[data-testid=editor-panel]').waitFor();
  return { page, problems };
}

const field = (page, path) => page.locator(`[data-path="${path}"]`);
const textInput = (page, path) => field(page, path).locator('input[type=text]').first();
const diag = (page, path) => page.locator(`[data-testid="diag-${path}"]`);

/** Open a section and one of its items. */
async function openItem(page, section, itemPath) {
  const sec = page.locator(`details[data-section=${section}]`);
  if ((await sec.getAttribute('open')) === null) await sec.locator('> summary').click();
  const item = page.locator(`details[data-path="${itemPath}"]`);
  if ((await item.getAttribute('open')) === null) await item.locator('> summary').click();
}

test('editing a price updates the field and keeps the scenario valid', async () => {
  const { page, problems } = await open();
  await openItem(page, 'providers', 'providers[0]');
  const price = textInput(page, 'providers[0].on_demand_price');
  await price.fill('5.5');
  assert.equal(await price.inputValue(), '5.5');
  // The slider mirrors the document's value.
  const slider = field(page, 'providers[0].on_demand_price').locator('input[type=range]');
  assert.equal(await slider.inputValue(), '5.5');
  assert.equal(await diag(page, 'providers[0].on_demand_price').count(), 0);
  assert.equal(await page.locator('[data-testid=diag-summary]').getAttribute('data-count'), '0');

  mkdirSync(OUT_DIR, { recursive: true });
  await page.locator('[data-testid=editor-panel]').screenshot({ path: join(OUT_DIR, 'editors.png') });
  assert.deepEqual(problems, []);
  await page.close();
});

test('a rejected value is written and its diagnostic shows next to the field', async () => {
  const { page, problems } = await open();
  await openItem(page, 'workloads', 'workloads[0]');
  const gpus = textInput(page, 'workloads[0].base_gpus');
  await gpus.fill('-5');
  const d = diag(page, 'workloads[0].base_gpus');
  await d.waitFor();
  assert.ok((await d.innerText()).length > 0);
  assert.equal(await gpus.getAttribute('aria-invalid'), 'true');
  // The summary lists it; clicking it focuses the field.
  const link = page.locator('[data-testid=diag-summary] [data-diag-path="workloads[0].base_gpus"]');
  await link.waitFor();
  await textInput(page, 'providers[0].name').count(); // no-op: keep focus elsewhere
  await link.click();
  assert.equal(await gpus.evaluate((el) => el === document.activeElement), true);
  await page.locator('[data-testid=editor-panel]').screenshot({ path: join(OUT_DIR, 'editors-invalid.png') });
  assert.deepEqual(problems, []);
  await page.close();
});

test('text that is not a number stays in the input and is not written', async () => {
  const { page, problems } = await open();
  await openItem(page, 'providers', 'providers[0]');
  const f = field(page, 'providers[0].reserved_price');
  const before = await f.locator('input[type=range]').inputValue();
  const input = textInput(page, 'providers[0].reserved_price');
  await input.fill('abc');
  await f.locator('[data-testid=not-a-number]').waitFor();
  assert.equal(await input.inputValue(), 'abc');
  assert.equal(await input.getAttribute('aria-invalid'), 'true');
  // The document keeps the previous value: the slider did not move, the scenario is valid.
  assert.equal(await f.locator('input[type=range]').inputValue(), before);
  assert.equal(await page.locator('[data-testid=diag-summary]').getAttribute('data-count'), '0');
  await input.fill('3');
  assert.equal(await f.locator('[data-testid=not-a-number]').count(), 0);
  assert.equal(await f.locator('input[type=range]').inputValue(), '3');
  assert.deepEqual(problems, []);
  await page.close();
});

test('portfolios can be added, duplicated and removed', async () => {
  const { page, problems } = await open();
  await page.locator('details[data-section=portfolios] > summary').click();
  const items = page.locator('[data-list=portfolios] > details.item');
  const n = await items.count();
  assert.ok(n > 0);
  await page.locator('[data-testid="add-portfolios"]').click();
  assert.equal(await items.count(), n + 1);
  assert.equal(await textInput(page, `portfolios[${n}].name`).inputValue(), 'portfolio-1');
  const first = await textInput(page, 'portfolios[0].name').inputValue();
  await openItem(page, 'portfolios', 'portfolios[0]');
  await page.locator('[data-testid="duplicate-portfolios[0]"]').click();
  assert.equal(await items.count(), n + 2);
  await openItem(page, 'portfolios', 'portfolios[1]');
  assert.equal(await textInput(page, 'portfolios[1].name').inputValue(), `${first} (copy)`);
  await page.locator('[data-testid="remove-portfolios[1]"]').click();
  await openItem(page, 'portfolios', `portfolios[${n}]`);
  await page.locator(`[data-testid="remove-portfolios[${n}]"]`).click();
  assert.equal(await items.count(), n);
  assert.equal(await page.locator('[data-testid=diag-summary]').getAttribute('data-count'), '0');
  assert.deepEqual(problems, []);
  await page.close();
});

test('importing a bad file shows diagnostics and keeps the scenario; a good one loads', async () => {
  const { page, problems } = await open();
  const name = textInput(page, 'name');
  const original = await name.inputValue();
  const input = page.locator('[data-testid=import-file]');
  await input.setInputFiles({
    name: '<img src=x onerror=alert(1)>.toml',
    mimeType: 'text/plain',
    buffer: Buffer.from('name = "broken"\n[[workloads]]\nname = "w"\nbase_gpus = -1\n'),
  });
  const errors = page.locator('[data-testid=import-errors]');
  await errors.waitFor();
  const text = await errors.innerText();
  assert.match(text, /<img src=x onerror=alert\(1\)>\.toml/, 'file name shown as text');
  assert.match(text, /base_gpus/);
  assert.equal(await errors.locator('img').count(), 0, 'untrusted text rendered as HTML');
  assert.equal(await name.inputValue(), original);
  await page.locator('[data-testid=import-dismiss]').click();
  assert.equal(await errors.count(), 0);

  const good = [
    'name = "Imported tiny"',
    '[[workloads]]', 'name = "inference"', 'base_gpus = 100',
    '[[providers]]', 'name = "cloud"', 'reserved_price = 2.0', 'on_demand_price = 4.0',
    '[[portfolios]]', 'name = "reserved"', 'contracts = [{ provider = "cloud", gpus = 110, term_weeks = 104 }]',
  ].join('\n');
  await input.setInputFiles({ name: 'tiny.toml', mimeType: 'text/plain', buffer: Buffer.from(good) });
  await page.locator('[data-testid=import-ok]').waitFor();
  assert.equal(await name.inputValue(), 'Imported tiny');
  assert.equal(await page.locator('[data-list=providers] > details.item').count(), 1);
  assert.equal(await page.locator('[data-testid=diag-summary]').getAttribute('data-count'), '0');
  assert.deepEqual(problems, []);
  await page.close();
});
