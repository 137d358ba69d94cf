// Browser benchmark (not part of `cargo xtask test`; run by `cargo xtask bench-browser`).
//
// Loads scenarios/bench.toml (10,000 paths x 104 weeks, 4 portfolios) from the built-in
// library, then edits the seed through the page's test hook and measures, in the page:
//   - edit -> first progressive estimate on screen (includes the 40 ms debounce),
//   - edit -> full run done, and run start -> done (engine time in the worker),
//   - the wasm engine's throughput in one worker (no helpers) in path-weeks/s, next to
//     the native single-thread number from `headroom bench`,
//   - the sizes of the wasm files in dist/.
// Env: BASE_URL (a server for dist/), CHROMIUM_PATH, DIST (default ../../dist), REPEAT (3).

import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:8080/';
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const DIST = process.env.DIST ?? join(ROOT, 'dist');
const REPEAT = Number(process.env.REPEAT ?? 3);

const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
await page.goto(BASE_URL);
await page.waitForSelector('[data-testid=results][data-state=done]', { timeout: 120_000 });
await page.selectOption('[data-testid=library]', 'bench.toml');
await page.waitForFunction(() => document.querySelector('[data-testid=run-meta]')?.textContent.includes('10,000 paths')
  && document.querySelector('[data-testid=results]').getAttribute('data-state') === 'done', null, { timeout: 300_000 });

const runs = [];
for (let i = 0; i < REPEAT; i += 1) {
  const seed = 1000 + i;
  runs.push(await page.evaluate((seed) => new Promise((resolve) => {
    const el = document.querySelector('[data-testid=results]');
    const oldId = el.getAttribute('data-run-id');
    const oldDigest = el.getAttribute('data-digest');
    let started = null;
    let first = null;
    const t0 = performance.now();
    const check = () => {
      const id = el.getAttribute('data-run-id');
      if (id === oldId) return;
      const now = performance.now();
      if (started === null) started = now;
      if (first === null && el.getAttribute('data-digest') !== oldDigest) first = now;
      if (el.getAttribute('data-state') === 'done') {
        observer.disconnect();
        resolve({ firstMs: first - t0, doneMs: now - t0, runMs: now - started, engineMs: Number(el.getAttribute('data-engine-ms')), paths: Number(el.getAttribute('data-paths')) });
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(el, { attributes: true });
    window.__headroom_edit('seed', seed);
  }), seed));
}

// The engine alone in one worker (no helpers), against native single-threaded: the same
// worker protocol the app uses, with workers: 1; best of REPEAT.
const single = await page.evaluate(async (repeat) => {
  const scenario = await (await fetch('scenarios/bench.toml')).text();
  const worker = new Worker('./worker.js', { type: 'module' });
  const times = [];
  for (let i = 0; i < repeat; i += 1) {
    times.push(await new Promise((resolve) => {
      worker.onmessage = ({ data }) => {
        if (data.type === 'done') resolve(data.engineMs);
      };
      worker.postMessage({ type: 'run', id: i, scenario, format: 'toml', options: { seed: 2000 + i }, workers: 1 });
    }));
  }
  worker.terminate();
  return Math.min(...times);
}, REPEAT);
const workers = await page.evaluate(() => navigator.hardwareConcurrency);
await browser.close();

const best = (key) => Math.min(...runs.map((r) => r[key]));
const weeks = 104;
const paths = runs[0].paths;
const wasmRate = (paths * weeks) / (best('runMs') / 1000);
const engineRate = (paths * weeks) / (single / 1000);

let nativeRate = null;
try {
  const out = execFileSync('cargo', ['run', '-q', '--release', '-p', 'cli', '--', 'bench', '--repeat', '3'], { cwd: ROOT, encoding: 'utf8' });
  const line = out.split('\n').find((l) => /^\s*1\s+/.test(l));
  nativeRate = line ? Number(line.trim().split(/\s+/)[2]) : null;
} catch (e) {
  console.error(`native bench failed: ${e.message}`);
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log(`bench.toml in the browser: ${fmt(paths)} paths x ${weeks} weeks, best of ${REPEAT}`);
console.log(`  edit -> first estimate on screen : ${fmt(best('firstMs'))} ms (includes the 40 ms debounce)`);
console.log(`  edit -> full run done            : ${fmt(best('doneMs'))} ms`);
console.log(`  run start -> done (worker)       : ${fmt(best('runMs'))} ms`);
console.log(`  app run: workers                 : ${workers} (navigator.hardwareConcurrency, max 8)`);
console.log(`  app run: path-weeks/s            : ${fmt(wasmRate)} (incl. reports + drawing)`);
console.log(`  one worker, engine time          : ${fmt(single)} ms`);
console.log(`  wasm engine alone (1 worker)     : ${fmt(engineRate)} path-weeks/s`);
if (nativeRate) {
  console.log(`  native engine, 1 thread          : ${fmt(nativeRate)} path-weeks/s`);
  console.log(`  native / wasm engine (1 thread)  : ${(nativeRate / engineRate).toFixed(2)}x`);
}
for (const f of readdirSync(DIST).filter((f) => f.endsWith('.wasm')).sort()) {
  const size = statSync(join(DIST, f)).size;
  console.log(`  ${f.padEnd(32)} : ${fmt(size)} bytes (${(size / 1024).toFixed(0)} KiB)`);
}
