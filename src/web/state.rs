//! The reactive state of the page. Views read it; only the engine's reports (`engine.rs`) write
//! training results, only controls and the URL write the experiment.

use leptos::prelude::*;

pub use playground_config::protocol::{CurvesFrame, DetailFrame, FieldFrame, Frame, Readout, Zoom};
use playground_config::backend_pick::{Engine, Timings};
use playground_config::compare::Comparison;
use playground_config::experiment::Experiment;
use playground_config::protocol::RunId;

use super::offline::{Offline, PageBuild};
use super::worker_link::Link;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct BackendStatus {
    pub label: String,
    pub reason: String,
    /// The speeds measured on this run (`backend=auto`), and the backend it is on.
    pub timings: Timings,
    pub engine: Option<Engine>,
}

/// One run of the comparison as the page knows it: its experiment and what the worker last
/// reported about it.
#[derive(Clone, Copy)]
pub struct RunView {
    pub id: RunId,
    pub exp: RwSignal<Experiment>,
    pub readout: RwSignal<Readout>,
    pub frame: RwSignal<Frame>,
    /// The run at a kept step (the timeline was scrubbed back); `None`: the present.
    pub past: RwSignal<Option<Frame>>,
    pub playing: RwSignal<bool>,
    pub backend: RwSignal<BackendStatus>,
    /// Start training as soon as the run being built is ready.
    pub play_after_open: RwSignal<bool>,
}

impl RunView {
    pub fn new(id: RunId, exp: Experiment) -> RunView {
        RunView {
            id,
            exp: RwSignal::new(exp),
            readout: RwSignal::new(Readout::default()),
            frame: RwSignal::new(Frame::default()),
            past: RwSignal::new(None),
            playing: RwSignal::new(false),
            backend: RwSignal::new(BackendStatus {
                label: "engine loading…".into(),
                reason: "the page works already; training starts when the engine is ready".into(),
                timings: Timings::default(),
                engine: None,
            }),
            play_after_open: RwSignal::new(false),
        }
    }

    /// The numbers of what is drawn: those of the kept step scrubbed to, or the present's.
    pub fn shown_readout(&self) -> Readout {
        self.past.with(|past| match past {
            Some(p) => p.readout.clone(),
            None => self.readout.get(),
        })
    }

    /// What the views draw: the kept step scrubbed to, or the present.
    pub fn with_drawn<R>(&self, f: impl FnOnce(&Frame) -> R) -> R {
        self.past.with(|past| match past {
            Some(p) => f(p),
            None => self.frame.with(f),
        })
    }
}

#[derive(Clone, Copy)]
pub struct Ui {
    /// The runs side by side (one unless the user compares), in the order of their cards.
    pub runs: RwSignal<Vec<RunView>>,
    /// The run the controls edit.
    pub current: RwSignal<RunId>,
    /// The id the next new run gets (ids are never reused, so late reports of a removed run
    /// cannot reach a new one).
    pub next_id: StoredValue<RunId>,
    /// The kept step the timeline shows (`None`: the present).
    pub scrub: RwSignal<Option<u64>>,
    /// Some run is training.
    pub running: RwSignal<bool>,
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
    /// The `#bench` page's lines, and whether the benchmarks are done.
    pub bench: RwSignal<(Vec<String>, bool)>,
    /// When (ms since navigation) the page's controls were in place and when the engine worker
    /// said it was ready: the page exposes both (`data-mounted-ms`, `data-engine-ready-ms`) for
    /// the load benchmark.
    pub mounted_ms: RwSignal<Option<f64>>,
    pub engine_ready_ms: RwSignal<Option<f64>>,
    /// This page's build (`cargo xtask dist`; `None` in a development build), the build the
    /// engine's wasm says it belongs to, and how many of its bytes have arrived.
    pub page_build: StoredValue<Option<PageBuild>>,
    pub engine_build: RwSignal<Option<String>>,
    pub engine_loaded: RwSignal<u64>,
    /// Offline use (src/web/offline.rs): where it stands, the service worker's registration, and
    /// whether the user asked for the newer build.
    pub offline: RwSignal<Offline>,
    pub registration: StoredValue<Option<web_sys::ServiceWorkerRegistration>, LocalStorage>,
    pub updating: StoredValue<bool>,
    /// The model file the worker sent for "Model (JSON)".
    pub exported: RwSignal<Option<String>>,
    /// The name of the picture the user uploaded (it stays in the worker).
    pub uploaded: RwSignal<Option<String>>,
    /// An upload on its way: the experiment before it (restored if the file is refused) and the
    /// file's name.
    pub pending_upload: RwSignal<Option<(Experiment, String)>>,
    /// The digit written on the pad (64 counts) and the network's probabilities for it.
    pub drawn_digit: RwSignal<Option<Vec<u8>>>,
    pub probabilities: RwSignal<Option<Vec<f32>>>,
    /// The class a click on the classification map places.
    pub point_class: RwSignal<u32>,
}

