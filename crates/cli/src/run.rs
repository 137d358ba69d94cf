//! Running a simulation's chunks on a pool of scoped threads.
//!
//! Workers claim chunk indices from a shared counter and send results to the calling thread, which
//! alone owns the accumulator. The accumulator folds chunks in index order whatever order they
//! arrive in, so the report (and its digest) is the same for every thread count.

use engine::{Report, Simulation};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;

/// Threads to use when the user does not say: one per available core.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Run every chunk and build the report. `progress(done_paths, total_paths)` is called on the
/// calling thread after each chunk is merged.
pub fn run(sim: &Simulation, threads: usize, progress: &mut dyn FnMut(u32, u32)) -> Report {
    let chunks = sim.chunk_count();
    let mut acc = sim.accumulator();
    // One thread runs inline: no worker would overlap with merging, so `bench` measures a true
    // single-core baseline.
    if threads <= 1 || chunks <= 1 {
        for i in 0..chunks {
            acc.merge(sim.run_chunk(i));
            progress(acc.paths_done(), sim.paths());
        }
        return acc.report();
    }
    let workers = threads.min(chunks as usize);
    let next = AtomicU32::new(0);
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel();
        for _ in 0..workers {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= chunks {
                        break;
                    }
                    // The receiver only goes away if the main thread panicked; just stop.
                    if tx.send(sim.run_chunk(i)).is_err() {
                        break;
                    }
                }
            });
        }
        // Without this the loop below would wait forever for a sender that never sends.
        drop(tx);
        for chunk in rx {
            acc.merge(chunk);
            progress(acc.paths_done(), sim.paths());
        }
    });
    acc.report()
}

/// The thread pool as an engine executor, for the optimizer and the tornado. Cancellation is
/// honoured after the run (the pool itself is not interruptible, and runs are short).
pub struct Threads(pub usize);

impl engine::decide::Executor for Threads {
    fn run(
        &mut self,
        sim: &Simulation,
        progress: &mut dyn FnMut(u32, u32) -> bool,
    ) -> Result<Report, engine::RunError> {
        let mut cancelled = false;
        let report = run(sim, self.0, &mut |done, total| {
            cancelled |= !progress(done, total);
        });
        if cancelled {
            Err(engine::RunError::Cancelled)
        } else {
            Ok(report)
        }
    }
}

/// Precision control on threads: chunks are simulated in waves of `threads`, then offered to the
/// stopping rule in index order, so the run stops at the same prefix as on one thread.
pub fn run_precise(
    sim: &Simulation,
    threads: usize,
    target: engine::decide::PrecisionTarget,
    progress: &mut dyn FnMut(u32, u32),
) -> engine::decide::PrecisionOutcome {
    let mut rule = engine::decide::PrecisionRun::new(sim, target);
    let chunks = sim.chunk_count();
    let mut next = 0;
    while !rule.done() && next < chunks {
        let end = (next + threads.max(1) as u32).min(chunks);
        let results: Vec<engine::ChunkResult> = if end - next == 1 {
            vec![sim.run_chunk(next)]
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = (next..end)
                    .map(|i| scope.spawn(move || sim.run_chunk(i)))
                    .collect();
                // A worker only fails by panicking; re-raise it rather than return a partial run.
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                    .collect()
            })
        };
        for chunk in results {
            if rule.offer(chunk) {
                break;
            }
        }
        progress(rule.paths_done(), sim.paths());
        next = end;
    }
    rule.finish()
}
