//! What the page and the engine worker say to each other: typed commands in, reports (frames,
//! readouts, messages) out. Both sides encode with bincode and post the bytes as a transferred
//! `ArrayBuffer`, so a frame's pixels are moved, not copied.
//!
//! The experiment travels as its share link (`Experiment::to_link`): one format for the address
//! bar, model files and the worker.

use serde::{Deserialize, Serialize};

use crate::backend_pick::{Engine, Timings};
use crate::data::field::Labelled;
use crate::data::surface::Valued;
use crate::data::plane::Region;
use crate::pieces::Pieces;

/// Which run a command or report is about (runs train side by side in one worker).
pub type RunId = u32;

/// Page → worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// (Re)build `run` from an experiment link: data, initial weights from its seeds, backend.
    /// An uploaded picture cannot travel in a link (`image=upload` opens a built-in picture with
    /// a notice), so `upload` says whether the run trains on the user's picture.
    /// A run forked from another ("continue from here", or a link's `r3.fork=1@500`) is first
    /// the run(s) it continues: `before` lists what trains before the run's own settings take
    /// over, oldest first, each an experiment link and the step it trains until.
    Open { run: RunId, link: String, upload: Upload, before: Vec<Stage> },
    /// Settings that change without a rebuild (learning rate, schedules), from the link.
    Adjust { run: RunId, link: String },
    Play { run: RunId },
    Pause { run: RunId },
    /// Exactly one step, then a full frame.
    Step { run: RunId },
    InsertKnot { run: RunId },
    /// h-refinement (`h`) or p-refinement.
    Refine { run: RunId, h: bool },
    /// The region and scale of the image detail view.
    Zoom { run: RunId, zoom: Zoom },
    /// Send the run as a model file.
    Export { run: RunId },
    /// Forget the run (a comparison's run card was closed).
    Remove { run: RunId },
    /// Show the run as it was at the newest kept step at or before `step` (`Report::Past`). The
    /// present is never replaced: going back to it is the page's business, and training goes on
    /// from the present in any case.
    Show { run: RunId, step: u64 },
    /// A new run `run` that continues from run `from`'s kept step `step`, exactly as `from` did.
    Fork { run: RunId, from: RunId, step: u64 },
    /// Undo the newest structural change (knot insertion, h/p refinement, a loaded model).
    Undo { run: RunId },
    /// Give the (already opened) run the weights and step count of a model file (its text, from
    /// the file `name`). Model files are the one format weights travel in.
    Load { run: RunId, model: String, name: String },
    /// Test hook: behave as if the GPU had failed (the page exposes it to scripts as
    /// `__playgroundSimulateGpuFailure()`), so the fall-back to the CPU path can be tested.
    SimulateGpuFailure { run: RunId },
    /// The benchmark workloads (the `#bench` page), `seconds` for the image one.
    Bench { seconds: f64 },
    /// The digit the user drew on the pad (64 counts 0..16, `data::digits::from_ink`): answered
    /// with the network's probabilities (`Report::Probabilities`).
    Classify { run: RunId, image: Vec<u8> },
}

impl Command {
    /// The run a command is about; `None` for the benchmarks, which use none. Every command
    /// about a run is answered by `Report::Done`.
    pub fn run(&self) -> Option<RunId> {
        match self {
            Command::Open { run, .. }
            | Command::Adjust { run, .. }
            | Command::Play { run }
            | Command::Pause { run }
            | Command::Step { run }
            | Command::InsertKnot { run }
            | Command::Refine { run, .. }
            | Command::Zoom { run, .. }
            | Command::Export { run }
            | Command::Remove { run }
            | Command::Show { run, .. }
            | Command::Fork { run, .. }
            | Command::Undo { run }
            | Command::Load { run, .. }
            | Command::SimulateGpuFailure { run }
            | Command::Classify { run, .. } => Some(*run),
            Command::Bench { .. } => None,
        }
    }
}

/// Training with one experiment's settings until a step (see `Command::Open`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    pub link: String,
    pub until: u64,
}

/// The user's own picture for an image run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Upload {
    /// Not an uploaded picture.
    None,
    /// The last picture the worker accepted.
    Previous,
    /// A new file's bytes (decoded in the worker; a bad file keeps the current run).
    New(Vec<u8>),
}

