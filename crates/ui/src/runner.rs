//! Run orchestration: whenever the working scenario is valid and it (or the stress selection)
//! changes, the current run is cancelled and a new one starts after a short debounce. Every
//! progress event replaces the report on screen, so the first estimate appears after the first
//! chunk and the error bars shrink as chunks merge.

use std::sync::Arc;
use std::time::Duration;

use engine::Report;
use leptos::prelude::*;

use crate::state::AppState;
use crate::worker_bridge::{Diagnostic, EngineWorker, RunOptions, ScenarioFormat, WorkerEvent};

/// Quiet time after the last edit before a run starts, so typing does not start a run per key.
pub const DEBOUNCE: Duration = Duration::from_millis(250);

/// Lifecycle of the current run; its name is exposed as `data-state` for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    /// No run started yet.
    Idle,
    Running,
    Done,
    Cancelled,
    Error,
}

impl RunState {
    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Idle => "idle",
            RunState::Running => "running",
            RunState::Done => "done",
            RunState::Cancelled => "cancelled",
            RunState::Error => "error",
        }
    }
}

/// Everything known about the current run except the report itself.
#[derive(Debug, Clone, PartialEq)]
pub struct RunStatus {
    pub id: u32,
    pub state: RunState,
    /// Chunks merged / chunks in the run.
    pub done: u32,
    pub total: u32,
    /// Paths merged so far.
    pub paths: u32,
    pub errors: Vec<Diagnostic>,
}

impl RunStatus {
    pub fn idle() -> Self {
        Self::started(0, RunState::Idle)
    }

    fn started(id: u32, state: RunState) -> Self {
        RunStatus {
            id,
            state,
            done: 0,
            total: 0,
            paths: 0,
            errors: Vec::new(),
        }
    }

    fn fail(&mut self, errors: Vec<Diagnostic>) {
        self.state = RunState::Error;
        self.errors = errors;
    }

    /// Fraction of the run merged, 0..=1.
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            f64::from(self.done) / f64::from(self.total)
        }
    }

    /// Applies a worker event; returns the report it carries, if it concerns this run.
    /// Events of superseded or cancelled runs are ignored.
    pub fn apply(&mut self, event: WorkerEvent) -> Option<Report> {
        let mine = |id: u32| id == self.id && self.state == RunState::Running;
        match event {
            WorkerEvent::Progress {
                id,
                done,
                total,
                paths,
                report,
            } if mine(id) => {
                self.done = done;
                self.total = total;
                self.paths = paths;
                self.decode(&report)
            }
            WorkerEvent::Done { id, report } if mine(id) => {
                self.done = self.total;
                let report = self.decode(&report);
                if report.is_some() {
                    self.state = RunState::Done;
                }
                report
            }
            WorkerEvent::Error { id, diagnostics } if id.is_none_or(|id| id == self.id) => {
                self.fail(diagnostics);
                None
            }
            _ => None,
        }
    }

    fn decode(&mut self, report: &str) -> Option<Report> {
        match serde_json::from_str::<Report>(report) {
            Ok(r) => Some(r),
            Err(e) => {
                self.fail(vec![Diagnostic {
                    path: String::new(),
                    message: format!("unreadable report: {e}"),
                    hint: None,
                }]);
                None
            }
        }
    }
}

/// The run controller, shared through context.
#[derive(Clone, Copy)]
pub struct Runner {
    pub status: RwSignal<RunStatus>,
    /// The latest report (progressive or final) of the latest valid scenario.
    pub report: RwSignal<Option<Arc<Report>>>,
    pub engine_version: RwSignal<Option<String>>,
    worker: StoredValue<Result<EngineWorker, String>, LocalStorage>,
    /// Bumped by every schedule; a debounced start fires only if it is still the latest.
    pending: StoredValue<u64>,
}

