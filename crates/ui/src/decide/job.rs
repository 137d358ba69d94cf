//! Decision jobs (optimizer, tornado) in a Web Worker of their own.
//!
//! An optimization is one blocking engine call that can take minutes; in the dashboard's worker
//! it would hold up every live re-run, and a `postMessage`d cancel would not be seen until it
//! returned. So decision jobs get a second instance of `web/worker.js`, started on first use;
//! Cancel terminates it (the next job starts a fresh one), and a crash ends the job with an
//! error instead of re-running it (a job that crashed once would most likely crash again, and
//! the user decides whether to spend the time).
//!
//! An optimizer job also runs the scenario's own portfolios, with the same paths, seed and
//! stress tests, in the same worker, so the frontier chart can place them on common random
//! numbers. [`JobStatus`] is the pure state machine (tested natively); [`Decide`] owns the
//! worker and the results.

use std::sync::Arc;

use engine::decide::{Optimization, OptimizeOptions, SensitivityOptions, Tornado};
use engine::{Report, Scenario};
use leptos::prelude::*;

use crate::worker_bridge::{Diagnostic, EngineWorker, RunOptions, ScenarioFormat, WorkerEvent};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    Optimize,
    Sensitivity,
}

/// Lifecycle of the current job; its name is exposed as `data-state` for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Idle,
    Running,
    Done,
    Cancelled,
    Error,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Idle => "idle",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Cancelled => "cancelled",
            JobState::Error => "error",
        }
    }
}

/// An optimizer's answer with the scenario's own portfolios evaluated on the same paths.
#[derive(Debug, Clone)]
pub struct Optimized {
    pub optimization: Optimization,
    /// The scenario's portfolios, same seed, paths and stress tests as every candidate.
    pub scenario_report: Option<Report>,
    /// The scenario it was computed for.
    pub scenario: Scenario,
}

/// A tornado and the scenario it was computed for.
#[derive(Debug, Clone)]
pub struct Swung {
    pub tornado: Tornado,
    pub scenario: Scenario,
}

/// A finished job's result.
#[derive(Debug, Clone)]
pub enum Outcome {
    Optimized(Box<Optimized>),
    Swung(Box<Swung>),
}

/// The current job: what it waits for and how far it got.
#[derive(Debug, Clone)]
pub struct JobStatus {
    pub kind: JobKind,
    pub state: JobState,
    /// Id of the engine job (optimize or sensitivity).
    pub job_id: u32,
    /// Id of the scenario run that goes with an optimization.
    pub run_id: Option<u32>,
    /// Candidates simulated of the evaluation budget (optimize), or simulations (sensitivity).
    pub done: u32,
    pub total: u32,
    pub errors: Vec<Diagnostic>,
    scenario: Option<Scenario>,
    result: Option<Result<Optimization, Tornado>>,
    report: Option<Report>,
}

fn message(text: String) -> Diagnostic {
    Diagnostic {
        path: String::new(),
        message: text,
        hint: None,
    }
}

impl JobStatus {
    pub fn idle() -> Self {
        JobStatus {
            kind: JobKind::Optimize,
            state: JobState::Idle,
            job_id: 0,
            run_id: None,
            done: 0,
            total: 0,
            errors: Vec::new(),
            scenario: None,
            result: None,
            report: None,
        }
    }

    /// A job just sent to the worker (`run_id`: the scenario run of an optimization).
    pub fn started(kind: JobKind, job_id: u32, run_id: Option<u32>, scenario: Scenario) -> Self {
        JobStatus {
            kind,
            state: JobState::Running,
            job_id,
            run_id,
            scenario: Some(scenario),
            ..JobStatus::idle()
        }
    }

    pub fn running(&self) -> bool {
        self.state == JobState::Running
    }

