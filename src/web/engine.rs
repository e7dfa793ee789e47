//! The page's side of the engine worker: start it, send it commands, turn its reports into the
//! signals the views draw. The page holds no model and no session: what it knows of a run is
//! what the worker last reported.
//!
//! Data flows one way: controls or the URL change the experiment → a command → the worker's run
//! advances → reports → signals → views.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use playground_config::experiment::Experiment;
use playground_config::experiment::{Kind, UPLOAD};
use playground_config::protocol::{decode, Command, Readout, Report, RunId, Upload, Zoom};

use super::state::{BackendStatus, Ui};

/// The page's run (comparisons will add more).
pub const RUN: RunId = 0;

/// Trunk names worker scripts after their binary (no hash) and writes this loader next to the page.
const WORKER_SCRIPT: &str = "./engine-worker_loader.js";

/// Milliseconds since the page's navigation started.
pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

/// Start the worker and listen to it.
pub fn start(ui: Ui) {
    let worker = match web_sys::Worker::new(WORKER_SCRIPT) {
        Ok(w) => w,
        Err(_) => {
            ui.message.set(Some("The training engine could not start in this browser (no Web Workers).".into()));
            return;
        }
    };
    let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
        let bytes = js_sys::Uint8Array::new(&event.data()).to_vec();
        if let Some(report) = decode::<Report>(&bytes) {
            receive(ui, report);
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    let on_error = Closure::<dyn Fn(web_sys::Event)>::new(move |_| {
        ui.backend.set(BackendStatus { label: "stopped".into(), reason: "the training engine failed; reload the page".into() });
        ui.message.set(Some("The training engine stopped unexpectedly. Reload the page to start it again; the link keeps your experiment.".into()));
        ui.busy.set(0);
        ui.running.set(false);
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    // Test hook: scripts (the browser tests) can make the engine behave as if the GPU failed.
    let simulate = Closure::<dyn Fn()>::new(move || send(ui, Command::SimulateGpuFailure { run: RUN }));
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &"__playgroundSimulateGpuFailure".into(), simulate.as_ref());
    }
    // The page lives as long as its worker: leaking the handlers is the intended lifetime.
    on_message.forget();
    on_error.forget();
    simulate.forget();
    ui.engine.update_value(|l| l.connect(worker));
}

/// Send a command; the page counts as busy until the worker says its work is done.
pub fn send(ui: Ui, command: Command) {
    // The worker answers every command about a run with `Done`.
    if command.run().is_some() {
        ui.busy.update(|b| *b += 1);
    }
    ui.engine.update_value(|l| l.send(command));
}

/// Build the run of the current experiment; `play` starts training once it is built.
pub fn open(ui: Ui, play: bool) {
    ui.play_after_open.set(play);
    let upload = if ui.exp.with_untracked(|e| e.kind == Kind::Image && e.image == UPLOAD) { Upload::Previous } else { Upload::None };
    send(ui, Command::Open { run: RUN, link: ui.exp.with_untracked(Experiment::to_link), upload });
}

/// Build the run on a picture the user chose (its bytes are decoded in the worker).
pub fn open_upload(ui: Ui, bytes: Vec<u8>) {
    ui.play_after_open.set(true);
    send(ui, Command::Open { run: RUN, link: ui.exp.with_untracked(Experiment::to_link), upload: Upload::New(bytes) });
}

pub fn play(ui: Ui, on: bool) {
    ui.running.set(on);
    send(ui, if on { Command::Play { run: RUN } } else { Command::Pause { run: RUN } });
}

pub fn step(ui: Ui) {
    ui.running.set(false);
    send(ui, Command::Step { run: RUN });
}

pub fn insert_knot(ui: Ui) {
    send(ui, Command::InsertKnot { run: RUN });
}

pub fn refine(ui: Ui, h: bool) {
    send(ui, Command::Refine { run: RUN, h });
}

pub fn zoom(ui: Ui, zoom: Zoom) {
    ui.zoom.set(zoom);
    send(ui, Command::Zoom { run: RUN, zoom });
}

pub fn export(ui: Ui) {
    send(ui, Command::Export { run: RUN });
}

/// Open the model's experiment, then give its run the model's weights (the file's text).
pub fn load(ui: Ui, model: String, name: String) {
    open(ui, false);
    send(ui, Command::Load { run: RUN, model, name });
}

pub fn bench(ui: Ui, seconds: f64) {
    send(ui, Command::Bench { seconds });
}

/// The experiment changed: settings that apply to the running run (learning rate, schedules) are
/// adjusted in place, anything else rebuilds it.
pub fn apply(ui: Ui, old: &Experiment, new: &Experiment) {
    let live_only = Experiment {
        learning_rate: old.learning_rate,
        grow: old.grow,
        max_knots: old.max_knots,
        move_every: old.move_every,
        ..new.clone()
    } == *old;
    if live_only {
        send(ui, Command::Adjust { run: RUN, link: new.to_link() });
    } else {
        ui.running.set(false);
        open(ui, false);
    }
}

/// A report from the worker, into the signals.
fn receive(ui: Ui, report: Report) {
    match report {
        Report::Ready => {
            ui.engine_ready_ms.set(Some(now_ms()));
            ui.engine.update_value(|l| l.ready());
        }
        Report::Backend { label, reason, .. } => ui.backend.set(BackendStatus { label, reason }),
        Report::Opened { parameters, .. } => {
            if let Some((_, name)) = ui.pending_upload.get_untracked() {
                ui.uploaded.set(Some(name));
                ui.pending_upload.set(None);
            }
            ui.message.set(None);
            ui.formula_error.set(None);
            ui.detail.set(None);
            ui.zoom.set(Zoom::default());
            ui.readout.set(Readout { parameters, ..Readout::default() });
            let play = ui.play_after_open.get_untracked();
            ui.play_after_open.set(false);
            ui.running.set(false);
            if play {
                self::play(ui, true);
            }
        }
        Report::Refused { why, formula, .. } => {
            ui.play_after_open.set(false);
            // A refused upload leaves the experiment as it was before it.
            if let Some((previous, _)) = ui.pending_upload.get_untracked() {
                ui.pending_upload.set(None);
                ui.exp.set(previous);
            }
            if formula {
                ui.formula_error.set(Some(why));
            } else {
                let mut text = why;
                if let Some(first) = text.get(0..1) {
                    text = first.to_uppercase() + &text[1..];
                }
                ui.message.set(Some(format!("{text}.")));
            }
        }
        Report::Frame { frame, .. } => {
            ui.readout.set(frame.readout.clone());
            ui.frame.set(*frame);
        }
        Report::Readout { readout, .. } => ui.readout.set(readout),
        Report::Detail { detail, .. } => {
            if ui.zoom.get_untracked() == detail.view {
                ui.detail.set(Some(detail));
            }
        }
        Report::Message { text, .. } => ui.message.set(Some(text)),
        // The address bar follows the experiment (`url::keep_in_sync`).
        Report::Reshaped { link, .. } => ui.exp.set(Experiment::from_link(&link).0),
        Report::Paused { target_reached, .. } => {
            ui.running.set(false);
            if target_reached {
                // Reached: drop the target, so play goes on from here.
                ui.exp.update(|e| e.step = 0);
            }
        }
        Report::Exported { model, .. } => ui.exported.set(Some(model)),
        Report::Done { .. } => ui.busy.update(|b| *b = b.saturating_sub(1)),
        Report::BenchLine(line) => ui.bench.update(|b| b.0.push(line)),
        Report::BenchDone => ui.bench.update(|b| b.1 = true),
    }
}
