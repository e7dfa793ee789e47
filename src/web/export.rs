//! What can leave the page: the trained model (JSON, and back in), a PNG of the main view, the
//! data and loss history as CSV, and a WebM video of training recorded from the main canvas.
//! Every download goes through a Blob URL; the newest one is also noted on `<body
//! data-last-export>` so the browser tests can read what was produced.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Uint8Array};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::state::Ui;
use super::engine;
use playground_config::experiment::Kind;
use playground_config::model_file;

thread_local! {
    static LAST_URL: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Offer `blob` as a download called `name`.
pub(super) fn download(blob: &web_sys::Blob, name: &str) -> Result<(), String> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let url = web_sys::Url::create_object_url_with_blob(blob).map_err(|_| "the browser refused to create the file")?;
    if let Some(old) = LAST_URL.with(|l| l.borrow_mut().replace(url.clone())) {
        let _ = web_sys::Url::revoke_object_url(&old);
    }
    if let Some(body) = document.body() {
        let _ = body.set_attribute("data-last-export", &url);
    }
    let a: web_sys::HtmlAnchorElement = document.create_element("a").map_err(|_| "no link element")?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    Ok(())
}

pub(super) fn text_blob(text: &str, mime: &str) -> Result<web_sys::Blob, String> {
    let parts = Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(|_| "could not build the file".into())
}

/// The canvas that shows the current kind's main view.
fn main_canvas(ui: Ui) -> Option<web_sys::HtmlCanvasElement> {
    let id = match ui.exp().with_untracked(|e| e.kind) {
        Kind::Fit1d => "plot",
        Kind::Image => "image-recon",
        Kind::Field => "field",
        Kind::Digits => "accuracy-plot",
        Kind::Surface => "surface-prediction",
    };
    let document = web_sys::window()?.document()?;
    document.query_selector(&format!("[data-testid='{id}']")).ok()??.dyn_into().ok()
}

/// The worker sent the model file asked for by "Model (JSON)": offer it.
fn save_model(ui: Ui, model: &str) {
    if let Err(e) = text_blob(model, "application/json").and_then(|b| download(&b, "piecewise-model.json")) {
        ui.message.set(Some(format!("Export failed: {e}.")));
    }
}

/// Load a model file: its experiment (data, settings) is opened, then its weights replace the
/// fresh ones. A bad file changes nothing.
async fn import_model(ui: Ui, file: web_sys::File) -> Result<(), String> {
    if file.size() as usize > model_file::MAX_BYTES {
        return Err(format!("“{}” is too large to be a model file", file.name()));
    }
    let text = JsFuture::from(file.text()).await.map_err(|_| format!("“{}” could not be read", file.name()))?;
    let text = text.as_string().unwrap_or_default();
    // Checked here too, so a bad file changes nothing at all (not even the experiment).
    let (exp, _, _) = model_file::import(&text).map_err(|e| format!("“{}” was not loaded: {e}", file.name()))?;
    engine::play(ui, false);
    // A model of the same experiment loads into the run as it is (so an undo goes back to it);
    // another experiment is opened first (its shared settings go to every run).
    super::runs::edit(ui, |e| *e = exp);
    engine::load(ui, text, file.name());
    Ok(())
}

fn export_png(ui: Ui) -> Result<(), String> {
    let canvas = main_canvas(ui).ok_or("nothing is drawn yet")?;
    let url = canvas.to_data_url().map_err(|_| "the browser refused to export the picture")?;
    let bytes = data_url_bytes(&url).ok_or("the picture could not be encoded")?;
    let array = Array::of1(&Uint8Array::from(bytes.as_slice()));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/png");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&array, &options).map_err(|_| "could not build the file")?;
    download(&blob, "piecewise-view.png")
}

fn data_url_bytes(url: &str) -> Option<Vec<u8>> {
    let b64 = url.split_once(',')?.1;
    let text = web_sys::window()?.atob(b64).ok()?;
    Some(text.chars().map(|c| c as u8).collect())
}

/// The data points and the loss history, as two CSV sections.
fn export_csv(ui: Ui) -> Result<(), String> {
    let mut out = String::new();
    ui.frame().with_untracked(|f| {
        if let Some(field) = &f.field {
            // Two classes as TF Playground's ±1, more as their numbers from 0.
            let two = ui.exp().with_untracked(|e| e.class_count() == 2);
            out.push_str("set,x,y,label\n");
            for (set, points) in [("train", &field.train), ("test", &field.test)] {
                for p in points.iter() {
                    let label = if two { p.sign().to_string() } else { p.class.to_string() };
                    out.push_str(&format!("{set},{},{},{label}\n", p.x, p.y));
                }
            }
        } else if let Some(points) = ui.exp().with_untracked(|e| e.on_user_points().then(|| e.user_points.clone())) {
            // Your own points in your order, so that importing this file gives the same data set
            // (and, with the same data seed, the same split).
            out.push_str("set,x,y\n");
            let mut test = f.test.clone();
            for p in points.as_slice() {
                let held_out = test.iter().position(|t| *t == (p[0], p[1])).map(|i| test.swap_remove(i)).is_some();
                out.push_str(&format!("{},{},{}\n", if held_out { "test" } else { "train" }, p[0], p[1]));
            }
        } else if !f.train.is_empty() {
            out.push_str("set,x,y\n");
            for (set, points) in [("train", &f.train), ("test", &f.test)] {
                for (x, y) in points.iter() {
                    out.push_str(&format!("{set},{x},{y}\n"));
                }
            }
        }
        out.push_str("\nstep,train_loss\n");
        for (s, l) in &f.loss_history {
            out.push_str(&format!("{s},{l}\n"));
        }
        out.push_str("\nstep,test_loss\n");
        for (s, l) in &f.test_history {
            out.push_str(&format!("{s},{l}\n"));
        }
        if !f.quality_history.is_empty() {
            out.push_str(if f.picture.is_some() { "\nstep,psnr_db\n" } else { "\nstep,test_accuracy_percent\n" });
            for (s, q) in &f.quality_history {
                out.push_str(&format!("{s},{q}\n"));
            }
        }
    });
    download(&text_blob(&out, "text/csv")?, "piecewise-data.csv")
}

