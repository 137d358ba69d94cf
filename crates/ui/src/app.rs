//! Root component: runs the built-in sample scenario through the engine worker and shows
//! progress and the result digest. The dashboard will grow from here.

use leptos::prelude::*;
use serde::Deserialize;

use crate::worker_bridge::{EngineWorker, RunOptions, ScenarioFormat, WorkerEvent};

const SAMPLE_SCENARIO: &str = include_str!("../../../scenarios/three-lane.toml");

/// Lifecycle of the current run; its name is exposed as `data-state` for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RunState {
    Running,
    Done,
    Error,
}

impl RunState {
    fn as_str(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Done => "done",
            RunState::Error => "error",
        }
    }
}

/// The part of the engine's report this page needs; unknown fields are ignored so the
/// report can grow without touching the UI.
#[derive(Debug, Clone, Deserialize)]
struct ReportSummary {
    digest: String,
}

/// Everything the view shows about the current run.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RunView {
    id: u32,
    state: RunState,
    done: u32,
    total: u32,
    paths: u32,
    digest: String,
    error: Option<String>,
}

impl RunView {
    fn started(id: u32) -> Self {
        RunView {
            id,
            state: RunState::Running,
            done: 0,
            total: 0,
            paths: 0,
            digest: String::new(),
            error: None,
        }
    }

    fn fail(&mut self, message: String) {
        self.state = RunState::Error;
        self.error = Some(message);
    }

    fn set_report(&mut self, report: &str) {
        match serde_json::from_str::<ReportSummary>(report) {
            Ok(summary) => self.digest = summary.digest,
            Err(e) => self.fail(format!("unreadable report: {e}")),
        }
    }

    /// Applies a worker event; events of superseded runs are ignored.
    fn apply(&mut self, event: WorkerEvent) {
        match event {
            WorkerEvent::Ready { .. } => {}
            WorkerEvent::Progress {
                id,
                done,
                total,
                paths,
                report,
            } if id == self.id => {
                self.done = done;
                self.total = total;
                self.paths = paths;
                self.set_report(&report);
            }
            WorkerEvent::Done { id, report } if id == self.id => {
                self.done = self.total;
                self.set_report(&report);
                if self.state == RunState::Running {
                    self.state = RunState::Done;
                }
            }
            WorkerEvent::Error { id, diagnostics } if id.is_none_or(|id| id == self.id) => {
                let text = diagnostics
                    .iter()
                    .map(|d| match &d.hint {
                        Some(hint) => format!("{}: {} ({hint})", d.path, d.message),
                        None => format!("{}: {}", d.path, d.message),
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                self.fail(text);
            }
            _ => {}
        }
    }
}

/// The application root.
#[component]
pub fn App() -> impl IntoView {
    let engine_version = RwSignal::new(None::<String>);
    let run = RwSignal::new(RunView::started(0));

    let worker = EngineWorker::spawn(move |event| {
        if let WorkerEvent::Ready { engine_version: v } = &event {
            engine_version.set(Some(v.clone()));
        }
        run.update(|r| r.apply(event));
    });
    // The worker is not Send; local storage keeps it alive as long as the app's owner.
    let worker = StoredValue::new_local(worker.map_err(|e| format!("{e:?}")));

    let start = move || {
        worker.with_value(|w| match w {
            Ok(w) => {
                let id = w.run(
                    SAMPLE_SCENARIO,
                    ScenarioFormat::Toml,
                    &RunOptions::default(),
                );
                run.set(RunView::started(id));
            }
            Err(e) => run.update(|r| r.fail(format!("cannot start engine worker: {e}"))),
        });
    };
    start();

    let state = move || run.with(|r| r.state.as_str());
    let digest = move || run.with(|r| r.digest.clone());
    let fraction = move || {
        run.with(|r| {
            if r.total == 0 {
                0.0
            } else {
                f64::from(r.done) / f64::from(r.total)
            }
        })
    };

    view! {
        <header class="topbar">
            <h1>"Headroom"</h1>
            <span class="version">
                {move || engine_version.get().map(|v| format!("engine {v}")).unwrap_or_else(|| "loading engine…".into())}
            </span>
        </header>
        <main>
            <div class="controls">
                <button on:click=move |_| start()>"Re-run"</button>
                <progress max="1" value=fraction></progress>
                <span class="progress-label">
                    {move || run.with(|r| format!("{} / {} chunks · {} paths", r.done, r.total, r.paths))}
                </span>
            </div>
            <section class="results" data-testid="results" data-state=state data-digest=digest>
                <h2>"Result"</h2>
                <p class="digest">"digest: " <code>{digest}</code></p>
                {move || run.with(|r| r.error.clone()).map(|e| view! { <pre class="error">{e}</pre> })}
            </section>
            <crate::editors::StandaloneEditorPanel /> // TEMP(ui2): mount the editors here until ui1's layout mounts editors::EditorPanel
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_of_other_runs_are_ignored() {
        let mut view = RunView::started(2);
        view.apply(WorkerEvent::Done {
            id: 1,
            report: r#"{"digest":"old"}"#.into(),
        });
        assert_eq!(view.state, RunState::Running);
        view.apply(WorkerEvent::Progress {
            id: 2,
            done: 1,
            total: 2,
            paths: 10,
            report: r#"{"digest":"a"}"#.into(),
        });
        assert_eq!((view.done, view.digest.as_str()), (1, "a"));
        view.apply(WorkerEvent::Done {
            id: 2,
            report: r#"{"digest":"b","extra":1}"#.into(),
        });
        assert_eq!(
            (view.state, view.done, view.digest.as_str()),
            (RunState::Done, 2, "b")
        );
    }
}