/// Worker → page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Report {
    /// The worker's wasm is running: commands may be sent.
    Ready,
    /// The backend a run trains on, why, and the speeds measured on this run so far.
    Backend { run: RunId, engine: Engine, reason: String, timings: Timings },
    /// A new run was built (its parameter count); the previous one is gone.
    Opened { run: RunId, parameters: usize },
    /// The experiment cannot start or a picture cannot be used: the previous run is kept.
    Refused { run: RunId, why: String, formula: bool },
    Frame { run: RunId, frame: Box<Frame> },
    /// The run as it was at a kept step (`Command::Show`): the views draw it instead of the
    /// present until the page goes back to the present.
    Past { run: RunId, frame: Box<Frame> },
    Readout { run: RunId, readout: Readout },
    Detail { run: RunId, detail: DetailFrame },
    /// Something the user should read (an event, a structural change, a failure).
    Message { run: RunId, text: String },
    /// The shape changed (h/p refinement): the experiment link that names it now.
    Reshaped { run: RunId, link: String },
    /// Training stopped by itself (the link's step, a divergence, a lost GPU).
    Paused { run: RunId, at: u64, target_reached: bool },
    /// The run as a model file (`model_file::export`).
    Exported { run: RunId, model: String },
    /// Every report caused by one command has been sent.
    Done { run: RunId },
    BenchLine(String),
    BenchDone,
    /// The probability of each digit for the drawn image of `Command::Classify`.
    Probabilities { run: RunId, probabilities: Vec<f32> },
}

/// Numbers shown next to the plot.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Readout {
    pub steps: u64,
    pub loss: Option<f32>,
    pub test_loss: Option<f32>,
    pub steps_per_sec: f32,
    pub parameters: usize,
    /// Image experiments: PSNR of the whole reconstruction, in dB.
    pub psnr: Option<f64>,
    /// Field experiments: share of test (and training) points classified right, in %.
    pub accuracy: Option<f64>,
    pub train_accuracy: Option<f64>,
    /// Field experiments: per class, the share of its test points (training points when none are
    /// held out) classified right, in % (`None`: the class has no such point).
    pub class_accuracy: Vec<Option<f64>>,
    /// Single-neuron lessons: the weights and biases, spelled out.
    pub weights: Option<String>,
}

/// What the plots draw: one snapshot of the model and the data.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    pub readout: Readout,
    pub train: Vec<(f32, f32)>,
    pub test: Vec<(f32, f32)>,
    pub clean: Vec<(f32, f32)>,
    pub prediction: Vec<(f32, f32)>,
    /// First-layer knot positions in data coordinates.
    pub knots: Vec<f32>,
    pub x_range: (f32, f32),
    /// The y-interval to plot when the data fix it (the canvas of the user's own points).
    pub y_range: Option<(f32, f32)>,
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
    /// The steps the run's timeline keeps (the scrubber's stops).
    pub timeline: Vec<u64>,
    /// What an undo would take back (e.g. "the knot insertion at step 500"), if anything.
    pub undo: Option<String>,
    /// 1-D fits: the network's exact linear pieces in data coordinates, or why it has none.
    pub pieces: Option<Result<Pieces, String>>,
    /// Handwritten digits: the confusion matrix and the misread images.
    pub digits: Option<DigitsFrame>,
    /// 2-D regressions: the network's surface, the target's, and the points.
    pub surface: Option<SurfaceFrame>,
}

/// A 2-D regression on a square grid (row by row from y = −1): the network's values, the
/// target's (NaN where a formula is undefined), and the points.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SurfaceFrame {
    pub grid: usize,
    pub prediction: Vec<f32>,
    pub target: Vec<f32>,
    pub train: Vec<Valued>,
    pub test: Vec<Valued>,
}

/// How the network reads the held-out digits (the training images when none are held out).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DigitsFrame {
    /// 10 × 10 counts, row = the true digit, column = the network's.
    pub confusion: Vec<u32>,
    /// Misread images, the most confidently wrong first (at most `MAX_MISTAKES`).
    pub mistakes: Vec<Mistake>,
    /// Whether the numbers are of held-out images (else of the training images).
    pub held_out: bool,
}

/// The most misread digits a frame shows.
pub const MAX_MISTAKES: usize = 24;

/// One misread image: its 64 counts, its digit, the network's and how sure it was.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Mistake {
    pub image: Vec<u8>,
    pub truth: u8,
    pub predicted: u8,
    pub confidence: f32,
}

/// The image lab's three pictures, 8-bit RGBA at the training resolution.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PictureFrame {
    pub width: usize,
    pub height: usize,
    pub target: Vec<u8>,
    pub recon: Vec<u8>,
    pub error: Vec<u8>,
}

/// The learned picture rendered over a region of the plane, finer than the training grid.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DetailFrame {
    pub width: usize,
    pub height: usize,
    pub rgba: Vec<u8>,
    pub view: Zoom,
}

/// What the detail view shows: a region at a multiple of the training resolution.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Zoom {
    pub scale: usize,
    pub region: Region,
}

impl Default for Zoom {
    fn default() -> Self {
        Zoom { scale: 2, region: Region::FULL }
    }
}

/// A classification field: the network's outputs on a square grid, and the points.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldFrame {
    pub grid: usize,
    /// Outputs per grid node: 1 (a ±1 score) or one logit per class.
    pub outputs: usize,
    /// `grid² · outputs` numbers, row by row from y = −1.
    pub scores: Vec<f32>,
    pub train: Vec<Labelled>,
    pub test: Vec<Labelled>,
}