/// Record the main canvas while training `steps` more steps, then offer the WebM.
async fn record_video(ui: Ui, steps: u64, status: RwSignal<String>) -> Result<(), String> {
    let canvas = main_canvas(ui).ok_or("nothing is drawn yet")?;
    let stream = canvas.capture_stream_with_frame_request_rate(30.0).map_err(|_| "this browser cannot record a canvas")?;
    let options = web_sys::MediaRecorderOptions::new();
    options.set_mime_type("video/webm");
    let recorder = web_sys::MediaRecorder::new_with_media_stream_and_media_recorder_options(&stream, &options)
        .map_err(|_| "this browser cannot record WebM video")?;
    let chunks = Rc::new(RefCell::new(Vec::<web_sys::Blob>::new()));
    let sink = chunks.clone();
    let on_data = Closure::<dyn Fn(web_sys::BlobEvent)>::new(move |ev: web_sys::BlobEvent| {
        if let Some(b) = ev.data() {
            sink.borrow_mut().push(b);
        }
    });
    recorder.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
    let (done_tx, done_rx) = stop_signal();
    let on_stop = Closure::<dyn Fn()>::new(move || done_tx.resolve());
    recorder.set_onstop(Some(on_stop.as_ref().unchecked_ref()));
    recorder.start_with_time_slice(250).map_err(|_| "the recording did not start")?;
    let target = ui.readout().with_untracked(|r| r.steps) + steps;
    status.set(format!("Recording until step {target}…"));
    engine::play(ui, true);
    loop {
        gloo_timers::future::TimeoutFuture::new(100).await;
        if ui.readout().with_untracked(|r| r.steps) >= target || !ui.running.get_untracked() {
            break;
        }
    }
    engine::play(ui, false);
    gloo_timers::future::TimeoutFuture::new(200).await; // the last frame
    recorder.stop().map_err(|_| "the recording did not stop")?;
    let _ = done_rx.await;
    drop((on_data, on_stop));
    let parts = Array::new();
    for b in chunks.borrow().iter() {
        parts.push(b);
    }
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("video/webm");
    let blob = web_sys::Blob::new_with_blob_sequence_and_options(&parts, &options).map_err(|_| "could not build the video")?;
    status.set(format!("Recorded {:.0} kB of WebM.", blob.size() / 1024.0));
    download(&blob, "piecewise-training.webm")
}

/// A one-shot signal from a JS callback to an async task.
struct Done(Rc<RefCell<Option<js_sys::Function>>>);

impl Done {
    fn resolve(&self) {
        if let Some(f) = self.0.borrow_mut().take() {
            let _ = f.call0(&JsValue::NULL);
        }
    }
}

fn stop_signal() -> (Done, JsFuture) {
    let slot = Rc::new(RefCell::new(None));
    let fill = slot.clone();
    let promise = js_sys::Promise::new(&mut |resolve, _| *fill.borrow_mut() = Some(resolve));
    (Done(slot), JsFuture::from(promise))
}

#[component]
pub fn ExportPanel(ui: Ui) -> impl IntoView {
    // The worker sent the weights "Model (JSON)" asked for: write the file.
    Effect::new(move |_| {
        if let Some(model) = ui.exported.get() {
            save_model(ui, &model);
        }
    });
    let status = RwSignal::new(String::new());
    let report = move |r: Result<(), String>| status.set(r.err().unwrap_or_default());
    let video_steps = RwSignal::new(300u64);
    view! {
        <section class="panel" aria-label="Export">
            <h2>"Export"</h2>
            <div class="buttons">
                <button data-testid="export-model" on:click=move |_| engine::export(ui)>"Model (JSON)"</button>
                <button data-testid="export-png" on:click=move |_| report(export_png(ui))>"Picture (PNG)"</button>
                <button data-testid="export-csv" on:click=move |_| report(export_csv(ui))>"Data + loss (CSV)"</button>
                <button data-testid="export-video" on:click=move |_| spawn_local(async move {
                    let r = record_video(ui, video_steps.get_untracked(), status).await;
                    if let Err(e) = r { status.set(e) }
                })>"Video (WebM)"</button>
            </div>
            <label class="field">
                <span>"Video length (steps)"</span>
                <input type="number" min="1" max="100000" data-testid="video-steps" prop:value=move || video_steps.get().to_string()
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).trim().parse::<u64>() { video_steps.set(v.clamp(1, 100_000)) }
                    } />
            </label>
            <label class="field wide">
                <span>"Load a model (JSON)"</span>
                <input type="file" accept=".json,application/json" data-testid="import-model" on:change=move |ev| {
                    let input: web_sys::HtmlInputElement = event_target(&ev);
                    if let Some(file) = input.files().and_then(|f| f.get(0)) {
                        spawn_local(async move {
                            if let Err(e) = import_model(ui, file).await {
                                ui.message.set(Some(format!("{e}. Nothing was changed.")));
                            }
                        });
                    }
                    input.set_value("");
                } />
            </label>
            <p class="hint" role="status" data-testid="export-status">{move || status.get()}</p>
        </section>
    }
}
