// Share links and embeds (issue 4) and untrusted links (issue 6), against dist/ served as a
// wiki would host it: under a sub-path with the strict Content-Security-Policy header.
//
// - "Copy link" gives a URL that reopens the exact run (same digest) in a fresh browser;
// - opening a link keeps the replaced work aside (restorable), a link from another engine
//   version says so, damaged links change nothing;
// - an embed (`?embed=…#hr1.…`) iframed by a page of ANOTHER ORIGIN renders with the same
//   digest, fills its frame without scrollbars and writes no storage;
// - hostile names inside a link stay text (title, cards, charts, CSV, embed, iframe snippet).
//
// Environment (set by `cargo xtask test`): WIKI_URL, CHROMIUM_PATH.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT_DIR = join(HERE, 'out');
const WIKI_URL = process.env.WIKI_URL ?? 'http://127.0.0.1:8080/';
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RUN_TIMEOUT = 120_000;

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

// ---- the link format (crates/share), re-implemented to build and damage links ----

function crc32(bytes) {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k += 1) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function decodeLink(code) {
  const bytes = Buffer.from(code.replace(/^#?hr1\./, ''), 'base64url');
  const n = bytes.readUInt32BE(0);
  assert.equal(crc32(bytes.subarray(0, 4 + n)), bytes.readUInt32BE(4 + n));
  return JSON.parse(inflateRawSync(bytes.subarray(4, 4 + n)).toString('utf8'));
}

function encodeLink(payload) {
  const deflated = deflateRawSync(Buffer.from(JSON.stringify(payload)), { level: 9 });
  const framed = Buffer.alloc(4 + deflated.length);
  framed.writeUInt32BE(deflated.length, 0);
  deflated.copy(framed, 4);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(framed), 0);
  return `hr1.${Buffer.concat([framed, crc]).toString('base64url')}`;
}

// ---- pages ----

/** A fresh context (empty storage) and a page recording errors, CSP violations, 4xx/5xx. */
async function openContext(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true, ...options });
  const problems = [];
  context.on('page', (page) => watch(page, problems));
  const page = await context.newPage();
  return { context, page, problems };
}

