// Module Web Worker that runs the engine (crates/wasm) off the main thread.
//
// Trunk builds crates/wasm from index.html with data-type="worker" and
// data-bindgen-target="web": "worker" keeps the output names unhashed (wasm.js,
// wasm_bg.wasm) so this file can import them by a fixed name, and the "web" target gives
// an ES module so this can be a module worker. This file itself is copied verbatim by
// rel="copy-file". init() fetches wasm_bg.wasm relative to import.meta.url: same origin.
//
// Protocol (plain objects over postMessage):
//   in : {type:'run', id, scenario, options, format?}   scenario is a JSON string, or TOML
//        text when format is 'toml' (it is then parsed by the engine first)
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
//        {type:'progress', id, done, total, paths, report}   after every chunk (done/total
//        count chunks, paths counts merged paths; report is the report JSON so far)
//        {type:'done', id, report, paths}
//        {type:'error', id, diagnostics}                      diagnostics: array
//        {type:'crashed', id, message}   the wasm trapped (e.g. a panic): this instance is
//                                        unusable; the page restarts the worker
//        {type:'job-progress', id, done, total}   decision job progress (optimize: candidates
//                              simulated of the evaluation budget; sensitivity: simulations)
//        {type:'job-done', id, result}   result: the JSON text, exactly as `headroom optimize` /
//                              `headroom sensitivity --format json` print it (errors: 'error')
// A newer 'run' supersedes the current one; chunks yield to the event loop in between so
// a 'cancel' or a newer 'run' is seen within one chunk.

import init, { Run, engineVersion, parseScenario, optimize, sensitivity } from './wasm.js';

// The handler is installed before the wasm is ready so no early message is lost.
const ready = init().then(() => {
  self.postMessage({ type: 'ready', engineVersion: engineVersion() });
});

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
  try {
    const scenario = msg.format === 'toml' ? parseScenario(msg.scenario, 'toml') : msg.scenario;
    run = new Run(scenario, JSON.stringify(msg.options ?? {}));
  } catch (e) {
    fail(msg.id, e);
    return;
  }
  try {
    const total = run.chunkCount();
    for (let done = 1; ; done += 1) {
      const finished = run.step();
      const report = run.reportJson();
      const paths = run.pathsDone();
      self.postMessage({ type: 'progress', id: msg.id, done: Math.min(done, total), total, paths, report });
      if (finished) {
        self.postMessage({ type: 'done', id: msg.id, report, paths });
        return;
      }
      await yieldToEventLoop();
      if (mine !== generation) return;
    }
  } catch (e) {
    fail(msg.id, e);
  } finally {
    run.free();
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
