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
use playground_config::protocol::{decode, Command, Readout, Report, RunId, Stage, Upload, Zoom};

use super::state::{BackendStatus, RunView, Ui};

/// The worker's first script (public/engine-loader.js): it loads the engine's wasm.
const WORKER_SCRIPT: &str = "./engine-loader.js";

/// Milliseconds since the page's navigation started.
pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

/// Start the worker and listen to it.
pub fn start(ui: Ui) {
    // Worker files carry no content hash: in a dist build, `?v=<build>` asks for this build's.
    let script = match ui.page_build.get_value() {
        Some(build) => format!("{WORKER_SCRIPT}?v={}", build.name),
        None => WORKER_SCRIPT.to_string(),
    };
    let worker = match web_sys::Worker::new(&script) {
        Ok(w) => w,
        Err(_) => {
            ui.message.set(Some("The training engine could not start in this browser (no Web Workers).".into()));
            return;
        }
    };
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let data = event.data();
            if !data.is_instance_of::<js_sys::ArrayBuffer>()
                && !data.is_instance_of::<js_sys::Uint8Array>()
            {
                return loader_note(ui, &data);
            }
            let bytes = js_sys::Uint8Array::new(&data).to_vec();
            if let Some(report) = decode::<Report>(&bytes) {
                receive(ui, report);
            }
        });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    let on_error = Closure::<dyn Fn(web_sys::Event)>::new(move |_| {
        engine_gone(
            ui,
            "stopped",
            "the training engine failed; reload the page",
            "The training engine stopped unexpectedly. Reload the page to start it again; the link keeps your experiment.".into(),
        )
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    // Test hook: scripts (the browser tests) can make the engine behave as if the GPU failed.
    let simulate = Closure::<dyn Fn()>::new(move || send(ui, Command::SimulateGpuFailure { run: ui.run_untracked().id }));
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &"__playgroundSimulateGpuFailure".into(), simulate.as_ref());
    }
    // Test hook: the worker's own requests (its timeline is not the page's) are listed on
    // `<html data-worker-requests>`, so a test can check that nothing left the page's origin.
    let list_requests = Closure::<dyn Fn()>::new(move || {
        let ask = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&ask, &"listRequests".into(), &true.into());
        ui.engine.with_value(|l| l.tell_loader(&ask));
    });
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &"__playgroundWorkerRequests".into(), list_requests.as_ref());
    }
    list_requests.forget();
    // The page lives as long as its worker: leaking the handlers is the intended lifetime.
    on_message.forget();
    on_error.forget();
    simulate.forget();
    ui.engine.update_value(|l| l.connect(worker));
}

/// What the worker's loader says (public/engine-loader.js): bytes of the engine arrived, the
/// build its wasm belongs to, why it could not load, or (asked by a test) the worker's requests.
fn loader_note(ui: Ui, note: &JsValue) {
    let field = |k: &str| {
        js_sys::Reflect::get(note, &k.into())
            .ok()
            .filter(|v| !v.is_undefined())
    };
    if let Some(bytes) = field("loading").and_then(|v| v.as_f64()) {
        ui.engine_loaded.set(bytes as u64);
    }
    if let Some(build) = field("build").and_then(|v| v.as_string()) {
        if let Some(page) = ui
            .page_build
            .get_value()
            .filter(|p| !build.is_empty() && p.name != build)
        {
            ui.message.set(Some(format!(
                "This page (build {}) and its training engine (build {build}) come from two versions of the playground: reload the page.",
                page.name
            )));
        }
        ui.engine_build.set(Some(build));
    }
    if let Some(requests) = field("requests") {
        let listed = js_sys::JSON::stringify(&requests).ok().and_then(|s| s.as_string()).unwrap_or_default();
        if let Some(html) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = html.set_attribute("data-worker-requests", &listed);
        }
    }
    if let Some(why) = field("failed").and_then(|v| v.as_string()) {
        engine_gone(
            ui,
            "not loaded",
            "the training engine could not load",
            format!("The training engine could not load ({why}). Check the connection and reload the page; the link keeps your experiment."),
        );
    }
}

