// Module Web Worker that runs the engine (crates/wasm) off the main thread.
//
// Trunk builds crates/wasm from index.html with data-type="worker" and
// data-bindgen-target="web": "worker" keeps the output names unhashed (wasm.js,
// wasm_bg.wasm) so this file can import them by a fixed name, and the "web" target gives
// an ES module so this can be a module worker. This file itself is copied verbatim by
// rel="copy-file". init() fetches wasm_bg.wasm relative to import.meta.url: same origin.
//
// Protocol (plain objects over postMessage):
//   in : {type:'run', id, scenario, options, format?, workers?}   scenario is a JSON string,
//        or TOML text when format is 'toml' (it is then parsed by the engine first); workers
//        caps the workers used (this one plus helpers, see pool.js; default: one per core,
//        at most 8). Any worker count gives the same report, bit for bit.
//        {type:'cancel', id}
//        {type:'crash'}        test hook: throws an uncaught error (the page sees an `error`
//                              event on the Worker and restarts it)
//        {type:'optimize', id, scenario, options}      decision jobs (crates/wasm/src/decide.rs):
//        {type:'sensitivity', id, scenario, options}   scenario is a JSON string, options the
//                              engine's OptimizeOptions / SensitivityOptions object. One blocking
//                              call: nothing else (not even a 'cancel') is handled until it
//                              returns, so the page sends these to a worker instance of their
//                              own and cancels one by terminating that worker.
//   out: {type:'ready', engineVersion}
//        {type:'progress', id, done, total, paths, report?}  as chunks merge, until the last
//        (done/total count chunks merged from chunk 0 on, paths the paths in them). report, the report JSON so far, comes with
//        the first chunk and then at most every REPORT_EVERY_MS: finalizing and drawing a
//        report costs about as much as a chunk, so doing it per chunk halved the throughput.
//        {type:'done', id, report, paths, total, engineMs, workers}   engineMs: this worker's
//                                        time inside the engine (chunks run here and merges)
//        helper messages ('job', 'chunk' in; 'chunk-done', 'chunk-error' out): see pool.js
//        {type:'error', id, diagnostics}                      diagnostics: array
//        {type:'crashed', id, message}   the wasm trapped (e.g. a panic): this instance is
//                                        unusable; the page restarts the worker
//        {type:'job-progress', id, done, total}   decision job progress (optimize: candidates
//                              simulated of the evaluation budget; sensitivity: simulations)
//        {type:'job-done', id, result}   result: the JSON text, exactly as `headroom optimize` /
//                              `headroom sensitivity --format json` print it (errors: 'error')
// A newer 'run' supersedes the current one; chunks yield to the event loop in between so
// a 'cancel' or a newer 'run' is seen within one chunk.

import init, { ChunkRunner, Run, engineVersion, parseScenario, optimize, sensitivity } from './wasm.js';
import { HelperPool, helperCount } from './pool.js';

// The handler is installed before the wasm is ready so no early message is lost.
const ready = init().then(() => {
  self.postMessage({ type: 'ready', engineVersion: engineVersion() });
});

// A refreshed estimate this often is smooth to watch and leaves the engine most of the time.
const REPORT_EVERY_MS = 150;

// Helper workers for this worker's runs, started on the first run that has several chunks.
const pool = new HelperPool(new URL(import.meta.url));

// Bumped by every 'run' and matching 'cancel'; a loop that sees a different value stops.
let generation = 0;
let currentId = null;

self.onmessage = (event) => {
  const msg = event.data;
  if (!msg || typeof msg !== 'object') return;
  if (msg.type === 'run') {
    generation += 1;
    currentId = msg.id;
    const mine = generation;
    ready.then(() => drive(mine, msg)).catch((e) => fail(msg.id, e));
  } else if (msg.type === 'job' || msg.type === 'chunk') {
    ready.then(() => onHelperMessage(msg));
  } else if (msg.type === 'optimize' || msg.type === 'sensitivity') {
    ready.then(() => decide(msg)).catch((e) => fail(msg.id, e));
  } else if (msg.type === 'crash') {
    setTimeout(() => {
      throw new Error('simulated engine crash');
    });
  } else if (msg.type === 'cancel') {
    if (msg.id === currentId) {
      generation += 1;
      currentId = null;
    }
  }
};

// setTimeout(0) is clamped to >= 4 ms after a few nestings; a MessageChannel round trip
// queues a task immediately, letting pending incoming messages run first.
const channel = new MessageChannel();
const waiting = [];
channel.port1.onmessage = () => waiting.shift()();
function yieldToEventLoop() {
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(null);
  });
}

