//! The reactive state shared by the views and the driver. Views read it; only the driver writes
//! training results, only controls write the experiment.

use leptos::prelude::*;

use crate::core::experiment::Experiment;

/// Numbers shown next to the plot.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Readout {
    pub steps: u64,
    pub loss: Option<f32>,
    pub test_loss: Option<f32>,
    pub steps_per_sec: f32,
    pub parameters: usize,
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
}

impl Ui {
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
        }
    }
}