/// The engine will answer nothing more (it failed, or never loaded): every run says so and stops,
/// and the page is idle (no command it waits for will be done).
fn engine_gone(ui: Ui, label: &str, reason: &str, message: String) {
    for run in ui.runs.get_untracked() {
        run.backend.set(BackendStatus { label: label.into(), reason: reason.into(), timings: Default::default(), engine: None });
        run.playing.set(false);
    }
    ui.message.set(Some(message));
    ui.busy.set(0);
    ui.running.set(false);
}

/// Send a command; the page counts as busy until the worker says its work is done.
pub fn send(ui: Ui, command: Command) {
    // The worker answers every command about a run with `Done`.
    if command.run().is_some() {
        ui.busy.update(|b| *b += 1);
    }
    ui.engine.update_value(|l| l.send(command));
}

/// Build every run of the comparison from its experiment; `play` starts training once built.
pub fn open(ui: Ui, play: bool) {
    ui.scrub.set(None);
    for run in ui.runs.get_untracked() {
        open_run(ui, run, play);
    }
}

/// (Re)build one run from its experiment.
pub fn open_run(ui: Ui, run: RunView, play: bool) {
    run.play_after_open.set(play);
    run.playing.set(false);
    let upload = if run.exp.with_untracked(|e| e.kind == Kind::Image && e.image == UPLOAD) { Upload::Previous } else { Upload::None };
    send(ui, Command::Open { run: run.id, link: run.exp.with_untracked(Experiment::to_engine_link), upload, before: before(ui, run) });
}

/// What a forked run trains before its own settings take over: the runs it continues, each until
/// the step it was forked at (a fork of a fork continues through both).
fn before(ui: Ui, run: RunView) -> Vec<Stage> {
    let runs = ui.runs.get_untracked();
    let Some(index) = runs.iter().position(|r| r.id == run.id) else { return Vec::new() };
    let mut stages = stages(&runs, index, u64::MAX);
    stages.pop(); // the run's own settings
    stages
}

/// Run `index`'s stages until `until`, its own settings last.
fn stages(runs: &[RunView], index: usize, until: u64) -> Vec<Stage> {
    let exp = runs[index].exp.get_untracked();
    let own = Stage { link: exp.to_engine_link(), until };
    let Some(fork) = exp.fork.filter(|f| f.parent >= 1 && f.parent - 1 < index) else { return vec![own] };
    let mut out = Vec::new();
    for stage in stages(runs, fork.parent - 1, fork.step) {
        let last = stage.until >= fork.step;
        out.push(Stage { until: stage.until.min(fork.step), ..stage });
        if last {
            break;
        }
    }
    out.push(own);
    out
}

/// Build the runs on a picture the user chose (its bytes are decoded in the worker, once: the
/// other runs take the picture it accepted).
pub fn open_upload(ui: Ui, bytes: Vec<u8>) {
    let mut bytes = Some(bytes);
    for run in ui.runs.get_untracked() {
        run.play_after_open.set(true);
        let upload = match bytes.take() {
            Some(b) => Upload::New(b),
            None => Upload::Previous,
        };
        send(ui, Command::Open { run: run.id, link: run.exp.with_untracked(Experiment::to_engine_link), upload, before: before(ui, run) });
    }
}

/// Play or pause every run (they train in lockstep). Playing goes on from the present.
pub fn play(ui: Ui, on: bool) {
    ui.running.set(on);
    if on {
        ui.scrub.set(None);
    }
    for run in ui.runs.get_untracked() {
        run.playing.set(on);
        if on {
            run.past.set(None);
        }
        send(ui, if on { Command::Play { run: run.id } } else { Command::Pause { run: run.id } });
    }
}

