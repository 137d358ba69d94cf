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
        /// Report JSON of the merged chunks.
        report: String,
    },
    /// The run finished.
    Done {
        /// Run id.
        id: u32,
        /// Final report JSON.
        report: String,
    },
    /// The run could not start or failed.
    Error {
        /// Run id (absent if the failure is not tied to a run).
        id: Option<u32>,
        /// What went wrong.
        diagnostics: Vec<Diagnostic>,
    },
}

/// Owns the worker; dropping it terminates the worker.
pub struct EngineWorker {
    worker: Worker,
    next_id: std::cell::Cell<u32>,
    // Kept alive for as long as the worker: JS holds only a reference to them.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

impl EngineWorker {
    /// Starts the worker; `on_event` receives every message, including synthesized
    /// `Error` events when the worker script itself fails to load.
    pub fn spawn(on_event: impl Fn(WorkerEvent) + 'static) -> Result<Self, JsValue> {
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let worker = Worker::new_with_options(WORKER_URL, &options)?;

        let on_event = std::rc::Rc::new(on_event);
        let on_message = {
            let on_event = on_event.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                on_event(decode(&event.data()));
            })
        };
        let on_error =
            Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |event: web_sys::ErrorEvent| {
                // Stops the browser from also logging it: the UI shows it instead.
                event.prevent_default();
                on_event(local_error(format!("worker failed: {}", event.message())));
            });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Self {
            worker,
            next_id: std::cell::Cell::new(1),
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Starts a run (superseding any current one) and returns its id.
    pub fn run(&self, scenario: &str, format: ScenarioFormat, options: &RunOptions) -> u32 {
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1));
        self.post(&Request::Run {
            id,
            scenario,
            format,
            options,
        });
        id
    }

    /// Cancels a run; a no-op if it is not the current one.
    pub fn cancel(&self, id: u32) {
        self.post(&Request::Cancel { id });
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