impl Runner {
    /// Spawns the engine worker and re-runs on every valid change of `state`.
    pub fn new(state: AppState) -> Self {
        let status = RwSignal::new(RunStatus::idle());
        let report = RwSignal::new(None::<Arc<Report>>);
        let engine_version = RwSignal::new(None);
        let worker = EngineWorker::spawn(move |event| {
            if let WorkerEvent::Ready { engine_version: v } = &event {
                engine_version.set(Some(v.clone()));
                return;
            }
            let mut fresh = None;
            status.update(|s| fresh = s.apply(event));
            if let Some(r) = fresh {
                report.set(Some(Arc::new(r)));
            }
        })
        .map_err(|e| format!("cannot start the engine worker: {e:?}"));
        if let Err(e) = &worker {
            status.update(|s| {
                s.fail(vec![Diagnostic {
                    path: String::new(),
                    message: e.clone(),
                    hint: None,
                }])
            });
        }
        let runner = Runner {
            status,
            report,
            engine_version,
            worker: StoredValue::new_local(worker),
            pending: StoredValue::new(0),
        };
        Effect::new(move |_| {
            let valid = state.checked.with(|c| c.is_ok());
            state.stress.track();
            if valid {
                runner.schedule(state);
            }
        });
        runner
    }

    /// Starts a run of the current scenario after [`DEBOUNCE`], unless superseded meanwhile.
    pub fn schedule(self, state: AppState) {
        self.pending.update_value(|p| *p += 1);
        let ticket = self.pending.get_value();
        set_timeout(
            move || {
                if self.pending.get_value() == ticket {
                    self.start_now(state);
                }
            },
            DEBOUNCE,
        );
    }

    /// Cancels the current run and starts one of the current scenario (if it is valid).
    pub fn start_now(self, state: AppState) {
        let scenario = state.checked.with_untracked(|c| {
            c.as_ref()
                .ok()
                .map(|s| serde_json::to_string(s).unwrap_or_default())
        });
        let Some(scenario) = scenario else { return };
        let options = RunOptions {
            stress: state.stress.get_untracked(),
            ..RunOptions::default()
        };
        self.cancel_running();
        self.worker.with_value(|w| {
            if let Ok(w) = w {
                let id = w.run(&scenario, ScenarioFormat::Json, &options);
                self.status.set(RunStatus::started(id, RunState::Running));
            }
        });
    }

    /// Stops the current run, keeping whatever estimate it reached.
    pub fn cancel(self) {
        self.pending.update_value(|p| *p += 1);
        self.cancel_running();
    }

    fn cancel_running(self) {
        let status = self.status.get_untracked();
        if status.state == RunState::Running {
            self.worker.with_value(|w| {
                if let Ok(w) = w {
                    w.cancel(status.id);
                }
            });
            self.status.update(|s| s.state = RunState::Cancelled);
        }
    }
}

/// The runner provided by the root component.
pub fn use_runner() -> Runner {
    expect_context::<Runner>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(id: u32) -> RunStatus {
        RunStatus::started(id, RunState::Running)
    }

    #[test]
    fn events_of_other_runs_are_ignored() {
        let mut s = running(2);
        assert!(
            s.apply(WorkerEvent::Done {
                id: 1,
                report: "{}".into()
            })
            .is_none()
        );
        assert_eq!(s.state, RunState::Running);
    }

    #[test]
    fn an_unreadable_report_is_an_error() {
        let mut s = running(1);
        let r = s.apply(WorkerEvent::Progress {
            id: 1,
            done: 1,
            total: 2,
            paths: 500,
            report: r#"{"digest":"a"}"#.into(),
        });
        assert!(r.is_none());
        assert_eq!(s.state, RunState::Error);
        assert_eq!((s.done, s.paths), (1, 500));
    }

    #[test]
    fn a_real_report_is_decoded_and_finishes_the_run() {
        let scenario = engine::parse_scenario(
            crate::library::text("three-lane.toml").unwrap(),
            engine::Format::Toml,
        )
        .unwrap();
        let options = engine::RunOptions {
            paths: Some(200),
            ..Default::default()
        };
        let report = engine::simulate(&scenario, &options, &mut |_, _| true).unwrap();
        let json = serde_json::to_string(&report).unwrap();
        let mut s = running(7);
        s.total = 1;
        let got = s.apply(WorkerEvent::Done {
            id: 7,
            report: json,
        });
        assert_eq!(got.map(|r| r.digest), Some(report.digest));
        assert_eq!(s.state, RunState::Done);
        assert_eq!(s.fraction(), 1.0);
        // Late events of a finished run change nothing.
        assert!(
            s.apply(WorkerEvent::Progress {
                id: 7,
                done: 1,
                total: 1,
                paths: 1,
                report: "{}".into()
            })
            .is_none()
        );
    }
}
