// Headroom JavaScript API: the simulation engine (crates/wasm) without the UI.
//
//   import Headroom from './headroom.js';
//   await Headroom.init();
//   const report = await Headroom.simulate(tomlText, { onProgress: (p) => ... });
//
// Types: headroom.d.ts beside this file. Documentation: README.md, "JavaScript API".
//
// Everything is loaded relative to this file (or to init()'s baseUrl): wasm.js and
// wasm_bg.wasm, plus worker.js for { worker: true }. No inline script, no eval, no network
// beyond those files, so it works under `script-src 'self' 'wasm-unsafe-eval'` and under any
// sub-path.

let wasm = null; // the wasm-bindgen module once init() resolved
let initPromise = null;
let baseHref = null;

/** Error carrying the engine's diagnostics ({path, message, hint}[]). */
export class HeadroomError extends Error {
  constructor(diagnostics) {
    const list = Array.isArray(diagnostics) ? diagnostics : [];
    super(list.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('\n') || 'Headroom error');
    this.name = 'HeadroomError';
    this.diagnostics = list;
  }
}

function diagnosticsOf(error) {
  const message = error instanceof Error ? error.message : String(error);
  try {
    const parsed = JSON.parse(message);
    if (Array.isArray(parsed)) return parsed;
  } catch {
    // not produced by the adapter (a wasm trap, say)
  }
  return [{ path: '', message, hint: null }];
}

function requireInit() {
  if (!wasm) throw new Error('Headroom.init() has not completed');
  return wasm;
}