/// A layer's synapses as curves over its input domain (KAN-style thumbnails, the diagram).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CurvesFrame {
    pub inputs: usize,
    pub outputs: usize,
    pub samples: usize,
    /// `[inputs·samples, outputs]`, row-major.
    pub values: Vec<f32>,
    /// Knot or segment-boundary positions per input, in the layer's input domain.
    pub knots: Vec<Vec<f32>>,
    /// The interval the curves are sampled over.
    pub domain: (f32, f32),
    /// Linear synapses (classic layers): drawn as signed, weighted links rather than curves.
    pub linear: bool,
    pub input_names: Vec<String>,
}

/// Bytes for `postMessage`.
pub fn encode<T: Serialize>(message: &T) -> Vec<u8> {
    bincode::serialize(message).unwrap_or_default()
}

/// A message from bytes; `None` for bytes that are not one (never a panic).
pub fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Option<T> {
    bincode::deserialize(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_and_garbage_is_refused() {
        // Every nested type a frame carries (bincode is not self-describing: a serde attribute
        // it cannot read would only show in the browser, as a report silently dropped).
        let frame = Frame {
            knots: vec![0.5],
            loss_history: vec![(3, 0.25)],
            readout: Readout { loss: Some(0.1), psnr: Some(20.0), weights: Some("w = 1".into()), class_accuracy: vec![Some(50.0), None], ..Readout::default() },
            picture: Some(PictureFrame { width: 1, height: 1, target: vec![1, 2, 3, 4], recon: vec![0; 4], error: vec![9; 4] }),
            field: Some(FieldFrame { grid: 1, outputs: 1, scores: vec![0.5], train: vec![Labelled { x: 0.1, y: -0.2, class: 1 }], test: vec![] }),
            curves: Some(CurvesFrame { inputs: 1, outputs: 1, samples: 2, values: vec![0.0, 1.0], knots: vec![vec![0.0]], domain: (-1.0, 1.0), linear: false, input_names: vec!["x".into()] }),
            timeline: vec![0, 10, 20],
            undo: Some("the knot insertion at step 20".into()),
            surface: Some(SurfaceFrame { grid: 1, prediction: vec![0.5], target: vec![0.25], train: vec![Valued { x: 0.0, y: 0.5, value: -1.0 }], test: vec![] }),
            digits: Some(DigitsFrame { confusion: vec![1; 100], mistakes: vec![Mistake { image: vec![16; 64], truth: 3, predicted: 8, confidence: 0.7 }], held_out: true }),
            pieces: Some(Ok(Pieces { pieces: vec![crate::pieces::Piece { from: -1.0, to: 1.0, slope: 2.0, intercept: 0.5 }] })),
            ..Frame::default()
        };
        let report = Report::Frame { run: 2, frame: Box::new(frame) };
        assert_eq!(decode::<Report>(&encode(&report)), Some(report));
        for report in [
            Report::Detail { run: 0, detail: DetailFrame { width: 1, height: 1, rgba: vec![0; 4], view: Zoom::default() } },
            Report::Exported { run: 0, model: "{}".into() },
            Report::Paused { run: 0, at: 7, target_reached: true },
        ] {
            assert_eq!(decode::<Report>(&encode(&report)), Some(report));
        }
        let load = Command::Load { run: 0, model: "{}".into(), name: "m.json".into() };
        assert_eq!(decode::<Command>(&encode(&load)), Some(load));
        let past = Report::Past { run: 1, frame: Box::new(Frame { pieces: Some(Err("tanh is not piecewise linear".into())), ..Frame::default() }) };
        assert_eq!(decode::<Report>(&encode(&past)), Some(past));
        let open = Command::Open { run: 2, link: "net=mlp".into(), upload: Upload::None, before: vec![Stage { link: "net=mlp&lr=0.1".into(), until: 300 }] };
        assert_eq!(decode::<Command>(&encode(&open)), Some(open));
        let classify = Command::Classify { run: 1, image: vec![0; 64] };
        assert_eq!(decode::<Command>(&encode(&classify)), Some(classify));
        let probabilities = Report::Probabilities { run: 1, probabilities: vec![0.1; 10] };
        assert_eq!(decode::<Report>(&encode(&probabilities)), Some(probabilities));
        let fork = Command::Fork { run: 3, from: 0, step: 500 };
        assert_eq!(decode::<Command>(&encode(&fork)), Some(fork));
        let command = Command::Zoom { run: 0, zoom: Zoom::default() };
        assert_eq!(decode::<Command>(&encode(&command)), Some(command));
        assert_eq!(decode::<Command>(&[255, 255, 255, 255, 1]), None);
    }
}
