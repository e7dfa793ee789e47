//! The reactive state shared by the views and the driver. Views read it; only the driver writes
//! training results, only controls write the experiment.

use leptos::prelude::*;

use std::sync::Arc;

use crate::core::data::field::Labelled;
use crate::core::data::plane::Region;
use crate::core::experiment::Experiment;

/// Numbers shown next to the plot.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Readout {
    pub steps: u64,
    pub loss: Option<f32>,
    pub test_loss: Option<f32>,
    pub steps_per_sec: f32,
    pub parameters: usize,
    /// Image experiments: PSNR of the whole reconstruction, in dB.
    pub psnr: Option<f64>,
    /// Field experiments: share of test (and training) points on the right side, in %.
    pub accuracy: Option<f64>,
    pub train_accuracy: Option<f64>,
    /// Single-neuron lessons: the weights and biases, spelled out.
    pub weights: Option<String>,
}

/// What the plots draw: one snapshot of the model and the data.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Frame {
    pub train: Vec<(f32, f32)>,
    pub test: Vec<(f32, f32)>,
    pub clean: Vec<(f32, f32)>,
    pub prediction: Vec<(f32, f32)>,
    /// First-layer knot positions in data coordinates.
    pub knots: Vec<f32>,
    pub x_range: (f32, f32),
    /// (step, training loss) and (step, test loss) histories.
    pub loss_history: Vec<(u64, f32)>,
    pub test_history: Vec<(u64, f32)>,
    /// PSNR (dB) of image experiments, test accuracy (%) of fields, against steps.
    pub quality_history: Vec<(u64, f64)>,
    pub picture: Option<PictureFrame>,
    pub field: Option<FieldFrame>,
    pub curves: Option<CurvesFrame>,
    /// Every layer's synapse curves, for the network diagram (empty for very large networks).
    pub diagram: Vec<CurvesFrame>,
}

/// The image lab's three pictures, 8-bit RGBA at the training resolution.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PictureFrame {
    pub width: usize,
    pub height: usize,
    pub target: Arc<Vec<u8>>,
    pub recon: Vec<u8>,
    pub error: Vec<u8>,
}

/// The learned picture rendered over a region of the plane, finer than the training grid.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DetailFrame {
    pub width: usize,
    pub height: usize,
    pub rgba: Vec<u8>,
    pub view: Zoom,
}

/// What the detail view shows: a region at a multiple of the training resolution.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Zoom {
    pub scale: usize,
    pub region: Region,
}

impl Default for Zoom {
    fn default() -> Self {
        Zoom { scale: 2, region: Region::FULL }
    }
}

/// A classification field: the network's score on a square grid, and the points.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FieldFrame {
    pub grid: usize,
    /// `grid²` scores, row by row from y = −1.
    pub scores: Vec<f32>,
    pub train: Arc<Vec<Labelled>>,
    pub test: Arc<Vec<Labelled>>,
}

/// The first layer's synapses as curves over the input domain (KAN-style thumbnails).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CurvesFrame {
    pub inputs: usize,
    pub outputs: usize,
    pub samples: usize,
    /// `[inputs·samples, outputs]`, row-major (see `Network::layer_curves`).
    pub values: Vec<f32>,
    /// Knot or segment-boundary positions per input, in the layer's input domain.
    pub knots: Vec<Vec<f32>>,
    /// The interval the curves are sampled over.
    pub domain: (f32, f32),
    /// Linear synapses (classic layers): drawn as signed, weighted links rather than curves.
    pub linear: bool,
    pub input_names: Vec<&'static str>,
}

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
    /// Frames drawn so far, and how many operations (building, stepping, drawing, growing) are
    /// under way: the page exposes both (`data-frames`, `data-idle`) so that tests and scripts
    /// can wait for the page instead of sleeping.
    pub frames: RwSignal<u64>,
    pub busy: RwSignal<u32>,
}

/// Marks the page busy while alive (see `Ui::busy`).
pub struct Busy(Ui);

impl Busy {
    pub fn new(ui: Ui) -> Busy {
        ui.busy.update(|b| *b += 1);
        Busy(ui)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.update(|b| *b = b.saturating_sub(1));
    }
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
            backend: RwSignal::new(BackendStatus { label: "…".into(), reason: "starting".into() }),
            message: RwSignal::new(None),
            notices: RwSignal::new(notices),
            formula_error: RwSignal::new(None),
            detail: RwSignal::new(None),
            zoom: RwSignal::new(Zoom::default()),
            frames: RwSignal::new(0),
            busy: RwSignal::new(0),
        }
    }
}