function watch(page, problems) {
  page.on('console', (msg) => {
    if (msg.type() === 'error' || /Content Security Policy|Refused to/i.test(msg.text())) {
      problems.push(`console ${msg.type()}: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
}

async function gotoApp(page, url = WIKI_URL) {
  await page.goto(url);
  await page.waitForFunction(() => typeof window.__headroom_edit === 'function');
}

/** Waits for a finished, current run in `root` (page or frame): optionally with or without a
 *  digest, or with run settings (`meta`, substrings of the run line: "seed 4242 · 1,000 paths"). */
async function waitDone(root, { digest, notDigest, meta, timeout = RUN_TIMEOUT } = {}) {
  await root.waitForFunction(
    ({ digest, notDigest, meta }) => {
      const el = document.querySelector('[data-testid=results]');
      if (!el) return false;
      const state = el.getAttribute('data-state');
      const d = el.getAttribute('data-digest');
      if (state === 'error') return true;
      if (state !== 'done' || el.getAttribute('data-stale') !== 'false') return false;
      if (digest && d !== digest) return false;
      if (notDigest && d === notDigest) return false;
      const line = document.querySelector('[data-testid=run-meta]')?.textContent ?? '';
      if (meta && !meta.every((m) => line.includes(m))) return false;
      return true;
    },
    { digest, notDigest, meta },
    { timeout, polling: 50 },
  );
  const el = root.locator('[data-testid=results]');
  assert.equal(await el.getAttribute('data-state'), 'done', await el.innerText());
  return el.getAttribute('data-digest');
}

/** Clicks "Copy link" and returns the URL it produced (shown in the panel in every case). */
async function copyLink(page) {
  await page.locator('[data-testid=copy-link]').click();
  const status = page.locator('[data-testid=link-status]');
  await page.waitForFunction(() => !/Copying/.test(document.querySelector('[data-testid=link-status]')?.textContent ?? 'Copying'));
  const url = await page.locator('[data-testid=link-url]').inputValue();
  assert.ok(url.startsWith(`${WIKI_URL}#hr1.`), url);
  return { url, status: await status.innerText() };
}

/** A valid link to a small run of a library scenario (seed, paths, stress set), and its digest. */
async function makeLink({ file = 'architectures.toml', stress = 'partner-deal', seed = 4242, paths = 1000 } = {}) {
  const { context, page, problems } = await openContext();
  await gotoApp(page);
  await waitDone(page);
  await page.selectOption('[data-testid=library]', file);
  await page.evaluate(({ seed, paths }) => {
    window.__headroom_edit('seed', seed);
    window.__headroom_edit('paths', paths);
  }, { seed, paths });
  if (stress) await page.locator(`input[data-stress="${stress}"]`).check();
  const digest = await waitDone(page, { meta: [`seed ${seed} `, `${paths.toLocaleString('en-US')} paths`, stress ? `stress: ${stress}` : 'no stress test'] });
  const { url } = await copyLink(page);
  assert.deepEqual(problems, []);
  await context.close();
  return { url, code: new URL(url).hash.slice(1), digest };
}

const results = (root) => root.locator('[data-testid=results]');

// ---- share links ----

test('Copy link puts the run in the clipboard; a fresh browser opening it gets the same digest', async () => {
  const { context, page, problems } = await openContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  await gotoApp(page);
  await waitDone(page);
  await page.selectOption('[data-testid=library]', 'architectures.toml');
  await page.evaluate(() => {
    window.__headroom_edit('seed', 4242);
    window.__headroom_edit('paths', 1000);
  });
  await page.locator('input[data-stress="partner-deal"]').check();
  const digest = await waitDone(page, { meta: ['seed 4242 ', '1,000 paths', 'stress: partner-deal'] });
  const { url, status } = await copyLink(page);
  assert.match(status, /copied to the clipboard/i);
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);
  // The address bar shows the link too, and reloading it changes nothing.
  assert.equal(page.url(), url);
  const link = decodeLink(new URL(url).hash);
  assert.equal(link.seed, 4242);
  assert.equal(link.paths, 1000);
  assert.deepEqual(link.stress, ['partner-deal']);
  assert.match(link.engine, /^\d+\.\d+\.\d+/);
  assert.equal(JSON.parse(link.scenario).name, 'Sourcing architectures');
  assert.deepEqual(problems, []);
  await context.close();

  const fresh = await openContext();
  await gotoApp(fresh.page, url);
  assert.equal(await waitDone(fresh.page, { digest }), digest);
  assert.match(await fresh.page.locator('[data-testid=link-notice]').innerText(), /Opened a shared link: "Sourcing architectures"/);
  // Nothing was replaced in a fresh browser, so nothing was kept aside.
  assert.equal(await fresh.page.locator('[data-testid=restore-previous]').count(), 0);
  assert.ok(await fresh.page.locator('input[data-stress="partner-deal"]').isChecked());
  assert.equal(await fresh.page.locator('[data-testid=seed]').innerText(), '4242');
  assert.equal(await fresh.page.locator('[data-testid=engine-notice], [data-testid=link-engine-notice], [data-testid=link-error]').count(), 0);
  // A reload keeps it (autosaved, and the address still matches the state).
  await fresh.page.reload();
  await fresh.page.waitForFunction(() => typeof window.__headroom_edit === 'function');
  assert.equal(await waitDone(fresh.page, { digest }), digest);
  // The first edit takes the stale link out of the address bar.
  await fresh.page.evaluate(() => window.__headroom_edit('seed', 4243));
  await waitDone(fresh.page, { notDigest: digest });
  assert.equal(new URL(fresh.page.url()).hash, '');
  assert.deepEqual(fresh.problems, []);
  await fresh.context.close();
});

test('without a clipboard, the link is shown selected to copy by hand', async () => {
  const { context, page, problems } = await openContext();
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined });
  });
  await gotoApp(page);
  await waitDone(page);
  const { url, status } = await copyLink(page);
  assert.match(status, /by hand/);
  const selected = await page.evaluate(() => {
    const el = document.activeElement;
    return { id: el?.dataset.testid, start: el?.selectionStart, end: el?.selectionEnd, length: el?.value.length };
  });
  assert.deepEqual(selected, { id: 'link-url', start: 0, end: url.length, length: url.length });
  assert.deepEqual(problems, []);
  await context.close();
});