/** 'json' when the text looks like a JSON object, else 'toml'. */
function detectFormat(text, format) {
  if (format) return format;
  return /^\s*\{/.test(text) ? 'json' : 'toml';
}

/**
 * Loads the engine. `baseUrl` is the folder holding wasm.js and wasm_bg.wasm (default: this
 * module's folder). Safe to call more than once.
 */
export function init(baseUrl) {
  if (!initPromise) {
    const relativeTo = baseUrl ? (globalThis.document?.baseURI ?? globalThis.location?.href) : import.meta.url;
    baseHref = new URL(baseUrl ?? './', relativeTo).href;
    initPromise = (async () => {
      const mod = await import(new URL('wasm.js', baseHref).href);
      await mod.default({ module_or_path: new URL('wasm_bg.wasm', baseHref) });
      wasm = mod;
      return api;
    })();
    initPromise.catch(() => {
      initPromise = null;
    });
  }
  return initPromise;
}

/** Diagnostics of a scenario text; an empty array when it is valid. Never throws. */
export function validate(text, format) {
  const w = requireInit();
  return JSON.parse(w.validate(String(text), detectFormat(String(text), format)));
}

/** Parses a scenario (TOML or JSON text) into its normalized object; throws HeadroomError. */
export function parse(text, format) {
  const w = requireInit();
  try {
    return JSON.parse(w.parseScenario(String(text), detectFormat(String(text), format)));
  } catch (e) {
    throw new HeadroomError(diagnosticsOf(e));
  }
}

/** Renders a scenario (object or JSON text) as TOML; throws HeadroomError. */
export function toToml(scenario) {
  const w = requireInit();
  const json = typeof scenario === 'string' ? scenario : JSON.stringify(scenario);
  try {
    return w.scenarioToToml(json);
  } catch (e) {
    throw new HeadroomError(diagnosticsOf(e));
  }
}

/** RunOptions JSON; a bigint or decimal-string seed keeps all 64 bits. */
function optionsJson({ paths, seed, stress } = {}) {
  const parts = [];
  if (paths !== undefined && paths !== null) parts.push(`"paths":${JSON.stringify(Number(paths))}`);
  if (seed !== undefined && seed !== null) {
    const s = typeof seed === 'bigint' || typeof seed === 'string' ? String(seed) : JSON.stringify(seed);
    if (!/^\d+$/.test(s)) throw new HeadroomError([{ path: 'seed', message: `invalid seed ${s}`, hint: 'a non-negative integer' }]);
    parts.push(`"seed":${s}`);
  }
  parts.push(`"stress":${JSON.stringify(stress ?? [])}`);
  return `{${parts.join(',')}}`;
}

/** Scenario JSON text from a TOML/JSON text or an object. */
function scenarioJson(w, scenario, format) {
  if (typeof scenario !== 'string') return JSON.stringify(scenario);
  const fmt = detectFormat(scenario, format);
  if (fmt === 'json') return scenario;
  try {
    return w.parseScenario(scenario, fmt);
  } catch (e) {
    throw new HeadroomError(diagnosticsOf(e));
  }
}

function abortReason(signal) {
  return signal.reason ?? new DOMException('The simulation was aborted', 'AbortError');
}

// A MessageChannel round trip queues a task at once (setTimeout(0) is clamped to 4 ms),
// letting rendering and input run between chunks.
const channel = typeof MessageChannel === 'function' ? new MessageChannel() : null;
const waiting = [];
if (channel) channel.port1.onmessage = () => waiting.shift()();
function yieldToEventLoop() {
  return new Promise((resolve) => {
    if (channel) {
      waiting.push(resolve);
      channel.port2.postMessage(null);
    } else {
      setTimeout(resolve, 0);
    }
  });
}

// How often onProgress carries a fresh report (as in worker.js).
const REPORT_EVERY_MS = 150;

/**
 * Runs a scenario (TOML/JSON text or object) and resolves with the report. Runs on this
 * thread one chunk at a time, yielding between chunks; `{ worker: true }` runs it in
 * worker.js instead. Paths and seed default to the scenario's own (the CLI's defaults).
 */
export async function simulate(scenario, options = {}) {
  const w = requireInit();
  const { signal, onProgress, format } = options;
  if (signal?.aborted) throw abortReason(signal);
  const json = scenarioJson(w, scenario, format);
  const opts = optionsJson(options);
  if (options.worker) return simulateInWorker(json, opts, signal, onProgress);

  let run;
  try {
    run = new w.Run(json, opts);
  } catch (e) {
    throw new HeadroomError(diagnosticsOf(e));
  }
  try {
    const total = run.chunkCount();
    let lastReport = -Infinity;
    for (let done = 1; ; done += 1) {
      const finished = run.step();
      if (onProgress && !finished) {
        const progress = { done, total, paths: run.pathsDone() };
        // Same cadence as worker.js: a report per chunk would cost as much as the chunks.
        const now = performance.now();
        if (now - lastReport >= REPORT_EVERY_MS) {
          progress.report = JSON.parse(run.reportJson());
          lastReport = now;
        }
        onProgress(progress);
      }
      if (finished) {
        const report = JSON.parse(run.reportJson());
        onProgress?.({ done: total, total, paths: run.pathsDone(), report });
        return report;
      }
      await yieldToEventLoop();
      if (signal?.aborted) throw abortReason(signal);
    }
  } catch (e) {
    if (e instanceof HeadroomError || e === signal?.reason || e?.name === 'AbortError') throw e;
    throw new HeadroomError(diagnosticsOf(e));
  } finally {
    run.free();
  }
}

function simulateInWorker(json, opts, signal, onProgress) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('worker.js', baseHref), { type: 'module' });
    const finish = (settle, value) => {
      worker.terminate();
      signal?.removeEventListener('abort', onAbort);
      settle(value);
    };
    const onAbort = () => finish(reject, abortReason(signal));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.onerror = (event) => finish(reject, new HeadroomError([{ path: '', message: event.message ?? 'worker failed', hint: null }]));
    worker.onmessage = ({ data }) => {
      if (data.type === 'progress') {
        const progress = { done: data.done, total: data.total, paths: data.paths };
        if (data.report !== undefined) progress.report = JSON.parse(data.report);
        onProgress?.(progress);
      } else if (data.type === 'done') {
        const report = JSON.parse(data.report);
        onProgress?.({ done: data.total, total: data.total, paths: data.paths, report });
        finish(resolve, report);
      } else if (data.type === 'error') {
        finish(reject, new HeadroomError(data.diagnostics));
      }
    };
    worker.postMessage({ type: 'run', id: 1, scenario: json, options: JSON.parse(opts) });
  });
}

const api = {
  init,
  validate,
  parse,
  toToml,
  simulate,
  HeadroomError,
  /** Engine version (semver) of the loaded module; null before init(). */
  get engineVersion() {
    return wasm ? wasm.engineVersion() : null;
  },
};

export const Headroom = api;
export default api;
