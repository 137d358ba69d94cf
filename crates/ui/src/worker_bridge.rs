//! Typed bridge to the engine Web Worker (`web/worker.js`).
//!
//! The worker speaks plain JS objects; crossing through JSON text here keeps the message
//! shapes in one serde definition instead of hand-written `Reflect` calls.

use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

/// Where Trunk puts the worker script (copied by `rel="copy-file"` in index.html).
/// Relative, so the app also works when served from a sub-path.
const WORKER_URL: &str = "./worker.js";

/// Text format of a scenario sent to the worker.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScenarioFormat {
    /// Normalized scenario JSON (as returned by the engine).
    Json,
    /// TOML text, parsed by the engine inside the worker.
    Toml,
}

/// Options of a run, as the engine's `RunOptions` expects them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunOptions {
    /// Number of Monte Carlo paths; engine default when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paths: Option<u32>,
    /// Seed; engine default when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Named stress tests.
    pub stress: Vec<String>,
    /// Run even above the engine's work budget (the user confirmed); read by the wasm adapter.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_large: bool,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Request<'a> {
    Run {
        id: u32,
        scenario: &'a str,
        format: ScenarioFormat,
        options: &'a RunOptions,
    },
    Cancel {
        id: u32,
    },
    /// Test hook: makes the worker throw an uncaught error.
    Crash,
    /// Decision jobs (`crates/ui/src/decide`): one blocking call each, sent to a worker of
    /// their own; scenario as normalized JSON text, options as the engine's own types.
    Optimize {
        id: u32,
        scenario: &'a str,
        options: &'a engine::decide::OptimizeOptions,
    },
    Sensitivity {
        id: u32,
        scenario: &'a str,
        options: &'a engine::decide::SensitivityOptions,
    },
}

/// One problem reported by the engine.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Diagnostic {
    /// Dotted path of the offending field.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when known.
    pub hint: Option<String>,
}

/// A message from the worker. Reports stay JSON text: the UI decides what to decode.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum WorkerEvent {
    /// The engine is loaded.
    #[serde(rename_all = "camelCase")]
    Ready {
        /// Engine version.
        engine_version: String,
    },
    /// A chunk was merged.
    Progress {
        /// Run id.
        id: u32,
        /// Chunks merged.
        done: u32,
        /// Chunks in the run.
        total: u32,
        /// Paths merged.
        paths: u32,
        /// Report JSON of the merged chunks; the worker sends it only now and then.
        #[serde(default)]
        report: Option<String>,
    },
    /// The run finished.
    Done {
        /// Run id.
        id: u32,
        /// Final report JSON.
        report: String,
        /// Paths merged.
        paths: u32,
        /// Milliseconds spent inside the engine (excludes messaging and report JSON).
        #[serde(default, rename = "engineMs")]
        engine_ms: Option<f64>,
    },
    /// The run could not start or failed.
    Error {
        /// Run id (absent if the failure is not tied to a run).
        id: Option<u32>,
        /// What went wrong.
        diagnostics: Vec<Diagnostic>,
    },
    /// A decision job advanced (optimize: candidates simulated of the evaluation budget;
    /// sensitivity: simulations run).
    #[serde(rename = "job-progress")]
    JobProgress {
        /// Job id.
        id: u32,
        done: u32,
        total: u32,
    },
    /// A decision job finished.
    #[serde(rename = "job-done")]
    JobDone {
        /// Job id.
        id: u32,
        /// The engine's `Optimization` or `Tornado` as JSON text.
        result: String,
    },
    /// The worker is gone or unusable (uncaught error, wasm trap, terminated): restart it.
    Crashed {
        /// What happened.
        message: String,
    },
}

/// Owns the worker; dropping it terminates the worker.
pub struct EngineWorker {
    worker: Worker,
    next_id: std::cell::Cell<u32>,
    // Kept alive for as long as the worker: JS holds only a reference to them.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
    on_event: std::rc::Rc<dyn Fn(WorkerEvent)>,
}