impl Ui {
    /// Nothing is training or under way: what is shown is final.
    pub fn idle(&self) -> bool {
        !self.running.get() && self.busy.get() == 0
    }

    /// The run the controls edit (tracked).
    pub fn run(&self) -> RunView {
        let id = self.current.get();
        self.runs.with(|runs| runs.iter().find(|r| r.id == id).or(runs.first()).copied()).expect("a comparison has a run")
    }

    pub fn run_untracked(&self) -> RunView {
        let id = self.current.get_untracked();
        self.runs.with_untracked(|runs| runs.iter().find(|r| r.id == id).or(runs.first()).copied()).expect("a comparison has a run")
    }

    /// The edited run's experiment, readout, frame and backend.
    pub fn exp(&self) -> RwSignal<Experiment> {
        self.run().exp
    }

    pub fn readout(&self) -> RwSignal<Readout> {
        self.run().readout
    }

    pub fn frame(&self) -> RwSignal<Frame> {
        self.run().frame
    }

    pub fn backend(&self) -> RwSignal<BackendStatus> {
        self.run().backend
    }

    /// The run with this id, if it is still there.
    pub fn find(&self, id: RunId) -> Option<RunView> {
        self.runs.with_untracked(|runs| runs.iter().find(|r| r.id == id).copied())
    }

    /// A run's position from 0 (cards are numbered from 1).
    pub fn index_of(&self, id: RunId) -> usize {
        self.runs.with(|runs| runs.iter().position(|r| r.id == id).unwrap_or(0))
    }

    pub fn index_of_untracked(&self, id: RunId) -> usize {
        self.runs.with_untracked(|runs| runs.iter().position(|r| r.id == id).unwrap_or(0))
    }

    /// The comparison the runs make (what the link holds).
    pub fn comparison(&self) -> Comparison {
        Comparison { runs: self.runs.with(|runs| runs.iter().map(|r| r.exp.get()).collect()) }
    }

    pub fn comparison_untracked(&self) -> Comparison {
        Comparison { runs: self.runs.with_untracked(|runs| runs.iter().map(|r| r.exp.get_untracked()).collect()) }
    }

    /// A new run id.
    pub fn new_id(&self) -> RunId {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        id
    }

    pub fn new(comparison: Comparison, notices: Vec<String>) -> Self {
        let runs: Vec<RunView> = comparison.runs.into_iter().enumerate().map(|(i, e)| RunView::new(i as RunId, e)).collect();
        let count = runs.len() as RunId;
        Ui {
            runs: RwSignal::new(runs),
            current: RwSignal::new(0),
            next_id: StoredValue::new(count),
            scrub: RwSignal::new(None),
            running: RwSignal::new(false),
            message: RwSignal::new(None),
            notices: RwSignal::new(notices),
            formula_error: RwSignal::new(None),
            detail: RwSignal::new(None),
            zoom: RwSignal::new(Zoom::default()),
            frames: RwSignal::new(0),
            busy: RwSignal::new(0),
            engine: StoredValue::new_local(Link::default()),
            bench: RwSignal::new((Vec::new(), false)),
            mounted_ms: RwSignal::new(None),
            engine_ready_ms: RwSignal::new(None),
            page_build: StoredValue::new(PageBuild::of_this_page()),
            engine_build: RwSignal::new(None),
            engine_loaded: RwSignal::new(0),
            offline: RwSignal::new(Offline::Unknown),
            registration: StoredValue::new_local(None),
            updating: StoredValue::new(false),
            exported: RwSignal::new(None),
            uploaded: RwSignal::new(None),
            pending_upload: RwSignal::new(None),
            drawn_digit: RwSignal::new(None),
            probabilities: RwSignal::new(None),
            point_class: RwSignal::new(1),
        }
    }
}
