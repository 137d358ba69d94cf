// Helper workers for the engine worker (web/worker.js): a run is spread over the machine's
// cores, and the owning worker merges every chunk into the one report.
//
// Helpers are more instances of worker.js, started by the owner (a nested worker, so they
// go away with it when the page terminates the owner). Each helper compiles the same scenario
// into a ChunkRunner and answers {type:'chunk', gen, index} with the chunk's bytes; the owner
// merges them with Run.mergeChunk. Chunks are folded in index order wherever they were
// computed, so the digest is the one a single worker (or the CLI) gives.
//
// Scheduling is pull-based: each helper holds at most IN_FLIGHT chunk indices and gets the
// next free index whenever one comes back, so a slow or busy core never holds up the rest.
// A helper that fails hands its indices back to the owner, which then runs them itself.
//
// Protocol owner -> helper:  {type:'job', gen, scenario, options}   (scenario is JSON text)
//                            {type:'chunk', gen, index}
//            helper -> owner: {type:'chunk-done', gen, index, bytes}   (bytes transferred)
//                            {type:'chunk-error', gen, index, message}

// Two per helper so a helper never waits on a round trip between chunks.
const IN_FLIGHT = 2;

// The page's main thread needs a core for drawing; beyond 8 workers the owner's merging
// would become the bottleneck.
export function helperCount() {
  const cores = Number(self.navigator?.hardwareConcurrency) || 1;
  return Math.max(0, Math.min(cores - 1, 7));
}

export class HelperPool {
  constructor(url) {
    this.url = url;
    this.helpers = [];
    this.job = null;
  }

  // Starts helpers (once) up to `size`; a browser that refuses nested workers gets none.
  grow(size) {
    while (this.helpers.length < size) {
      let worker;
      try {
        worker = new Worker(this.url, { type: 'module' });
      } catch {
        return;
      }
      const helper = { worker, inflight: new Set() };
      worker.onmessage = ({ data }) => this.onMessage(helper, data);
      worker.onerror = (event) => {
        event.preventDefault();
        this.retire(helper);
      };
      this.helpers.push(helper);
    }
  }

  // Hands out chunks of `job` to every helper:
  //   job = { gen, scenario, options, take() -> index or -1, merged(index, bytes), lost(indices) }
  // A newer start() supersedes the job; results of older jobs are dropped.
  start(job) {
    this.job = job;
    for (const h of this.helpers) {
      h.inflight.clear();
      h.worker.postMessage({ type: 'job', gen: job.gen, scenario: job.scenario, options: job.options });
    }
    for (const h of this.helpers) this.feed(h);
  }

  // The current job is over (done, cancelled or superseded): stop handing out chunks.
  stop(job) {
    if (this.job === job) this.job = null;
  }

  get size() {
    return this.helpers.length;
  }

  feed(h) {
    const job = this.job;
    while (job && h.inflight.size < IN_FLIGHT) {
      const index = job.take();
      if (index < 0) return;
      h.inflight.add(index);
      h.worker.postMessage({ type: 'chunk', gen: job.gen, index });
    }
  }

  onMessage(h, data) {
    const job = this.job;
    if (!data || !job || data.gen !== job.gen) return;
    if (data.type === 'chunk-done') {
      h.inflight.delete(data.index);
      job.merged(data.index, data.bytes);
      this.feed(h);
    } else if (data.type === 'chunk-error') {
      this.retire(h);
    }
  }

  // A helper failed: it is dropped and the owner gets its chunks back.
  retire(h) {
    h.worker.terminate();
    this.helpers = this.helpers.filter((x) => x !== h);
    if (this.job && h.inflight.size > 0) this.job.lost([...h.inflight]);
    h.inflight.clear();
  }
}