impl EngineWorker {
    /// Starts the worker; `on_event` receives every message, including synthesized
    /// `Error` events when the worker script itself fails to load.
    pub fn spawn(on_event: impl Fn(WorkerEvent) + 'static) -> Result<Self, JsValue> {
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let worker = Worker::new_with_options(WORKER_URL, &options)?;

        let on_event: std::rc::Rc<dyn Fn(WorkerEvent)> = std::rc::Rc::new(on_event);
        let on_message = {
            let on_event = on_event.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                on_event(decode(&event.data()));
            })
        };
        let on_error = {
            let on_event = on_event.clone();
            Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |event: web_sys::ErrorEvent| {
                // Stops the browser from also logging it: the UI shows it instead.
                event.prevent_default();
                let message = event.message();
                let message = if message.is_empty() {
                    "the engine worker failed".to_string()
                } else {
                    format!("the engine worker failed: {message}")
                };
                on_event(WorkerEvent::Crashed { message });
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Self {
            worker,
            next_id: std::cell::Cell::new(1),
            _on_message: on_message,
            _on_error: on_error,
            on_event,
        })
    }

    /// Starts a run (superseding any current one) and returns its id.
    pub fn run(&self, scenario: &str, format: ScenarioFormat, options: &RunOptions) -> u32 {
        let id = self.take_id();
        self.post(&Request::Run {
            id,
            scenario,
            format,
            options,
        });
        id
    }

    /// Starts the optimizer; returns the job id. Blocks this worker until it is done.
    pub fn optimize(&self, scenario: &str, options: &engine::decide::OptimizeOptions) -> u32 {
        let id = self.take_id();
        self.post(&Request::Optimize {
            id,
            scenario,
            options,
        });
        id
    }

    /// Starts the sensitivity tornado; returns the job id. Blocks this worker until it is done.
    pub fn sensitivity(&self, scenario: &str, options: &engine::decide::SensitivityOptions) -> u32 {
        let id = self.take_id();
        self.post(&Request::Sensitivity {
            id,
            scenario,
            options,
        });
        id
    }

    fn take_id(&self) -> u32 {
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1));
        id
    }

    /// Cancels a run; a no-op if it is not the current one.
    pub fn cancel(&self, id: u32) {
        self.post(&Request::Cancel { id });
    }

    /// Test hook: asks the worker to throw an uncaught error.
    pub fn crash(&self) {
        self.post(&Request::Crash);
    }

    /// Terminates the worker and reports it as crashed (a terminated worker sends nothing).
    pub fn kill(&self) {
        self.worker.terminate();
        let on_event = self.on_event.clone();
        // Reported from a new task: the handler may replace (drop) this worker.
        let report = Closure::once_into_js(move || {
            on_event(WorkerEvent::Crashed {
                message: "the engine worker was terminated".into(),
            })
        });
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback(report.unchecked_ref());
        }
    }

    fn post(&self, request: &Request<'_>) {
        let sent = serde_json::to_string(request)
            .map_err(|e| JsValue::from_str(&e.to_string()))
            .and_then(|text| js_sys::JSON::parse(&text))
            .and_then(|value| self.worker.post_message(&value));
        if let Err(e) = sent {
            web_sys::console::error_2(&"cannot post to engine worker:".into(), &e);
        }
    }
}

impl Drop for EngineWorker {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

fn local_error(message: String) -> WorkerEvent {
    WorkerEvent::Error {
        id: None,
        diagnostics: vec![Diagnostic {
            path: String::new(),
            message,
            hint: None,
        }],
    }
}

fn decode(data: &JsValue) -> WorkerEvent {
    let text = js_sys::JSON::stringify(data)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default();
    serde_json::from_str(&text)
        .unwrap_or_else(|e| local_error(format!("unexpected worker message {text}: {e}")))
}