test('opening a link keeps the replaced work aside, and Restore brings it back', async () => {
  const { url, digest } = await makeLink();
  const { context, page, problems } = await openContext();
  await gotoApp(page);
  const library = await waitDone(page);
  await page.evaluate(() => window.__headroom_edit('name', 'My own work'));
  await page.evaluate(() => window.__headroom_edit('workloads[0].base_gpus', 333));
  const mine = await waitDone(page, { notDigest: library });
  await page.waitForTimeout(600); // the autosave is debounced

  // Opening the link in the running app (hashchange) ...
  await page.goto(url);
  await waitDone(page, { digest });
  const notice = page.locator('[data-testid=link-notice]');
  assert.match(await notice.innerText(), /previous working scenario "My own work" was kept/);
  const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('headroom.autosave.aside.v1')));
  assert.equal(kept.length, 1);
  assert.equal(kept[0].saved.doc.name, 'My own work');
  const saved = await page.evaluate(() => JSON.parse(localStorage.getItem('headroom.autosave.v1')));
  assert.equal(saved.doc.name, 'Sourcing architectures');

  // ... and Restore puts the previous work back (the shared scenario goes aside in turn).
  await page.locator('[data-testid=restore-previous]').click();
  assert.equal(await waitDone(page, { digest: mine }), mine);
  assert.equal(await page.evaluate(() => window.__headroom_doc().name), 'My own work');
  assert.equal(await notice.count(), 0);
  assert.equal(new URL(page.url()).hash, '');
  const after = await page.evaluate(() => JSON.parse(localStorage.getItem('headroom.autosave.aside.v1')));
  assert.deepEqual(after.map((k) => k.saved.doc.name), ['Sourcing architectures']);

  // Opening a link on load (new page, same browser) keeps the work aside the same way.
  const second = await context.newPage();
  await gotoApp(second, url);
  await waitDone(second, { digest });
  assert.match(await second.locator('[data-testid=link-notice]').innerText(), /"My own work" was kept/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a link from another engine version opens with a visible notice', async () => {
  const { code, digest } = await makeLink({ file: 'three-lane.toml', stress: null, seed: 11, paths: 600 });
  const link = decodeLink(code);
  const older = encodeLink({ ...link, engine: '0.0.1-older' });
  const { context, page, problems } = await openContext();
  await gotoApp(page, `${WIKI_URL}#${older}`);
  const notice = page.locator('[data-testid=link-engine-notice]');
  await notice.waitFor();
  const text = await notice.innerText();
  assert.match(text, /0\.0\.1-older/);
  assert.match(text, /may differ/);
  assert.ok(await notice.isVisible());
  // This engine's numbers (here the same engine, so the same digest).
  assert.equal(await waitDone(page, { digest }), digest);
  assert.deepEqual(problems, []);
  await context.close();
});