function diagnosticsOf(error) {
  const message = error instanceof Error ? error.message : String(error);
  try {
    const parsed = JSON.parse(message);
    if (Array.isArray(parsed)) return parsed;
  } catch {
    // Not produced by the adapter (e.g. a wasm trap): wrap it below.
  }
  return [{ path: '', message, hint: null }];
}

function fail(id, error) {
  // A trap (panic, out of memory) leaves the wasm instance in an undefined state.
  if (error instanceof WebAssembly.RuntimeError) {
    self.postMessage({ type: 'crashed', id, message: `engine crashed: ${error.message}` });
    return;
  }
  self.postMessage({ type: 'error', id, diagnostics: diagnosticsOf(error) });
}

async function drive(mine, msg) {
  if (mine !== generation) return;
  let run;
  let scenario;
  let options;
  try {
    scenario = msg.format === 'toml' ? parseScenario(msg.scenario, 'toml') : msg.scenario;
    options = JSON.stringify(msg.options ?? {});
    run = new Run(scenario, options);
  } catch (e) {
    fail(msg.id, e);
    return;
  }
  const total = run.chunkCount();
  let next = 0;
  // Chunks handed back by helpers that failed (or whose bytes did not merge): run here.
  const retry = [];
  let engineMs = 0;
  let closed = false;
  let wake = null;
  const job = {
    gen: mine,
    scenario,
    options,
    take: () => (retry.length > 0 ? retry.shift() : next < total ? next++ : -1),
    merged: (index, bytes) => {
      if (closed) return;
      const t0 = performance.now();
      try {
        run.mergeChunk(bytes);
      } catch {
        retry.push(index);
      }
      engineMs += performance.now() - t0;
      wake?.();
    },
    lost: (indices) => {
      retry.push(...indices);
      wake?.();
    },
  };
  // Chunk 0 is always the owner's: the first estimate never waits for a helper to start.
  let index = job.take();
  const workers = Number.isInteger(msg.workers) && msg.workers > 0 ? msg.workers : 1 + helperCount();
  if (total > 1 && workers > 1) {
    pool.grow(workers - 1);
    if (pool.size > 0) pool.start(job);
  }
  let lastReport = -Infinity;
  let lastDone = 0;
  try {
    for (;;) {
      if (index >= 0) {
        const t0 = performance.now();
        run.stepChunk(index);
        engineMs += performance.now() - t0;
      } else {
        // Everything is handed out: wait for a helper (or notice a cancel within 50 ms).
        await new Promise((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
        wake = null;
        if (mine !== generation) return;
      }
      const done = run.chunksDone();
      const paths = run.pathsDone();
      if (done >= total) {
        const report = run.reportJson();
        self.postMessage({ type: 'done', id: msg.id, report, paths, total, engineMs, workers: 1 + pool.size });
        return;
      }
      if (done > lastDone) {
        lastDone = done;
        const now = performance.now();
        const progress = { type: 'progress', id: msg.id, done, total, paths };
        if (now - lastReport >= REPORT_EVERY_MS) {
          progress.report = run.reportJson();
          lastReport = now;
        }
        self.postMessage(progress);
      }
      await yieldToEventLoop();
      if (mine !== generation) return;
      index = job.take();
    }
  } catch (e) {
    fail(msg.id, e);
  } finally {
    closed = true;
    pool.stop(job);
    run.free();
  }
}

// Helper side (see pool.js): the job's scenario compiled once, then chunks on request.
let helperJob = null;

function onHelperMessage(msg) {
  if (msg.type === 'job') {
    helperJob?.runner?.free();
    helperJob = { gen: msg.gen, scenario: msg.scenario, options: msg.options, runner: null };
    return;
  }
  const job = helperJob;
  if (!job || job.gen !== msg.gen) return;
  try {
    job.runner ??= new ChunkRunner(job.scenario, job.options);
    const bytes = job.runner.runChunk(msg.index);
    self.postMessage({ type: 'chunk-done', gen: msg.gen, index: msg.index, bytes }, [bytes.buffer]);
  } catch (e) {
    // The owner runs this chunk itself and drops this helper.
    self.postMessage({ type: 'chunk-error', gen: msg.gen, index: msg.index, message: String(e) });
  }
}

// A decision job: one blocking engine call that reports progress through its callback.
function decide(msg) {
  const job = msg.type === 'optimize' ? optimize : sensitivity;
  let result;
  try {
    result = job(msg.scenario, JSON.stringify(msg.options ?? {}), (done, total) => {
      self.postMessage({ type: 'job-progress', id: msg.id, done, total });
      return true;
    });
  } catch (e) {
    fail(msg.id, e);
    return;
  }
  self.postMessage({ type: 'job-done', id: msg.id, result });
}
