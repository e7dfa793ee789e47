//! The reactive state of the page. Views read it; only the engine's reports (`engine.rs`) write
//! training results, only controls and the URL write the experiment.

use leptos::prelude::*;

pub use playground_config::protocol::{CurvesFrame, DetailFrame, FieldFrame, Frame, Readout, Zoom};
use playground_config::experiment::Experiment;

use super::worker_link::Link;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct BackendStatus {
    pub label: String,
    pub reason: String,
}

#[derive(Clone, Copy)]
pub struct Ui {
    pub exp: RwSignal<Experiment>,
    pub running: RwSignal<bool>,
    pub readout: RwSignal<Readout>,
    pub frame: RwSignal<Frame>,
    pub backend: RwSignal<BackendStatus>,
    /// Why training stopped or what the app did on its own (divergence, GPU loss).
    pub message: RwSignal<Option<String>>,
    /// Notices about the link (unknown keys, clamped values).
    pub notices: RwSignal<Vec<String>>,
    pub formula_error: RwSignal<Option<String>>,
    /// The zoomed, finer rendering of an image experiment, and the view asked for.
    pub detail: RwSignal<Option<DetailFrame>>,
    pub zoom: RwSignal<Zoom>,
    /// Frames drawn so far, and how many commands the engine has not finished: the page exposes
    /// both (`data-frames`, `data-idle`) so that tests and scripts can wait for the page instead
    /// of sleeping.
    pub frames: RwSignal<u64>,
    pub busy: RwSignal<u32>,
    /// The connection to the engine worker.
    pub engine: StoredValue<Link, LocalStorage>,
    /// Start training as soon as the run being built is ready.
    pub play_after_open: RwSignal<bool>,
    /// The `#bench` page's lines, and whether the benchmarks are done.
    pub bench: RwSignal<(Vec<String>, bool)>,
    /// When (ms since navigation) the page's controls were in place and when the engine worker
    /// said it was ready: the page exposes both (`data-mounted-ms`, `data-engine-ready-ms`) for
    /// the load benchmark.
    pub mounted_ms: RwSignal<Option<f64>>,
    pub engine_ready_ms: RwSignal<Option<f64>>,
    /// The model file the worker sent for "Model (JSON)".
    pub exported: RwSignal<Option<String>>,
    /// The name of the picture the user uploaded (it stays in the worker).
    pub uploaded: RwSignal<Option<String>>,
    /// An upload on its way: the experiment before it (restored if the file is refused) and the
    /// file's name.
    pub pending_upload: RwSignal<Option<(Experiment, String)>>,
}

impl Ui {
    /// Nothing is training or under way: what is shown is final.
    pub fn idle(&self) -> bool {
        !self.running.get() && self.busy.get() == 0
    }

    pub fn new(exp: Experiment, notices: Vec<String>) -> Self {
        Ui {
            exp: RwSignal::new(exp),
            running: RwSignal::new(false),
            readout: RwSignal::new(Readout::default()),
            frame: RwSignal::new(Frame::default()),
            backend: RwSignal::new(BackendStatus { label: "engine loading…".into(), reason: "the page works already; training starts when the engine is ready".into() }),
            message: RwSignal::new(None),
            notices: RwSignal::new(notices),
            formula_error: RwSignal::new(None),
            detail: RwSignal::new(None),
            zoom: RwSignal::new(Zoom::default()),
            frames: RwSignal::new(0),
            busy: RwSignal::new(0),
            engine: StoredValue::new_local(Link::default()),
            play_after_open: RwSignal::new(false),
            bench: RwSignal::new((Vec::new(), false)),
            mounted_ms: RwSignal::new(None),
            engine_ready_ms: RwSignal::new(None),
            exported: RwSignal::new(None),
            uploaded: RwSignal::new(None),
            pending_upload: RwSignal::new(None),
        }
    }
}