/// One step of every run.
pub fn step(ui: Ui) {
    ui.running.set(false);
    ui.scrub.set(None);
    for run in ui.runs.get_untracked() {
        run.playing.set(false);
        run.past.set(None);
        send(ui, Command::Step { run: run.id });
    }
}

fn current(ui: Ui) -> RunId {
    ui.run_untracked().id
}

pub fn insert_knot(ui: Ui) {
    send(ui, Command::InsertKnot { run: current(ui) });
}

pub fn refine(ui: Ui, h: bool) {
    send(ui, Command::Refine { run: current(ui), h });
}

pub fn undo(ui: Ui) {
    send(ui, Command::Undo { run: current(ui) });
}

pub fn zoom(ui: Ui, zoom: Zoom) {
    ui.zoom.set(zoom);
    send(ui, Command::Zoom { run: current(ui), zoom });
}

pub fn export(ui: Ui) {
    send(ui, Command::Export { run: current(ui) });
}

/// Give the edited run a model's weights (the file's text; its experiment was applied first). An
/// undo goes back to the run before the import.
pub fn load(ui: Ui, model: String, name: String) {
    send(ui, Command::Load { run: current(ui), model, name });
}

/// Show every run at the kept step `step` (`None`: the present, whose frames the page kept);
/// training pauses meanwhile.
pub fn show(ui: Ui, step: Option<u64>) {
    if step.is_some() && ui.running.get_untracked() {
        play(ui, false);
    }
    ui.scrub.set(step);
    for run in ui.runs.get_untracked() {
        match step {
            Some(step) => send(ui, Command::Show { run: run.id, step }),
            None => run.past.set(None),
        }
    }
}

/// Forget a run.
pub fn remove(ui: Ui, id: RunId) {
    send(ui, Command::Remove { run: id });
}

/// A new run `run` (already in the list) continuing from run `from` at `step`.
pub fn fork(ui: Ui, run: RunId, from: RunId, step: u64) {
    send(ui, Command::Fork { run, from, step });
}

/// Ask the edited run what it reads in a drawn digit (64 counts).
pub fn classify(ui: Ui, image: Vec<u8>) {
    send(ui, Command::Classify { run: ui.run_untracked().id, image });
}

pub fn bench(ui: Ui, seconds: f64) {
    send(ui, Command::Bench { seconds });
}

/// Run `run`'s experiment changed: settings that apply to a running run (learning rate,
/// schedules) are adjusted in place, anything else rebuilds it.
pub fn apply(ui: Ui, run: RunView, old: &Experiment, new: &Experiment) {
    if live_only(old, new) {
        send(ui, Command::Adjust { run: run.id, link: new.to_engine_link() });
    } else {
        open_run(ui, run, false);
        ui.running.set(ui.runs.with_untracked(|r| r.iter().any(|r| r.playing.get_untracked())));
    }
}

/// Whether `old` becomes `new` without a rebuild (the learning rate, the schedules and the
/// backend change in place — a run moves between backends with its whole state; a forked run
/// dropping its fork is rebuilt).
pub fn live_only(old: &Experiment, new: &Experiment) -> bool {
    Experiment {
        learning_rate: old.learning_rate,
        grow: old.grow,
        max_knots: old.max_knots,
        move_every: old.move_every,
        backend: old.backend,
        ..new.clone()
    } == *old
}

/// "Run k: " before a run's messages when several runs are shown.
fn prefix(ui: Ui, id: RunId) -> String {
    if ui.runs.with_untracked(Vec::len) > 1 {
        format!("Run {}: ", ui.index_of_untracked(id) + 1)
    } else {
        String::new()
    }
}