    /// Fraction done, 0..=1.
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            (f64::from(self.done) / f64::from(self.total)).min(1.0)
        }
    }

    pub fn fail(&mut self, errors: Vec<Diagnostic>) {
        self.state = JobState::Error;
        self.errors = errors;
        self.result = None;
        self.report = None;
    }

    pub fn cancel(&mut self) {
        if self.running() {
            self.state = JobState::Cancelled;
        }
    }

    /// Applies a worker event; returns the outcome once everything the job waits for arrived.
    /// Events of other (earlier, cancelled) jobs are ignored.
    pub fn apply(&mut self, event: WorkerEvent) -> Option<Outcome> {
        if !self.running() {
            return None;
        }
        let ours = |id: u32| id == self.job_id || Some(id) == self.run_id;
        match event {
            WorkerEvent::JobProgress { id, done, total } if id == self.job_id => {
                self.done = done;
                self.total = total;
                None
            }
            WorkerEvent::JobDone { id, result } if id == self.job_id => {
                let decoded = match self.kind {
                    JobKind::Optimize => serde_json::from_str(&result).map(Ok),
                    JobKind::Sensitivity => serde_json::from_str(&result).map(Err),
                };
                match decoded {
                    Ok(r) => {
                        self.done = self.total.max(self.done);
                        self.result = Some(r);
                        self.finish()
                    }
                    Err(e) => {
                        self.fail(vec![message(format!("unreadable result: {e}"))]);
                        None
                    }
                }
            }
            WorkerEvent::Done { id, report, .. } if Some(id) == self.run_id => {
                match serde_json::from_str::<Report>(&report) {
                    Ok(r) => {
                        self.report = Some(r);
                        self.finish()
                    }
                    Err(e) => {
                        self.fail(vec![message(format!("unreadable report: {e}"))]);
                        None
                    }
                }
            }
            WorkerEvent::Error { id, diagnostics } if id.is_none_or(ours) => {
                self.fail(diagnostics);
                None
            }
            WorkerEvent::Crashed { message: m } => {
                self.fail(vec![message(format!(
                    "The engine stopped unexpectedly ({m}). Nothing was lost; press the button \
                     again to retry, perhaps with fewer paths or candidates."
                ))]);
                None
            }
            _ => None,
        }
    }

    /// Completes the job when its parts are in.
    fn finish(&mut self) -> Option<Outcome> {
        if self.result.is_none() || (self.run_id.is_some() && self.report.is_none()) {
            return None;
        }
        let result = self.result.take()?;
        let scenario = self.scenario.clone()?;
        self.state = JobState::Done;
        Some(match result {
            Ok(optimization) => Outcome::Optimized(Box::new(Optimized {
                optimization,
                scenario_report: self.report.take(),
                scenario,
            })),
            Err(tornado) => Outcome::Swung(Box::new(Swung { tornado, scenario })),
        })
    }
}

/// The decision-support controller, shared through context.
#[derive(Clone, Copy)]
pub struct Decide {
    pub status: RwSignal<JobStatus>,
    pub optimized: RwSignal<Option<Arc<Optimized>>>,
    pub swung: RwSignal<Option<Arc<Swung>>>,
    worker: StoredValue<Option<EngineWorker>, LocalStorage>,
}

impl Default for Decide {
    fn default() -> Self {
        Self::new()
    }
}

impl Decide {
    pub fn new() -> Self {
        Decide {
            status: RwSignal::new(JobStatus::idle()),
            optimized: RwSignal::new(None),
            swung: RwSignal::new(None),
            worker: StoredValue::new_local(None),
        }
    }

    /// Runs `send` on the decision worker, starting one if there is none.
    fn with_worker(self, send: impl FnOnce(&EngineWorker) -> JobStatus) {
        let missing = self.worker.with_value(|w| w.is_none());
        if missing {
            match EngineWorker::spawn(move |event| self.on_event(event)) {
                Ok(w) => self.worker.set_value(Some(w)),
                Err(e) => {
                    self.status.update(|s| {
                        s.fail(vec![message(format!(
                            "cannot start the engine worker: {e:?}"
                        ))])
                    });
                    return;
                }
            }
        }
        let status = self.worker.with_value(|w| w.as_ref().map(send));
        if let Some(s) = status {
            self.status.set(s);
        }
    }

