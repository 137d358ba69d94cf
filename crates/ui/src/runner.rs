//! Run orchestration: whenever the working scenario is valid and it (or the stress selection)
//! changes, the current run is cancelled and a new one starts after a short debounce. Every
//! progress event replaces the report on screen, so the first estimate appears after the first
//! chunk and the error bars shrink as chunks merge.

use std::sync::Arc;
use std::time::Duration;

use engine::{Report, RunSize};
use leptos::prelude::*;

use crate::state::AppState;
use crate::worker_bridge::{Diagnostic, EngineWorker, RunOptions, ScenarioFormat, WorkerEvent};

/// Quiet time after the last edit before a run starts. Short on purpose: a slider drag fires
/// every frame (~16 ms) and only its pauses start runs, while a superseded run stops within
/// one chunk, so a run per keystroke costs little and the first estimate comes sooner.
pub const DEBOUNCE: Duration = Duration::from_millis(40);

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
    /// Time the worker spent inside the engine, once done (shown to the browser benchmark).
    pub engine_ms: Option<f64>,
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
            engine_ms: None,
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
                report.and_then(|r| self.decode(&r))
            }
            WorkerEvent::Done {
                id,
                report,
                paths,
                engine_ms,
            } if mine(id) => {
                self.done = self.total;
                self.paths = paths;
                self.engine_ms = engine_ms;
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

/// Why the current scenario is not running: it is over a budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// Above a hard limit (memory or paths): not run at all.
    Refused(RunSize),
    /// Above the work budget: runs only once the user confirms.
    Confirm(RunSize),
}

/// The run controller, shared through context.
#[derive(Clone, Copy)]
pub struct Runner {
    pub status: RwSignal<RunStatus>,
    /// The latest report (progressive or final) of the latest valid scenario.
    pub report: RwSignal<Option<Arc<Report>>>,
    pub engine_version: RwSignal<Option<String>>,
    /// A message about the engine itself (it crashed and was restarted).
    pub notice: RwSignal<Option<String>>,
    /// The report on screen is not of the current scenario (a crash, or a run that was not
    /// started): shown as stale until a new report arrives.
    pub outdated: RwSignal<bool>,
    /// Set while the current scenario is refused or awaits confirmation.
    pub gate: RwSignal<Option<Gate>>,
    state: AppState,
    worker: StoredValue<Result<EngineWorker, String>, LocalStorage>,
    /// Bumped by every schedule; a debounced start fires only if it is still the latest.
    pending: StoredValue<u64>,
    /// Crashes since the last finished run: only the first is followed by an automatic re-run.
    crashes: StoredValue<u32>,
    /// The scenario and stress tests ([`run_key`]) the user last confirmed a large run of, so
    /// the re-run after a crash does not ask again for the run they already accepted.
    confirmed: StoredValue<Option<String>>,
}

/// Identifies a run: the scenario as sent to the engine plus the stress tests.
fn run_key(scenario: &str, stress: &[String]) -> String {
    format!("{scenario}\u{0}{}", stress.join("\u{0}"))
}

impl Runner {
    /// Spawns the engine worker and re-runs on every valid change of `state`.
    pub fn new(state: AppState) -> Self {
        let runner = Runner {
            status: RwSignal::new(RunStatus::idle()),
            report: RwSignal::new(None),
            engine_version: RwSignal::new(None),
            notice: RwSignal::new(None),
            outdated: RwSignal::new(false),
            gate: RwSignal::new(None),
            state,
            worker: StoredValue::new_local(Err("the engine worker is starting".into())),
            pending: StoredValue::new(0),
            crashes: StoredValue::new(0),
            confirmed: StoredValue::new(None),
        };
        runner.spawn_worker();
        Effect::new(move |_| {
            let valid = state.checked.with(|c| c.is_ok());
            state.stress.track();
            if valid {
                runner.schedule(state);
            }
        });
        runner
    }

    /// Starts a new worker, replacing (and terminating) the current one.
    fn spawn_worker(self) {
        let worker = EngineWorker::spawn(move |event| self.on_event(event))
            .map_err(|e| format!("cannot start the engine worker: {e:?}"));
        if let Err(e) = &worker {
            self.status
                .update(|s| s.fail(vec![message_diagnostic(e.clone())]));
        }
        self.worker.set_value(worker);
    }

    fn on_event(self, event: WorkerEvent) {
        match event {
            WorkerEvent::Ready { engine_version } => self.engine_version.set(Some(engine_version)),
            WorkerEvent::Crashed { message } => self.crashed(message),
            event => {
                let mut fresh = None;
                self.status.update(|s| fresh = s.apply(event));
                if let Some(r) = fresh {
                    self.report.set(Some(Arc::new(r)));
                    self.outdated.set(false);
                }
                if self.status.with_untracked(|s| s.state == RunState::Done) {
                    self.crashes.set_value(0);
                }
            }
        }
    }