/// A report from the worker, into the signals. Reports about a run that is gone are dropped.
fn receive(ui: Ui, report: Report) {
    let run_of = |id: RunId| ui.find(id);
    match report {
        Report::Ready => {
            ui.engine_ready_ms.set(Some(now_ms()));
            ui.engine.update_value(|l| l.ready());
            // Only now: keeping the files for offline use must not slow a first visit's loading.
            super::offline::register(ui);
        }
        Report::Backend { run, engine, reason, timings } => {
            if let Some(r) = run_of(run) {
                r.backend.set(BackendStatus { label: engine.label().into(), reason, timings, engine: Some(engine) });
            }
        }
        Report::Opened { run, parameters } => {
            let Some(r) = run_of(run) else { return };
            if let Some((_, name)) = ui.pending_upload.get_untracked() {
                ui.uploaded.set(Some(name));
                ui.pending_upload.set(None);
            }
            ui.message.set(None);
            ui.formula_error.set(None);
            if run == current(ui) {
                ui.detail.set(None);
                ui.zoom.set(Zoom::default());
            }
            r.readout.set(Readout { parameters, ..Readout::default() });
            r.past.set(None);
            let play = r.play_after_open.get_untracked();
            r.play_after_open.set(false);
            r.playing.set(play);
            if play {
                ui.running.set(true);
                send(ui, Command::Play { run });
            }
        }
        Report::Refused { run, why, formula } => {
            if let Some(r) = run_of(run) {
                r.play_after_open.set(false);
            }
            // A refused upload leaves the experiment as it was before it.
            if let Some((previous, _)) = ui.pending_upload.get_untracked() {
                ui.pending_upload.set(None);
                for r in ui.runs.get_untracked() {
                    r.exp.update(|e| e.image = previous.image.clone());
                }
            }
            if formula {
                ui.formula_error.set(Some(why));
            } else {
                let mut text = why;
                if let Some(first) = text.get(0..1) {
                    text = first.to_uppercase() + &text[1..];
                }
                ui.message.set(Some(format!("{}{text}.", prefix(ui, run))));
            }
        }
        Report::Frame { run, frame } => {
            if let Some(r) = run_of(run) {
                r.readout.set(frame.readout.clone());
                r.frame.set(*frame);
                ui.frames.update(|n| *n += 1);
            }
        }
        Report::Past { run, frame } => {
            // Only while the timeline is still away from the present.
            if let (Some(r), Some(_)) = (run_of(run), ui.scrub.get_untracked()) {
                r.past.set(Some(*frame));
                ui.frames.update(|n| *n += 1);
            }
        }
        Report::Readout { run, readout } => {
            if let Some(r) = run_of(run) {
                r.readout.set(readout);
            }
        }
        Report::Detail { run, detail } => {
            if run == current(ui) && ui.zoom.get_untracked() == detail.view {
                ui.detail.set(Some(detail));
            }
        }
        Report::Message { run, text } => ui.message.set(Some(format!("{}{text}", prefix(ui, run)))),
        // The address bar follows the experiment (`url::keep_in_sync`).
        Report::Reshaped { run, link } => {
            if let Some(r) = run_of(run) {
                r.exp.set(Experiment::from_link(&link).0);
            }
        }
        Report::Paused { run, target_reached, .. } => {
            if let Some(r) = run_of(run) {
                r.playing.set(false);
                if target_reached {
                    // Reached: drop the target, so play goes on from here.
                    r.exp.update(|e| e.step = 0);
                }
            }
            ui.running.set(ui.runs.with_untracked(|r| r.iter().any(|r| r.playing.get_untracked())));
        }
        Report::Exported { model, .. } => ui.exported.set(Some(model)),
        Report::Done { .. } => ui.busy.update(|b| *b = b.saturating_sub(1)),
        Report::BenchLine(line) => ui.bench.update(|b| b.0.push(line)),
        Report::BenchDone => ui.bench.update(|b| b.1 = true),
        Report::Probabilities { run, probabilities } => {
            if run == ui.run_untracked().id && ui.drawn_digit.with_untracked(Option::is_some) {
                ui.probabilities.set(Some(probabilities));
            }
        }
    }
}