    /// Starts the optimizer on `scenario`, with the scenario's own portfolios run alongside.
    pub fn optimize(self, scenario: &Scenario, options: &OptimizeOptions) {
        let json = serde_json::to_string(scenario).unwrap_or_default();
        let run = RunOptions {
            paths: options.run.paths,
            seed: options.run.seed,
            stress: options.run.stress.clone(),
            allow_large: false,
        };
        let scenario = scenario.clone();
        self.with_worker(|w| {
            let job = w.optimize(&json, options);
            let run = w.run(&json, ScenarioFormat::Json, &run);
            JobStatus::started(JobKind::Optimize, job, Some(run), scenario)
        });
    }

    /// Starts the sensitivity tornado on `scenario`.
    pub fn sensitivity(self, scenario: &Scenario, options: &SensitivityOptions) {
        let json = serde_json::to_string(scenario).unwrap_or_default();
        let scenario = scenario.clone();
        self.with_worker(|w| {
            let job = w.sensitivity(&json, options);
            JobStatus::started(JobKind::Sensitivity, job, None, scenario)
        });
    }

    /// Stops the current job by terminating its worker (a blocking engine call cannot be
    /// interrupted any other way); the next job starts a new one.
    pub fn cancel(self) {
        if self.status.with_untracked(JobStatus::running) {
            self.worker.set_value(None);
            self.status.update(JobStatus::cancel);
        }
    }

    fn on_event(self, event: WorkerEvent) {
        let crashed = matches!(event, WorkerEvent::Crashed { .. });
        let mut outcome = None;
        self.status.update(|s| outcome = s.apply(event));
        match outcome {
            Some(Outcome::Optimized(o)) => self.optimized.set(Some(Arc::new(*o))),
            Some(Outcome::Swung(t)) => self.swung.set(Some(Arc::new(*t))),
            None => {}
        }
        if crashed {
            // Deferred: this runs inside a handler of the worker being dropped.
            set_timeout(
                move || self.worker.set_value(None),
                std::time::Duration::ZERO,
            );
        }
    }
}

