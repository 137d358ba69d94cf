// Sharing and embedding (issue 4): the JavaScript API example reproduces the CLI's digest,
// and the distribution works as a wiki would host it: under a sub-path and under a strict
// Content-Security-Policy sent as a response header, with no console error or violation.
//
// Environment (set by `cargo xtask test`): WIKI_URL (dist/ served under a sub-path with the
// CSP header), CSP (that policy), REPO_ROOT (to run the CLI), CHROMIUM_PATH.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const WIKI_URL = process.env.WIKI_URL ?? 'http://127.0.0.1:8080/';
const CSP = process.env.CSP ?? '';
const REPO_ROOT = process.env.REPO_ROOT ?? resolve(HERE, '../..');
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT_DIR = join(HERE, 'out');

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

/** A page that records every console error, page error, failed or foreign request. */
async function watchedPage() {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems = [];
  const base = new URL(WIKI_URL);
  page.on('console', (msg) => {
    // CSP violations are reported as console errors ("Refused to ...").
    if (msg.type() === 'error' || /Content Security Policy|Refused to/i.test(msg.text())) {
      problems.push(`console ${msg.type()}: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.protocol === 'data:' || url.protocol === 'blob:') return;
    if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) {
      problems.push(`request outside ${base.href}: ${req.url()}`);
    }
  });
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()}`));
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return { page, problems };
}

function cliDigest() {
  const out = execFileSync(
    'cargo',
    ['run', '-q', '--release', '-p', 'cli', '--', 'run', 'scenarios/three-lane.toml', '--format', 'json'],
    { cwd: REPO_ROOT, maxBuffer: 512 * 1024 * 1024, encoding: 'utf8' },
  );
  return JSON.parse(out).digest;
}

test('the server sends the strict CSP and dist has no inline script', async () => {
  const res = await fetch(WIKI_URL);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-security-policy'), CSP);
  const html = await res.text();
  for (const tag of html.match(/<script\b[^>]*>/gi) ?? []) {
    assert.match(tag, /\ssrc=/, `inline script in index.html: ${tag}`);
  }
  assert.match(html, /http-equiv="Content-Security-Policy"/);
});

test('the JavaScript API example gives the CLI digest (sub-path, strict CSP)', async () => {
  const expected = cliDigest();
  assert.match(expected, /^[0-9a-f]+$/);
  const { page, problems } = await watchedPage();
  await page.goto(new URL('api-example.html', WIKI_URL).href);
  const digest = page.locator('#digest');
  await digest.and(page.locator('[data-state=done], [data-state=error]')).waitFor({ timeout: 300_000 });
  mkdirSync(OUT_DIR, { recursive: true });
  await page.screenshot({ path: join(OUT_DIR, 'api-example.png'), fullPage: true });
  assert.equal(await digest.getAttribute('data-state'), 'done', await page.locator('#status').innerText());
  assert.equal(await digest.innerText(), expected);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the API: validate, parse, worker and main thread agree, abort stops', async () => {
  const { page, problems } = await watchedPage();
  await page.goto(new URL('api-example.html', WIKI_URL).href);
  await page.locator('#digest[data-state=done]').waitFor({ timeout: 300_000 });
  const result = await page.evaluate(async () => {
    const { default: Headroom, HeadroomError } = await import(new URL('headroom.js', location.href).href);
    await Headroom.init();
    const toml = await (await fetch('scenarios/quota-cut.toml')).text();
    const scenario = Headroom.parse(toml);
    const options = { paths: 300, seed: 7 };
    const progress = [];
    const main = await Headroom.simulate(scenario, { ...options, onProgress: (p) => progress.push([p.done, p.total, p.paths]) });
    const workerProgress = [];
    const inWorker = await Headroom.simulate(toml, {
      ...options, worker: true, onProgress: (p) => workerProgress.push([p.done, p.total, p.paths, typeof p.report]),
    });
    let aborted = null;
    const controller = new AbortController();
    try {
      await Headroom.simulate(toml, { paths: 5000, signal: controller.signal, onProgress: () => controller.abort() });
    } catch (e) {
      aborted = e.name;
    }
    let invalid = null;
    try {
      Headroom.parse('name = 1');
    } catch (e) {
      invalid = e instanceof HeadroomError && e.diagnostics.length > 0;
    }
    return {
      engine: Headroom.engineVersion,
      validOk: Headroom.validate(toml).length === 0,
      badDiagnostics: Headroom.validate('[[workloads]]\nname = 3').length,
      mainDigest: main.digest,
      workerDigest: inWorker.digest,
      paths: main.paths,
      lastProgress: progress.at(-1),
      workerProgress,
      aborted,
      invalid,
    };
  });
  assert.ok(result.engine);
  assert.equal(result.validOk, true);
  assert.ok(result.badDiagnostics > 0);
  assert.equal(result.paths, 300);
  assert.equal(result.mainDigest, result.workerDigest);
  assert.equal(result.lastProgress[0], result.lastProgress[1]);
  assert.equal(result.lastProgress[2], 300);
  // The first chunk brings an estimate; the final call carries the report (300 paths = 1 chunk).
  assert.deepEqual(result.workerProgress, [[1, 1, 300, 'object']]);
  assert.equal(result.aborted, 'AbortError');
  assert.equal(result.invalid, true);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the app runs under a sub-path with the strict CSP header', async () => {
  const { page, problems } = await watchedPage();
  await page.goto(WIKI_URL);
  const results = page.locator('[data-testid=results]');
  await results.and(page.locator('[data-state=done], [data-state=error]')).waitFor({ timeout: 120_000 });
  mkdirSync(OUT_DIR, { recursive: true });
  await page.screenshot({ path: join(OUT_DIR, 'wiki-csp.png'), fullPage: true });
  assert.equal(await results.getAttribute('data-state'), 'done', await results.innerText());
  assert.deepEqual(problems, []);
  await page.close();
});