    /// The worker died: keep the scenario and the results (marked stale), start a new worker
    /// and run the current scenario again, once.
    fn crashed(self, message: String) {
        self.crashes.update_value(|n| *n += 1);
        let again = self.crashes.get_value() == 1;
        if self.report.with_untracked(|r| r.is_some()) {
            self.outdated.set(true);
        }
        let text = if again {
            format!(
                "The simulation engine stopped unexpectedly ({message}). It was restarted and the \
                 scenario is running again; until then the results shown are from before the crash."
            )
        } else {
            format!(
                "The simulation engine stopped again ({message}). It was restarted; press Re-run \
                 to try once more, or change the scenario."
            )
        };
        self.notice.set(Some(text));
        self.pending.update_value(|p| *p += 1);
        // Deferred: this may run inside a handler of the worker being replaced.
        set_timeout(
            move || {
                self.spawn_worker();
                if again {
                    self.rerun_after_crash();
                } else {
                    self.status.update(|s| {
                        s.fail(vec![message_diagnostic(format!(
                            "the engine crashed twice in a row: {message}"
                        ))])
                    });
                }
            },
            Duration::ZERO,
        );
    }

    /// Runs the current scenario again after a crash. A large run the user confirmed for this
    /// same scenario and stress selection stays confirmed (asking again would be noise).
    fn rerun_after_crash(self) {
        let key = self.state.checked.with_untracked(|c| {
            c.as_ref().ok().map(|s| {
                let json = serde_json::to_string(s).unwrap_or_default();
                run_key(&json, &self.state.stress.get_untracked())
            })
        });
        let confirmed = key.is_some() && self.confirmed.with_value(|c| *c == key);
        self.start(self.state, confirmed);
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

    /// Cancels the current run and starts one of the current scenario (if it is valid and
    /// within the engine's budgets; above the work budget it asks for confirmation first).
    pub fn start_now(self, state: AppState) {
        self.start(state, false);
    }

    /// Like [`Runner::start_now`]; `allow_large` runs above the work budget (never above the
    /// memory or path limits).
    pub fn start(self, state: AppState, allow_large: bool) {
        let Some(scenario) = state.checked.with_untracked(|c| c.as_ref().ok().cloned()) else {
            return;
        };
        let stress = state.stress.get_untracked();
        let size = engine::run_size(
            &scenario,
            &engine::RunOptions {
                stress: stress.clone(),
                ..engine::RunOptions::default()
            },
        );
        let over = size.over;
        let gate = if size.refused {
            Some(Gate::Refused(size))
        } else if size.over && !allow_large {
            Some(Gate::Confirm(size))
        } else {
            None
        };
        if let Some(gate) = gate {
            self.cancel_running();
            if self.report.with_untracked(|r| r.is_some()) {
                self.outdated.set(true);
            }
            self.gate.set(Some(gate));
            return;
        }
        self.gate.set(None);
        let scenario = serde_json::to_string(&scenario).unwrap_or_default();
        if allow_large && over {
            self.confirmed.set_value(Some(run_key(&scenario, &stress)));
        }
        let options = RunOptions {
            stress,
            allow_large,
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

    /// The user declined a large run: nothing runs, the last results stay (stale).
    pub fn decline(self) {
        self.gate.set(None);
    }

    /// Stops the current run, keeping whatever estimate it reached.
    pub fn cancel(self) {
        self.pending.update_value(|p| *p += 1);
        self.cancel_running();
    }

    /// Test hook: terminates the worker as if it had died.
    pub fn kill_worker(self) {
        self.worker.with_value(|w| {
            if let Ok(w) = w {
                w.kill();
            }
        });
    }

    /// Test hook: makes the worker throw an uncaught error.
    pub fn crash_worker(self) {
        self.worker.with_value(|w| {
            if let Ok(w) = w {
                w.crash();
            }
        });
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

fn message_diagnostic(message: String) -> Diagnostic {
    Diagnostic {
        path: String::new(),
        message,
        hint: None,
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
                report: "{}".into(),
                paths: 1,
                engine_ms: None,
            })
            .is_none()
        );
        assert_eq!(s.state, RunState::Running);
    }

    #[test]
    fn a_crash_message_is_its_own_event_and_not_a_run_error() {
        let event: WorkerEvent = serde_json::from_str(
            r#"{"type":"crashed","id":3,"message":"engine crashed: unreachable"}"#,
        )
        .unwrap();
        assert!(
            matches!(&event, WorkerEvent::Crashed { message } if message.contains("unreachable"))
        );
        let mut s = running(3);
        assert!(s.apply(event).is_none());
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
            report: Some(r#"{"digest":"a"}"#.into()),
        });
        assert!(r.is_none());
        assert_eq!(s.state, RunState::Error);
        assert_eq!((s.done, s.paths), (1, 500));
    }

    #[test]
    fn a_progress_without_a_report_moves_the_bar_only() {
        let mut s = running(4);
        let event: WorkerEvent =
            serde_json::from_str(r#"{"type":"progress","id":4,"done":3,"total":20,"paths":1500}"#)
                .unwrap();
        assert!(s.apply(event).is_none());
        assert_eq!(
            (s.state, s.done, s.total, s.paths),
            (RunState::Running, 3, 20, 1500)
        );
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
            paths: 200,
            engine_ms: Some(3.5),
        });
        assert_eq!(got.map(|r| r.digest), Some(report.digest));
        assert_eq!(s.state, RunState::Done);
        assert_eq!(s.fraction(), 1.0);
        assert_eq!((s.paths, s.engine_ms), (200, Some(3.5)));
        // Late events of a finished run change nothing.
        assert!(
            s.apply(WorkerEvent::Progress {
                id: 7,
                done: 1,
                total: 1,
                paths: 1,
                report: Some("{}".into())
            })
            .is_none()
        );
    }
}