/// The controller provided by [`super::Tabs`].
pub fn use_decide() -> Decide {
    expect_context::<Decide>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario() -> Scenario {
        engine::parse_scenario(
            crate::library::text("three-lane.toml").unwrap(),
            engine::Format::Toml,
        )
        .unwrap()
    }

    fn real_optimization(s: &Scenario) -> (String, String) {
        let run = engine::RunOptions {
            paths: Some(200),
            ..Default::default()
        };
        let options = OptimizeOptions {
            run: run.clone(),
            max_evaluations: 12,
            ..Default::default()
        };
        let go = &mut |_, _| true;
        let o = engine::decide::optimize(s, &options, &mut engine::decide::Inline, go).unwrap();
        let r = engine::simulate(s, &run, go).unwrap();
        (
            serde_json::to_string(&o).unwrap(),
            serde_json::to_string(&r).unwrap(),
        )
    }

    #[test]
    fn an_optimization_completes_when_both_the_result_and_the_scenario_run_are_in() {
        let s = scenario();
        let (opt, report) = real_optimization(&s);
        for result_first in [true, false] {
            let mut job = JobStatus::started(JobKind::Optimize, 4, Some(5), s.clone());
            assert!(
                job.apply(WorkerEvent::JobProgress {
                    id: 4,
                    done: 3,
                    total: 12
                })
                .is_none()
            );
            assert_eq!(job.fraction(), 0.25);
            let result = WorkerEvent::JobDone {
                id: 4,
                result: opt.clone(),
            };
            let run = WorkerEvent::Done {
                id: 5,
                report: report.clone(),
                paths: 500,
                engine_ms: None,
            };
            let (a, b) = if result_first {
                (result, run)
            } else {
                (run, result)
            };
            assert!(job.apply(a).is_none());
            assert_eq!(job.state, JobState::Running);
            match job.apply(b) {
                Some(Outcome::Optimized(o)) => {
                    let r = o.scenario_report.as_ref().unwrap();
                    assert_eq!(r.portfolios.len(), s.portfolios.len());
                    assert_eq!(o.optimization.paths, 200);
                    assert_eq!(serde_json::to_string(&o.optimization).unwrap(), opt);
                }
                other => panic!("expected an optimization, got {other:?}"),
            }
            assert_eq!(job.state, JobState::Done);
        }
    }

    #[test]
    fn other_jobs_errors_crashes_and_cancel() {
        let s = scenario();
        let mut job = JobStatus::started(JobKind::Sensitivity, 9, None, s.clone());
        // Events of an earlier job are ignored.
        assert!(
            job.apply(WorkerEvent::JobDone {
                id: 8,
                result: "{}".into()
            })
            .is_none()
        );
        assert_eq!(job.state, JobState::Running);
        // An unreadable result is an error, not a panic.
        job.apply(WorkerEvent::JobDone {
            id: 9,
            result: "{}".into(),
        });
        assert_eq!(job.state, JobState::Error);
        assert!(job.errors[0].message.contains("unreadable"));

        let mut job = JobStatus::started(JobKind::Optimize, 1, Some(2), s.clone());
        job.apply(WorkerEvent::Error {
            id: Some(2),
            diagnostics: vec![message("bad".into())],
        });
        assert_eq!((job.state, job.errors.len()), (JobState::Error, 1));

        let mut job = JobStatus::started(JobKind::Optimize, 1, Some(2), s.clone());
        job.apply(WorkerEvent::Crashed {
            message: "unreachable".into(),
        });
        assert_eq!(job.state, JobState::Error);
        assert!(job.errors[0].message.contains("unreachable"));

        let mut job = JobStatus::started(JobKind::Optimize, 1, Some(2), s);
        job.cancel();
        assert_eq!(job.state, JobState::Cancelled);
        // Nothing arriving after a cancel changes it.
        assert!(
            job.apply(WorkerEvent::JobProgress {
                id: 1,
                done: 5,
                total: 10
            })
            .is_none()
        );
        assert_eq!((job.state, job.done), (JobState::Cancelled, 0));
    }

    #[test]
    fn the_workers_job_messages_decode() {
        let p: WorkerEvent =
            serde_json::from_str(r#"{"type":"job-progress","id":4,"done":2,"total":300}"#).unwrap();
        assert!(matches!(
            p,
            WorkerEvent::JobProgress {
                id: 4,
                done: 2,
                total: 300
            }
        ));
        let d: WorkerEvent =
            serde_json::from_str(r#"{"type":"job-done","id":4,"result":"{}"}"#).unwrap();
        assert!(matches!(d, WorkerEvent::JobDone { id: 4, ref result } if result == "{}"));
    }

    #[test]
    fn a_tornado_completes_on_its_result() {
        let s = scenario();
        let options = SensitivityOptions {
            run: engine::RunOptions {
                paths: Some(100),
                ..Default::default()
            },
            ..Default::default()
        };
        let t =
            engine::decide::sensitivity(&s, &options, &mut engine::decide::Inline, &mut |_, _| {
                true
            })
            .unwrap();
        let mut job = JobStatus::started(JobKind::Sensitivity, 3, None, s);
        let got = job.apply(WorkerEvent::JobDone {
            id: 3,
            result: serde_json::to_string(&t).unwrap(),
        });
        match got {
            Some(Outcome::Swung(sw)) => assert_eq!(sw.tornado.rows, t.rows),
            other => panic!("expected a tornado, got {other:?}"),
        }
    }
}
