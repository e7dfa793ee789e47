//! The experiment config: the single source of truth of a run, and what a share link encodes
//! (the link format itself is `crate::link`).

use crate::data::field::Labelled;
use crate::data::picture::{self, Picture};
use crate::data::plane;
use crate::data::labelled_points::UserLabelled;
use crate::data::{Dataset1d, Formula, Target1d, UserPoints};
use crate::spec::Activation;
use crate::spec::{Family, NetworkSpec, Normalization};
use crate::spec::{Loss, OptimizerKind, TrainConfig};


/// Which compute backend the user asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendChoice {
    /// WebGPU when a hardware adapter is there, otherwise the CPU path.
    Auto,
    WebGpu,
    Cpu,
}

impl BackendChoice {
    pub fn name(self) -> &'static str {
        match self {
            BackendChoice::Auto => "auto",
            BackendChoice::WebGpu => "webgpu",
            BackendChoice::Cpu => "cpu",
        }
    }
    pub fn from_name(s: &str) -> Option<Self> {
        [BackendChoice::Auto, BackendChoice::WebGpu, BackendChoice::Cpu].into_iter().find(|b| b.name() == s)
    }
}

/// The kinds of experiment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A 1-D function fit (x → y).
    Fit1d,
    /// An implicit picture: (x, y) → RGB.
    Image,
    /// A 2-D classification field: (x, y) → a ±1 score or one output per class.
    Field,
    /// A 2-D regression: (x, y) → a value.
    Surface,
    /// Handwritten digits: 64 pixels → 10 classes.
    Digits,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Fit1d, Kind::Image, Kind::Field, Kind::Surface, Kind::Digits];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Fit1d => "fit1d",
            Kind::Image => "image",
            Kind::Field => "field",
            Kind::Surface => "regression",
            Kind::Digits => "digits",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Fit1d => "1-D function fit",
            Kind::Image => "Implicit image",
            Kind::Field => "2-D classification",
            Kind::Surface => "2-D regression",
            Kind::Digits => "Handwritten digits",
        }
    }

    /// For narrow screens.
    pub fn short_label(self) -> &'static str {
        match self {
            Kind::Fit1d => "1-D fit",
            Kind::Image => "Image",
            Kind::Field => "2-D classes",
            Kind::Surface => "2-D values",
            Kind::Digits => "Digits",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// Pictures the image lab knows by name (a link can name them; an uploaded picture cannot travel
/// in a link).
pub const IMAGE_NAMES: [&str; 6] = ["chelsea", "astronaut", "coffee", "rings", "checkerboard", "circle"];
/// The name an uploaded picture gets in the config.
pub const UPLOAD: &str = "upload";

/// Controls a classroom link may hide with `hide=…` (comma-separated).

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetKind {
    Pwl,
    Mlp,
    Continuous,
    Discontinuous,
    Polynomial,
    Fourier,
}

impl NetKind {
    pub const ALL: [NetKind; 6] =
        [NetKind::Pwl, NetKind::Continuous, NetKind::Discontinuous, NetKind::Polynomial, NetKind::Fourier, NetKind::Mlp];

    pub fn name(self) -> &'static str {
        match self {
            NetKind::Pwl => "pwl",
            NetKind::Mlp => "mlp",
            NetKind::Continuous => "continuous",
            NetKind::Discontinuous => "discontinuous",
            NetKind::Polynomial => "polynomial",
            NetKind::Fourier => "fourier",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            NetKind::Pwl => "Piecewise linear (moving knots)",
            NetKind::Mlp => "Linear + activation",
            NetKind::Continuous => "Piecewise polynomial, continuous",
            NetKind::Discontinuous => "Piecewise polynomial, discontinuous",
            NetKind::Polynomial => "Polynomial",
            NetKind::Fourier => "Fourier series",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Piecewise polynomials cut into segments: segment counts (also a first and an output
    /// layer's own) and h/p-refinement apply.
    pub fn has_segments(self) -> bool {
        matches!(self, NetKind::Continuous | NetKind::Discontinuous)
    }

    /// The Lagrange families, the plain polynomial included: the mirror period applies.
    pub fn is_lagrange(self) -> bool {
        self.has_segments() || self == NetKind::Polynomial
    }

    /// Families described by points per segment and segments.
    pub fn uses_n(self) -> bool {
        matches!(self, NetKind::Continuous | NetKind::Discontinuous | NetKind::Polynomial | NetKind::Fourier)
    }
}

/// Where a forked run comes from: run `parent` of its comparison (numbered from 1, always an
/// earlier run) at step `step`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fork {
    pub parent: usize,
    pub step: u64,
}

impl Fork {
    /// `"1@500"`: run 1 at step 500.
    pub fn to_text(self) -> String {
        format!("{}@{}", self.parent, self.step)
    }

    pub fn parse(text: &str) -> Option<Fork> {
        let (parent, step) = text.split_once('@')?;
        Some(Fork { parent: parent.parse().ok().filter(|p| *p >= 1)?, step: step.parse().ok()? })
    }
}

/// An experiment, complete: opening the same config reproduces the same run.
#[derive(Clone, Debug, PartialEq)]
pub struct Experiment {
    pub kind: Kind,
    /// 1-D target name, or the classification set of a field experiment.
    pub dataset: String,
    /// The picture of an image experiment (one of `IMAGE_NAMES`, or `UPLOAD`).
    pub image: String,
    /// Longest side, in pixels, the picture is trained at.
    pub resolution: usize,
    /// 2-D inputs: add the diagonal features (x+y)/2 and (x−y)/2.
    pub rotate: bool,
    /// The typed formula (used when `dataset == "formula"`; kept otherwise so switching back keeps it).
    pub formula: String,
    /// The user's own 1-D points (used when `dataset == "points"`; kept otherwise, like the formula).
    pub user_points: UserPoints,
    /// The user's own classification points (used when a field's `dataset == "points"`).
    pub field_points: UserLabelled,
    pub points: usize,
    /// Classes of the Gaussian blobs (`field::class_count` gives every set's count).
    pub classes: usize,
    pub noise: f64,
    pub test_fraction: f64,
    pub net: NetKind,
    /// Hidden width and number of hidden layers (0 = a single layer from input to output).
    pub width: usize,
    pub depth: usize,
    pub knots: usize,
    pub learn_knots: bool,
    /// One knot grid per synapse (the originals' layout) instead of one per input.
    pub synapse_knots: bool,
    /// Grow a knot on each loss plateau (the originals' "dynamic" mode), up to `max_knots`.
    pub grow: bool,
    pub max_knots: usize,
    /// Move the smoothest knot of every grid to where the function bends most, every N steps
    /// (the originals' "move" mode; 0 = never).
    pub move_every: u64,
    /// Points per segment (Lagrange families) or basis functions (Fourier).
    pub n: usize,
    /// Segments of the piecewise polynomial families.
    pub segments: usize,
    /// Segments of the first layer when different (0 = same as `segments`).
    pub input_segments: usize,
    /// Segments of the last layer when different (0 = same as `segments`).
    pub output_segments: usize,
    /// Mirror period of polynomial synapses (0 = off; `Family::Lagrange`).
    pub periodicity: f64,
    pub activation: Activation,
    pub bias: bool,
    pub normalization: Normalization,
    pub optimizer: OptimizerKind,
    /// What a classification trains (two classes: either; more: cross-entropy, see
    /// `effective_loss`).
    pub loss: Loss,
    pub learning_rate: f64,
    pub batch: usize,
    pub data_seed: u64,
    pub init_seed: u64,
    pub batch_seed: u64,
    pub backend: BackendChoice,
    /// Train to this step and pause (0 = no target).
    pub step: u64,
    /// A run of a comparison that continues another run from one of its steps ("continue from
    /// here"): until then it is that run, then it trains with its own settings.
    pub fork: Option<Fork>,
    /// The lesson step this experiment belongs to (from 1; 0 = not a lesson).
    pub lesson: usize,
    /// Controls a classroom link hides (their `data-testid` names, sorted).
    pub hide: Vec<String>,
    /// Presenter mode: large type, high contrast (for projectors).
    pub present: bool,
}

impl Default for Experiment {
    fn default() -> Self {
        Experiment {
            kind: Kind::Fit1d,
            dataset: "sine".into(),
            image: "chelsea".into(),
            resolution: 128,
            rotate: false,
            formula: "sin(3*x)".into(),
            user_points: UserPoints::default(),
            field_points: UserLabelled::default(),
            points: 200,
            classes: 4,
            noise: 0.0,
            test_fraction: 0.3,
            net: NetKind::Pwl,
            width: 1,
            depth: 0,
            knots: 12,
            learn_knots: true,
            synapse_knots: false,
            grow: false,
            max_knots: 32,
            move_every: 0,
            n: 3,
            segments: 8,
            input_segments: 0,
            output_segments: 0,
            periodicity: 0.0,
            activation: Activation::Relu,
            bias: true,
            normalization: Normalization::None,
            optimizer: OptimizerKind::Adam,
            loss: Loss::Mse,
            learning_rate: 0.05,
            batch: 0,
            data_seed: 1,
            init_seed: 1,
            batch_seed: 1,
            backend: BackendChoice::Auto,
            step: 0,
            fork: None,
            lesson: 0,
            hide: Vec::new(),
            present: false,
        }
    }
}

impl Experiment {
    /// The starting point of each kind: a link names its kind and only what differs from this.
    pub fn default_for(kind: Kind) -> Experiment {
        let base = Experiment::default();
        match kind {
            Kind::Fit1d => base,
            // The seed's image layout: 2 → 40 continuous (n = 3, 100 input segments) → max-abs →
            // 40 → 3 (2 segments), mini-batches of 1024 pixels.
            Kind::Image => Experiment {
                kind,
                net: NetKind::Continuous,
                width: 40,
                depth: 1,
                n: 3,
                segments: 2,
                input_segments: 100,
                normalization: Normalization::MaxAbs,
                learning_rate: 3e-3,
                batch: 1024,
                ..base
            },
            // TF Playground's defaults (circle, 500 points, half for testing) with a small
            // piecewise-linear network on the coordinates and their diagonals.
            Kind::Field => Experiment {
                kind,
                dataset: "circle".into(),
                points: 500,
                test_fraction: 0.5,
                rotate: true,
                net: NetKind::Pwl,
                width: 6,
                depth: 1,
                knots: 8,
                normalization: Normalization::MaxAbs,
                learning_rate: 0.02,
                batch: 32,
                ..base
            },
            // TF Playground's regression defaults (the plane, 500 points, half for testing) with
            // the classification tab's network.
            Kind::Surface => Experiment {
                kind,
                dataset: "plane".into(),
                formula: "sin(3*x)*cos(2*y)".into(),
                ..Experiment::default_for(Kind::Field)
            },
            // 64 pixels → 32 piecewise-linear neurons (6 learned knots per input) → 10 classes,
            // mini-batches of 64; a fifth of the 1,797 images held out.
            Kind::Digits => Experiment {
                kind,
                dataset: String::new(),
                test_fraction: 0.2,
                net: NetKind::Pwl,
                width: 32,
                depth: 1,
                knots: 6,
                normalization: Normalization::MaxAbs,
                learning_rate: 0.01,
                batch: 64,
                ..base
            },
        }
    }

    /// Names the `dataset` key accepts for this kind.
    pub fn dataset_names(&self) -> &'static [&'static str] {
        match self.kind {
            Kind::Field => &crate::data::field::NAMES,
            Kind::Fit1d => &Target1d::NAMES,
            Kind::Surface => &crate::data::surface::NAMES,
            Kind::Image | Kind::Digits => &[],
        }
    }

    /// Network inputs and outputs of this kind: a classification has one ±1 score for two
    /// classes under squared error, else one output per class.
    pub fn io(&self) -> (usize, usize) {
        let inputs = crate::data::plane::feature_count(self.rotate);
        match self.kind {
            Kind::Fit1d => (1, 1),
            Kind::Image => (inputs, 3),
            Kind::Field if self.effective_loss() == Loss::CrossEntropy => (inputs, self.class_count()),
            Kind::Field | Kind::Surface => (inputs, 1),
            Kind::Digits => (crate::data::digits::PIXELS, crate::data::digits::CLASSES),
        }
    }

    /// The number of classes of a classification (2 for the other kinds' sake).
    pub fn class_count(&self) -> usize {
        match self.kind {
            Kind::Digits => crate::data::digits::CLASSES,
            Kind::Field if self.on_field_points() => self.field_points.class_count(),
            _ => crate::data::field::class_count(&self.dataset, self.classes),
        }
    }

    /// The loss training minimises: squared error for fits and pictures; for classifications the
    /// chosen one, but always cross-entropy beyond two classes (one ±1 score cannot tell three).
    pub fn effective_loss(&self) -> Loss {
        match self.kind {
            Kind::Field if self.class_count() > 2 => Loss::CrossEntropy,
            Kind::Field => self.loss,
            Kind::Digits => Loss::CrossEntropy,
            Kind::Fit1d | Kind::Image | Kind::Surface => Loss::Mse,
        }
    }
}

/// Limits that keep the page responsive and the link meaningful.
pub mod limits {
    pub const POINTS: (usize, usize) = (4, 5000);
    /// Classes of the Gaussian blobs.
    pub const CLASSES: (usize, usize) = (2, crate::data::field::MAX_CLASSES);
    pub const WIDTH: (usize, usize) = (1, 256);
    pub const DEPTH: (usize, usize) = (0, 6);
    pub const KNOTS: (usize, usize) = (2, 256);
    pub const N: (usize, usize) = (1, 32);
    pub const SEGMENTS: (usize, usize) = (1, 256);
    pub const BATCH: (usize, usize) = (0, 5000);
    pub const NOISE: (f64, f64) = (0.0, 2.0);
    pub const TEST_FRACTION: (f64, f64) = (0.0, 0.9);
    pub const LR: (f64, f64) = (1e-6, 10.0);
    pub const STEP: (u64, u64) = (0, 1_000_000);
    pub const MOVE_EVERY: (u64, u64) = (0, 100_000);
    pub const RESOLUTION: (usize, usize) = (16, crate::data::picture::MAX_SIDE);
    /// A first or an output layer's own segment count (0 = the others' count).
    pub const LAYER_SEGMENTS: (usize, usize) = (0, 256);
    /// The mirror period of polynomial synapses (0 = off): a window up to eight domains wide.
    pub const PERIODICITY: (f64, f64) = (0.0, 16.0);
    /// Most `in·out·(P−1)` × samples per step in a layer with knots per synapse (`check_size`):
    /// 32 MB per intermediate tensor.
    pub const SYNAPSE_KNOT_WORK: usize = 8_000_000;
}

impl Experiment {
    /// The target, or an error message when the formula does not parse.
    pub fn target(&self) -> Result<Target1d, String> {
        match Target1d::builtin(&self.dataset) {
            Some(t) => Ok(t),
            None if self.dataset == "points" => Ok(Target1d::Points(self.user_points.clone())),
            None => Formula::parse(&self.formula).map(Target1d::Formula),
        }
    }

    /// A 1-D fit of the user's own points.
    pub fn on_user_points(&self) -> bool {
        self.kind == Kind::Fit1d && self.dataset == "points"
    }

    /// A classification of the user's own points.
    pub fn on_field_points(&self) -> bool {
        self.kind == Kind::Field && self.dataset == "points"
    }

    pub fn dataset_for(&self, target: Target1d) -> Dataset1d {
        Dataset1d { target, points: self.points, noise: self.noise, test_fraction: self.test_fraction, seed: self.data_seed }
    }

    pub fn network_spec(&self, input_domain: (f32, f32)) -> NetworkSpec {
        let (inputs, outputs) = self.io();
        let mut widths = vec![inputs];
        widths.extend(std::iter::repeat(self.width).take(self.depth));
        widths.push(outputs);
        use crate::spec::Continuity;
        let periodicity = (self.periodicity > 0.0).then_some(self.periodicity as f32);
        let family = match self.net {
            NetKind::Pwl => {
                Family::Pwl { knots: self.knots, learn_positions: self.learn_knots, per_synapse: self.synapse_knots }
            }
            NetKind::Mlp => Family::Mlp { activation: self.activation, bias: self.bias },
            NetKind::Continuous => Family::Lagrange { n: self.n, segments: self.segments, continuity: Continuity::Continuous, periodicity },
            NetKind::Discontinuous => {
                Family::Lagrange { n: self.n, segments: self.segments, continuity: Continuity::Discontinuous, periodicity }
            }
            NetKind::Polynomial => Family::Lagrange { n: self.n, segments: 1, continuity: Continuity::Continuous, periodicity },
            NetKind::Fourier => Family::Fourier { n: self.n },
        };
        let input_segments = (self.input_segments > 0 && self.net.has_segments()).then_some(self.input_segments);
        let output_segments = (self.output_segments > 0 && self.net.has_segments()).then_some(self.output_segments);
        NetworkSpec { family, widths, input_domain, normalization: self.normalization, input_segments, output_segments }
    }

    /// Knots per synapse cost `in·out·(P−1)` numbers per sample and layer in each of several
    /// intermediate tensors (see `layers::pwl`): refuse sizes that would take hundreds of megabytes
    /// per step in a browser tab, with a message saying what to change.
    pub fn check_size(&self) -> Result<(), String> {
        let spec = self.network_spec((-1.0, 1.0));
        if let Family::Pwl { knots, per_synapse: true, .. } = spec.family {
            // A growing run reaches `max_knots`: check the size it will have, not the one it starts at.
            let knots = if self.grow { knots.max(self.max_knots) } else { knots };
            let per_sample: usize = spec.widths.windows(2).map(|w| w[0] * w[1] * (knots - 1)).max().unwrap_or(0);
            let rows = match (self.batch, self.kind) {
                (b, _) if b > 0 => b,
                (_, Kind::Image) => self.resolution * self.resolution,
                _ => self.points,
            };
            if per_sample.saturating_mul(rows) > limits::SYNAPSE_KNOT_WORK {
                return Err(format!(
                    "knots per synapse need {per_sample} numbers per sample in the widest layer, times {rows} \
                     samples per step (at most {} in all): use fewer knots, a narrower network, smaller \
                     batches, or one knot grid per input",
                    limits::SYNAPSE_KNOT_WORK
                ));
            }
        }
        Ok(())
    }

    /// The optimiser, learning rate, batch size and batch seed.
    pub fn train_config(&self) -> TrainConfig {
        TrainConfig {
            optimizer: self.optimizer,
            loss: self.effective_loss(),
            learning_rate: self.learning_rate,
            batch: self.batch,
            seed: self.batch_seed,
        }
    }

    /// The picture when it is procedural (the photographs and uploads come from files).
    pub fn procedural_picture(&self) -> Option<Picture> {
        let size = self.resolution;
        match self.image.as_str() {
            "rings" => Some(picture::rings(size)),
            "checkerboard" => Some(picture::checkerboard(size)),
            "circle" => Some(picture::circle(size, picture::CIRCLE_CENTRES[0])),
            _ => None,
        }
    }

}

/// Row-major network inputs and targets of labelled points for a network with `outputs`
/// outputs: one ±1 score, or a one-hot row per point (cross-entropy over that many classes).
pub fn field_rows(points: &[Labelled], rotate: bool, outputs: usize) -> (Vec<f32>, Vec<f32>) {
    let mut x = Vec::with_capacity(points.len() * plane::feature_count(rotate));
    for p in points {
        plane::push_features(&mut x, p.x, p.y, rotate);
    }
    let y = if outputs == 1 {
        points.iter().map(Labelled::sign).collect()
    } else {
        points.iter().flat_map(|p| (0..outputs).map(move |c| if c == p.class as usize { 1.0 } else { 0.0 })).collect()
    };
    (x, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_round_trips() {
        let mut e = Experiment::default();
        e.dataset = "formula".into();
        e.formula = "sin(3*x) + x^2/2 - 1".into();
        e.noise = 0.25;
        e.net = NetKind::Mlp;
        e.activation = Activation::Gelu;
        e.width = 20;
        e.depth = 2;
        e.learning_rate = 0.003;
        let g = Experiment { grow: true, max_knots: 40, move_every: 50, ..Experiment::default() };
        assert_eq!(Experiment::from_link(&g.to_link()), (g, vec![]));
        let f = Experiment {
            net: NetKind::Discontinuous,
            n: 4,
            segments: 12,
            normalization: Normalization::MaxAbs,
            depth: 1,
            width: 5,
            ..Experiment::default()
        };
        let (back, notices) = Experiment::from_link(&f.to_link());
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(back, f);
        e.batch = 32;
        e.init_seed = 77;
        e.backend = BackendChoice::Cpu;
        e.step = 120;
        let (back, notices) = Experiment::from_link(&format!("#{}", e.to_link()));
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(back, e);
        let d = Experiment::default();
        assert_eq!(Experiment::from_link(&d.to_link()), (d, vec![]));
    }

    #[test]
    fn the_users_points_travel_in_links_up_to_the_limit() {
        use crate::data::points::LINK_POINTS;
        let drawn = UserPoints::new(vec![[-0.5, 0.25], [0.0, -0.125], [0.5, 0.75], [0.9, 0.1], [0.123, -0.987]]);
        let e = Experiment { dataset: "points".into(), user_points: drawn.clone(), test_fraction: 0.0, ..Experiment::default() };
        let link = e.to_link();
        assert!(link.contains("dataset=points") && link.contains("pts=-0.5_0.25*0_-0.125*0.5_0.75*0.9_0.1*0.123_-0.987"), "{link}");
        assert_eq!(Experiment::from_link(&link), (e.clone(), vec![]));
        assert_eq!(e.to_engine_link(), link);
        assert_eq!(e.target(), Ok(Target1d::Points(drawn)));
        // Points are not written for other targets (and are kept in the experiment, like a formula).
        let sine = Experiment { dataset: "sine".into(), ..e.clone() };
        assert!(!sine.to_link().contains("pts="));
        // More than a link carries: the share link says how many, the engine's link has them all.
        let many = UserPoints::new((0..=LINK_POINTS).map(|i| [i as f32 / 100.0, 0.5]).collect());
        let big = Experiment { user_points: many, ..e };
        assert!(big.to_link().contains(&format!("pts=n{}", LINK_POINTS + 1)));
        let (opened, notices) = Experiment::from_link(&big.to_link());
        assert!(opened.user_points.is_empty() && opened.on_user_points());
        assert!(notices.len() == 1 && notices[0].contains("65 points"), "{notices:?}");
        assert_eq!(Experiment::from_link(&big.to_engine_link()), (big, vec![]));
        // Damaged points are left out with a notice.
        let (damaged, notices) = Experiment::from_link("dataset=points&pts=0.1_0.2*oops*0.3_0.4");
        assert_eq!((damaged.user_points.len(), notices.len()), (2, 1));
    }

    #[test]
    fn knots_per_synapse_travel_in_links_and_refuse_sizes_a_tab_cannot_hold() {
        let e = Experiment { synapse_knots: true, width: 8, depth: 2, ..Experiment::default() };
        assert!(e.to_link().contains("synapseknots=1"));
        assert_eq!(Experiment::from_link(&e.to_link()), (e.clone(), vec![]));
        assert!(!Experiment::default().to_link().contains("synapseknots"));
        assert!(e.check_size().is_ok());
        // 64·64·(32−1) numbers per sample × 5000 samples: refused with a message, not built.
        let big = Experiment { synapse_knots: true, width: 64, depth: 2, knots: 32, points: 5000, ..Experiment::default() };
        let message = big.check_size().err().expect("refused");
        assert!(message.contains("knots per synapse"), "{message}");
        // The same network with one grid per input is fine.
        assert!(Experiment { synapse_knots: false, ..big.clone() }.check_size().is_ok());
        // Growing counts the knots it will reach.
        let small = Experiment { synapse_knots: true, width: 20, depth: 2, knots: 4, points: 2000, ..Experiment::default() };
        assert!(small.check_size().is_ok());
        assert!(Experiment { grow: true, max_knots: 64, ..small }.check_size().is_err());
    }

    #[test]
    fn every_kind_round_trips_and_starts_from_its_defaults() {
        for kind in Kind::ALL {
            let d = Experiment::default_for(kind);
            assert_eq!(Experiment::from_link(&d.to_link()), (d.clone(), vec![]), "{kind:?}");
            // A bare `kind=` link opens that kind's defaults.
            assert_eq!(Experiment::from_link(&format!("kind={}", kind.name())).0, d);
        }
        let img = Experiment { image: "rings".into(), resolution: 64, rotate: true, input_segments: 50, init_seed: 4, ..Experiment::default_for(Kind::Image) };
        assert_eq!(Experiment::from_link(&img.to_link()), (img, vec![]));
        let field = Experiment { dataset: "spiral".into(), noise: 0.1, width: 12, depth: 2, ..Experiment::default_for(Kind::Field) };
        assert_eq!(Experiment::from_link(&field.to_link()), (field, vec![]));
        // Keys in any order: the kind may come last.
        let (e, n) = Experiment::from_link("dataset=xor&v=1&kind=field");
        assert_eq!((e.kind, e.dataset.as_str(), n.len()), (Kind::Field, "xor", 0));
        // A 1-D dataset is not a field, an uploaded picture cannot travel, an unknown kind is a 1-D fit.
        let (e, n) = Experiment::from_link("kind=field&dataset=sine");
        assert_eq!((e.dataset.as_str(), n.len()), ("circle", 1));
        let (e, n) = Experiment::from_link("kind=image&image=upload&res=9999");
        assert_eq!((e.image.as_str(), e.resolution, n.len()), ("chelsea", limits::RESOLUTION.1, 2), "{n:?}");
        let (e, n) = Experiment::from_link("kind=movie&dataset=zigzag");
        assert_eq!((e.kind, e.dataset.as_str(), n.len()), (Kind::Fit1d, "zigzag", 1));
        assert_eq!(Experiment::default_for(Kind::Image).io(), (2, 3));
        assert_eq!(Experiment::default_for(Kind::Field).io(), (4, 1));
    }

    #[test]
    fn the_seed_image_layout_has_its_parameter_count() {
        // 2·40·(100·2+1) + 40·3·(2·2+1) with n = 3 (seed_math §e.1, without the rotated inputs).
        let spec = Experiment::default_for(Kind::Image).network_spec((-1.0, 1.0));
        assert_eq!(spec.widths, vec![2, 40, 3]);
        assert_eq!(spec.parameter_count(), 2 * 40 * 201 + 40 * 3 * 5);
        // The README headline: 4 inputs → 40,760 with a 40-wide hidden layer and a 40 → 40 layer.
        let headline = Experiment { rotate: true, depth: 2, ..Experiment::default_for(Kind::Image) }.network_spec((-1.0, 1.0));
        assert_eq!(headline.parameter_count(), 40_760);
    }

    #[test]
    fn bad_links_give_defaults_and_notices() {
        let (e, n) = Experiment::from_link("#v=1&knots=100000&lr=abc&dataset=nope&zzz=1&width=-3&noise=NaN");
        assert_eq!(e.knots, limits::KNOTS.1);
        assert_eq!(e.learning_rate, Experiment::default().learning_rate);
        assert_eq!(e.dataset, "sine");
        assert_eq!(e.width, Experiment::default().width);
        assert_eq!(e.noise, 0.0);
        assert!(n.len() >= 6, "{n:?}");
        let (e, n) = Experiment::from_link("#dataset=formula&formula=sin(");
        assert_eq!(e.dataset, "sine");
        assert_eq!(n.len(), 1);
        // Pure garbage, invalid percent-encoding and odd separators never panic.
        for junk in ["%%%", "&&&==", "=", "a=%FF%FE", "#?#", "v=1&v=2&v", "points=99999999999999999999999"] {
            let _ = Experiment::from_link(junk);
        }
    }
}