test('tampered, truncated and garbage links show an error and change nothing', async () => {
  const { code } = await makeLink({ file: 'three-lane.toml', stress: null, seed: 12, paths: 600 });
  const mid = Math.floor(code.length / 2);
  const flipped = code[mid] === 'A' ? 'B' : 'A';
  const cases = [
    ['tampered', `${code.slice(0, mid)}${flipped}${code.slice(mid + 1)}`, /damaged/],
    ['truncated', code.slice(0, -7), /incomplete|cut off/],
    ['garbage', 'hr1.<script>alert(1)</script>', /damaged/],
    ['newer format', 'hr7.AAAA', /newer Headroom/],
  ];
  for (const [what, bad, message] of cases) {
    const { context, page, problems } = await openContext();
    await gotoApp(page, `${WIKI_URL}#${bad}`);
    const error = page.locator('[data-testid=link-error]');
    await error.waitFor();
    assert.match(await error.innerText(), message, what);
    assert.match(await error.innerText(), /Nothing was changed/, what);
    assert.equal(await error.getAttribute('role'), 'alert');
    // The app still works, on the library scenario.
    await waitDone(page);
    assert.equal(await page.evaluate(() => window.__headroom_doc().name), 'Three-lane portfolio vs single lane', what);
    assert.equal(await page.locator('[data-testid=kpi-0]').count(), 1, what);
    assert.deepEqual(problems, [], what);
    await context.close();
  }

  // The same in a running app (hashchange): the working scenario stays as it was.
  const { context, page, problems } = await openContext();
  await gotoApp(page);
  const digest = await waitDone(page);
  await page.evaluate(() => window.__headroom_edit('seed', 99));
  const edited = await waitDone(page, { notDigest: digest });
  const doc = await page.evaluate(() => JSON.stringify(window.__headroom_doc()));
  await page.evaluate((bad) => { location.hash = bad; }, cases[0][1]);
  await page.locator('[data-testid=link-error]').waitFor();
  assert.equal(await page.evaluate(() => JSON.stringify(window.__headroom_doc())), doc);
  await page.waitForTimeout(400);
  assert.equal(await results(page).getAttribute('data-digest'), edited);
  assert.equal(await results(page).getAttribute('data-state'), 'done');
  // An ordinary anchor is not a link.
  await page.locator('.skip').focus();
  await page.keyboard.press('Enter');
  await page.locator('[data-testid=link-error]').locator('button').click();
  await page.waitForTimeout(100);
  assert.equal(await page.locator('[data-testid=link-error]').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

// ---- embeds ----

/** A page on another origin (another port) that holds `body` (iframe snippets), with a CSP
 *  like a wiki's: frames only from the Headroom host. */
async function startHost(body) {
  const frameOrigin = new URL(WIKI_URL).origin;
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Wiki page</title></head>
<body style="margin:20px"><h1>Capacity plan</h1>${body}</body></html>`;
  const server = createServer((req, res) => {
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': `default-src 'none'; frame-src ${frameOrigin}; style-src 'unsafe-inline'`,
    });
    res.end(html);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}/page.html` };
}

/** Opens the Embed dialog, picks `what`, returns the snippet and the iframe's src. */
async function embedSnippet(page, what, size) {
  if ((await page.locator('[data-testid=embed-dialog]').count()) === 0) {
    await page.locator('[data-testid=embed-open]').click();
  }
  await page.selectOption('[data-testid=embed-what]', what);
  if (size) {
    await page.locator('[data-testid=embed-width]').fill(String(size[0]));
    await page.locator('[data-testid=embed-width]').dispatchEvent('change');
    await page.locator('[data-testid=embed-height]').fill(String(size[1]));
    await page.locator('[data-testid=embed-height]').dispatchEvent('change');
  }
  const snippet = await page.locator('[data-testid=embed-code]').inputValue();
  const parsed = await page.evaluate((s) => {
    const doc = new DOMParser().parseFromString(s, 'text/html');
    const frames = [...doc.body.children];
    return frames.map((f) => ({ tag: f.tagName, src: f.getAttribute('src'), title: f.getAttribute('title'), width: f.getAttribute('width'), height: f.getAttribute('height') }));
  }, snippet);
  assert.equal(parsed.length, 1, snippet);
  assert.equal(parsed[0].tag, 'IFRAME');
  return { snippet, ...parsed[0] };
}

test('embeds iframed by another origin render the linked run (sub-path, strict CSP)', async () => {
  // The author: a scenario, its digest, and the embed codes from the dialog.
  const author = await openContext();
  await gotoApp(author.page);
  await waitDone(author.page);
  await author.page.evaluate(() => window.__headroom_edit('paths', 800));
  const digest = await waitDone(author.page, { meta: ['800 paths'] });
  const snippets = [];
  for (const [what, size] of [['chart:demand-fan', null], ['chart:provider-mix', [700, 330]], ['kpi:2', null], ['comparisons', null]]) {
    const s = await embedSnippet(author.page, what, size);
    assert.ok(s.src.startsWith(`${WIKI_URL}?embed=${what}#hr1.`), s.src);
    assert.match(s.title, /^Headroom: .+ — Three-lane portfolio vs single lane$/);
    if (size) assert.deepEqual([s.width, s.height], size.map(String));
    snippets.push({ what, ...s });
  }
  assert.deepEqual(author.problems, []);
  await author.context.close();

  // The reader: a wiki page on another origin with the four iframes.
  const host = await startHost(snippets.map((s) => `<p>${s.snippet}</p>`).join('\n'));
  try {
    // Tall enough that no iframe is below the fold (they load lazily).
    const { context, page, problems } = await openContext({ viewport: { width: 1200, height: 2000 } });
    await page.goto(host.url);
    const frameOf = async (what) => {
      for (let i = 0; i < 300; i += 1) {
        const frame = page.frames().find((f) => f.url().includes(`?embed=${what}#hr1.`));
        if (frame) return frame;
        await page.waitForTimeout(100);
      }
      return null;
    };
    for (const s of snippets) {
      const frame = await frameOf(s.what);
      assert.ok(frame, `no frame for ${s.what}`);
      assert.notEqual(new URL(frame.url()).origin, new URL(host.url).origin);
      assert.equal(await waitDone(frame, { digest }), digest, s.what);
      assert.equal(await results(frame).getAttribute('data-embed'), s.what);
      // Fills the frame, without scrollbars.
      await page.waitForTimeout(150);
      const fit = await frame.evaluate(() => {
        const html = document.documentElement;
        const body = document.querySelector('.embed-body');
        return {
          width: innerWidth, height: innerHeight,
          scrollW: html.scrollWidth, scrollH: html.scrollHeight,
          bodyScroll: body.scrollHeight - body.clientHeight, bodyScrollW: body.scrollWidth - body.clientWidth,
          svg: (() => { const r = document.querySelector('.embed-chart svg')?.getBoundingClientRect(); return r ? [r.width, r.height] : null; })(),
          storage: localStorage.length,
        };
      });
      assert.equal(fit.width, Number(s.width), s.what);
      assert.ok(fit.scrollW <= fit.width && fit.scrollH <= fit.height, `${s.what}: ${JSON.stringify(fit)}`);
      assert.ok(fit.bodyScroll <= 0 && fit.bodyScrollW <= 0, `${s.what} overflows: ${JSON.stringify(fit)}`);
      assert.equal(fit.storage, 0, `${s.what} wrote to storage`);
      if (s.what.startsWith('chart:')) {
        assert.ok(fit.svg[0] > fit.width * 0.9 && fit.svg[1] > fit.height * 0.75, `${s.what}: ${JSON.stringify(fit)}`);
      }
      const open = frame.locator('[data-testid=embed-open-app]');
      assert.equal(await open.getAttribute('href'), `${WIKI_URL}${new URL(s.src).hash}`);
    }
    const kpi = page.frames().find((f) => f.url().includes('embed=kpi:2'));
    assert.equal(await kpi.locator('[data-testid=kpi-1]').count(), 1);
    assert.equal(await kpi.locator('[data-testid=kpi-0]').count(), 0);
    const comparisons = page.frames().find((f) => f.url().includes('embed=comparisons'));
    assert.ok((await comparisons.locator('[data-testid=comparisons] tbody tr').count()) >= 1);
    mkdirSync(OUT_DIR, { recursive: true });
    await page.screenshot({ path: join(OUT_DIR, 'embeds.png'), fullPage: true });
    assert.deepEqual(problems, []);
    await context.close();
  } finally {
    host.server.close();
  }
});

test('an embed writes nothing: the reader\'s own working scenario stays', async () => {
  const { code, digest } = await makeLink({ file: 'three-lane.toml', stress: null, seed: 13, paths: 600 });
  const { context, page, problems } = await openContext();
  await gotoApp(page);
  await waitDone(page);
  await page.evaluate(() => window.__headroom_edit('name', 'Reader work'));
  await page.waitForTimeout(600);
  const before = await page.evaluate(() => JSON.stringify({ ...localStorage }));
  assert.match(before, /Reader work/);
  const embed = await context.newPage();
  await embed.goto(`${WIKI_URL}?embed=kpi:1#${code}`);
  assert.equal(await waitDone(embed, { digest }), digest);
  await embed.waitForTimeout(600);
  assert.equal(await embed.evaluate(() => JSON.stringify({ ...localStorage })), before);
  assert.equal(await embed.locator('.embed-title').innerText(), 'Three-lane portfolio vs single lane');
  assert.equal(await embed.locator('[data-testid=copy-link], [data-testid=library]').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('unusable embed addresses say why instead of breaking', async () => {
  const { code } = await makeLink({ file: 'three-lane.toml', stress: null, seed: 14, paths: 600 });
  const cases = [
    [`?embed=pie#${code}`, /embed="pie": this is not something Headroom can embed.*chart:NAME/s],
    [`?embed=chart:pie#${code}`, /no chart called "pie"/],
    [`?embed=kpi:0#${code}`, /numbered from 1/],
    ['?embed=chart:demand-fan', /carries no scenario/],
    [`?embed=comparisons#${code.slice(0, -5)}`, /incomplete/],
    [`?embed=%3Cimg%20src%3Dx%20onerror%3Dwindow.__pwned%3D1%3E#${code}`, /embed="<img src=x onerror=window.__pwned=1>"/],
  ];
  for (const [query, message] of cases) {
    const { context, page, problems } = await openContext();
    await page.goto(`${WIKI_URL}${query}`);
    const error = page.locator('[data-testid=embed-error]');
    await error.waitFor();
    assert.match(await error.innerText(), message, query);
    assert.equal(await results(page).getAttribute('data-state'), 'error', query);
    assert.equal(await page.locator('img[src=x]').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.deepEqual(problems, [], query);
    await context.close();
  }
  // A portfolio the scenario does not have: known once the run reports.
  const { context, page, problems } = await openContext();
  await page.goto(`${WIKI_URL}?embed=kpi:9#${code}`);
  await waitDone(page);
  assert.match(await page.locator('[data-testid=embed-error]').innerText(), /has 3 portfolio\(s\): there is no portfolio 9/);
  assert.deepEqual(problems, []);
  await context.close();
});

// ---- untrusted names ----

const IMG = '<img src=x onerror="window.__pwned=1">';
const CMD = "=cmd|' /C calc'!A0";
const SVG_SCRIPT = '</svg><script>window.__pwned=3</script>';

test('hostile names in a link stay text: title, notice, cards, charts, CSV, embed and snippet', async () => {
  const author = await openContext();
  await gotoApp(author.page);
  const library = await waitDone(author.page);
  await author.page.evaluate(({ IMG, CMD, SVG_SCRIPT }) => {
    window.__headroom_edit('', {
      name: IMG,
      description: SVG_SCRIPT,
      paths: 400,
      seed: 5,
      workloads: [{ name: SVG_SCRIPT, base_gpus: 10 }],
      providers: [{ name: SVG_SCRIPT, reserved_price: 2, on_demand_price: 3 }],
      portfolios: [
        { name: CMD, contracts: [{ provider: SVG_SCRIPT, gpus: 12, term_weeks: 104 }] },
        { name: IMG, contracts: [{ provider: SVG_SCRIPT, gpus: 8, term_weeks: 104 }], burst: [{ provider: SVG_SCRIPT, max_gpus: 10 }] },
      ],
    });
  }, { IMG, CMD, SVG_SCRIPT });
  const digest = await waitDone(author.page, { notDigest: library, meta: ['seed 5 ', '400 paths'] });
  const { url } = await copyLink(author.page);
  // The embed snippet's title is escaped: pasted into a page it is one iframe with a literal title.
  const snippet = await embedSnippet(author.page, 'kpi:2');
  assert.equal(snippet.title, `Headroom: KPI card of ${IMG} — ${IMG}`);
  assert.ok(!snippet.snippet.includes('<img') && !snippet.snippet.includes('<script'), snippet.snippet);
  assert.deepEqual(author.problems, []);
  await author.context.close();

  const { context, page, problems } = await openContext();
  await gotoApp(page, url);
  await waitDone(page, { digest });
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.title(), `Headroom — ${IMG}`);
  assert.equal(await page.locator('img[src=x]').count(), 0);
  assert.equal(await page.locator('script', { hasText: '__pwned' }).count(), 0);
  assert.ok((await page.locator('[data-testid=link-notice]').innerText()).includes(`"${IMG}"`));
  assert.ok((await page.locator('[data-testid=kpi-0]').innerText()).includes(CMD));
  assert.ok((await page.locator('[data-testid=kpi-1]').innerText()).includes(IMG));
  assert.ok((await page.locator('.scenario-name').innerText()).includes(IMG));
  assert.ok((await page.locator('[data-testid=scenario-summary]').innerText()).includes(IMG));
  const comparisons = await page.locator('[data-testid=comparisons]').innerText();
  assert.ok(comparisons.includes(CMD) && comparisons.includes(IMG), comparisons);
  const frames = await page.locator('.chart-frame').evaluateAll((els) => els.map((e) => e.innerHTML));
  for (const html of frames) assert.ok(!/<img|<script|<\/svg><script/i.test(html), html.slice(0, 200));
  assert.ok(frames.some((h) => h.includes('&lt;img src=x')), 'no chart shows the portfolio name');
  assert.ok(frames.some((h) => h.includes('&lt;/svg&gt;')), 'no chart shows the provider name');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=export-csv]').click()]);
  const rows = readFileSync(await csv.path(), 'utf8').trim().split('\n');
  assert.ok(rows[1].startsWith(`'${CMD}`), rows[1]);
  assert.ok(rows.some((r) => r.includes(IMG.replaceAll('"', '""'))), rows.join('\n'));

  // The embed of the same link shows the names as text too.
  const embed = await context.newPage();
  await embed.goto(snippet.src);
  await waitDone(embed, { digest });
  assert.equal(await embed.locator('.embed-title').innerText(), IMG);
  assert.ok((await embed.locator('[data-testid=kpi-1]').innerText()).includes(IMG));
  assert.equal(await embed.title(), `Headroom — ${IMG}`);
  const chartEmbed = await context.newPage();
  await chartEmbed.goto(snippet.src.replace('embed=kpi:2', 'embed=chart:cost-distribution'));
  await waitDone(chartEmbed, { digest });
  const svg = await chartEmbed.locator('.embed-chart').innerHTML();
  assert.ok(svg.startsWith('<svg') && svg.includes('&lt;img src=x') && !/<img|<script/i.test(svg), svg.slice(0, 300));
  for (const p of [page, embed, chartEmbed]) {
    assert.equal(await p.locator('img[src=x]').count(), 0);
    assert.equal(await p.evaluate(() => window.__pwned), undefined);
  }
  assert.deepEqual(problems, []);
  await context.close();
});
