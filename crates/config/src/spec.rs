//! The shapes of networks and training, as plain data: what an experiment asks for, what a model
//! file records, and what the engine builds (the engine adds the tensors).

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Continuity {
    /// Neighbouring segments share their boundary weight.
    Continuous,
    /// Every segment owns its n weights (jumps allowed at segment boundaries).
    Discontinuous,
}

/// Number of weights per synapse.
pub fn weights_per_synapse(n: usize, segments: usize, continuity: Continuity) -> usize {
    match continuity {
        Continuity::Continuous => (n - 1) * segments + 1,
        Continuity::Discontinuous => n * segments,
    }
}

/// Number of knot grids of a layer: one per input, or one per synapse. Saturating, so sizes read
/// from a file cannot overflow.
pub fn grid_count(inputs: usize, outputs: usize, per_synapse: bool) -> usize {
    if per_synapse { inputs.saturating_mul(outputs) } else { inputs }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Activation {
    Identity,
    Relu,
    /// ReLU with a slope of `LEAKY_SLOPE` below zero: still piecewise linear, never dead.
    LeakyRelu,
    Tanh,
    Sigmoid,
    Gelu,
    /// ln(1 + eˣ): a smooth ReLU.
    Softplus,
    /// sin x: periodic, like a Fourier synapse squeezed into one activation.
    Sin,
}

/// LeakyReLU's slope for negative inputs (PyTorch's and TF Playground's default).
pub const LEAKY_SLOPE: f64 = 0.01;

impl Activation {
    pub const ALL: [Activation; 8] = [
        Activation::Relu,
        Activation::LeakyRelu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Gelu,
        Activation::Softplus,
        Activation::Sin,
        Activation::Identity,
    ];

    /// The URL name.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Identity => "identity",
            Activation::Relu => "relu",
            Activation::LeakyRelu => "leakyrelu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Gelu => "gelu",
            Activation::Softplus => "softplus",
            Activation::Sin => "sin",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// Which kind of synapse every layer uses.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Family {
    /// Non-uniform piecewise linear with `knots` knots per grid: one grid per input shared by its
    /// outgoing synapses, or one per synapse (`per_synapse`, the originals' layout).
    Pwl {
        knots: usize,
        learn_positions: bool,
        #[serde(default)]
        per_synapse: bool,
    },
    /// Classic dense layers with an activation between them (not after the last).
    Mlp { activation: Activation, bias: bool },
    /// Piecewise Lagrange polynomials on Chebyshev–Lobatto points: `n` points per segment,
    /// `segments` segments (1 segment = a plain polynomial).
    /// `periodicity`: every input is first folded back into a window of that width by mirroring
    /// (`mirror_fold`: the originals' periodic extension), so outside its domain a synapse repeats
    /// its mirror image instead of extrapolating its polynomials; `None`: off.
    Lagrange {
        n: usize,
        segments: usize,
        continuity: Continuity,
        #[serde(default)]
        periodicity: Option<f32>,
    },
    /// Fourier series with `n` basis functions.
    Fourier { n: usize },
}

impl Family {
    /// Families whose synapses live on [−1, 1]: the network maps the data's x-range there first.
    pub fn on_unit_interval(&self) -> bool {
        matches!(self, Family::Lagrange { .. } | Family::Fourier { .. })
    }
}

/// What sits between two piecewise layers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Normalization {
    /// Nothing: a hidden value outside the next layer's knot domain sees its constant extension.
    None,
    /// Per sample, divide by the largest |value| over the features (the originals' `max_abs`),
    /// which keeps every hidden value inside [−1, 1].
    MaxAbs,
}

/// Everything needed to build a network; part of the experiment config.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NetworkSpec {
    pub family: Family,
    /// Widths from input to output, e.g. `[1, 8, 1]`.
    pub widths: Vec<usize>,
    /// Domain of the first layer's knots (the data's x-range); hidden layers use [−1, 1].
    pub input_domain: (f32, f32),
    pub normalization: Normalization,
    /// Segments of the first layer when it differs from the others (Lagrange families): the
    /// seed's image layout resolves the inputs finely (100 segments) and mixes coarsely (2).
    pub input_segments: Option<usize>,
    /// Segments of the last layer when it differs (Lagrange families): a fine hidden layer can
    /// feed a coarse, smooth output. In a one-layer network the first layer's count wins.
    #[serde(default)]
    pub output_segments: Option<usize>,
}

impl NetworkSpec {
    /// Number of trainable numbers (knot positions count only when they are learned).
    pub fn parameter_count(&self) -> usize {
        self.widths
            .windows(2)
            .enumerate()
            .map(|(l, w)| match self.family {
                Family::Pwl { knots, learn_positions, per_synapse } => {
                    let grids = grid_count(w[0], w[1], per_synapse);
                    w[0] * knots * w[1] + if learn_positions { grids * (knots - 2) } else { 0 }
                }
                Family::Mlp { bias, .. } => w[0] * w[1] + if bias { w[1] } else { 0 },
                Family::Lagrange { n, segments, continuity, .. } => {
                    let segments = self.segments_of_layer(l, segments);
                    w[0] * w[1] * weights_per_synapse(n, segments, continuity)
                }
                Family::Fourier { n } => w[0] * w[1] * n,
            })
            .sum()
    }

    /// Segments of layer `l` for a Lagrange family whose default is `segments`.
    pub fn segments_of_layer(&self, l: usize, segments: usize) -> usize {
        let last = self.widths.len().saturating_sub(2);
        match (l, self.input_segments, self.output_segments) {
            (0, Some(s), _) => s,
            (l, _, Some(s)) if l == last => s,
            _ => segments,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptimizerKind {
    Adam,
    Sgd,
    Lion,
}

impl OptimizerKind {
    pub const ALL: [OptimizerKind; 3] = [OptimizerKind::Adam, OptimizerKind::Sgd, OptimizerKind::Lion];

    pub fn name(self) -> &'static str {
        match self {
            OptimizerKind::Adam => "adam",
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::Lion => "lion",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.name() == name)
    }

}

/// What training minimises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// Mean squared error: the 1-D fits and pictures, and two classes scored ±1 by one output
    /// (TensorFlow Playground's way).
    Mse,
    /// Softmax cross-entropy over one output per class (one-hot targets): any number of classes.
    CrossEntropy,
}

impl Loss {
    pub const ALL: [Loss; 2] = [Loss::Mse, Loss::CrossEntropy];

    pub fn name(self) -> &'static str {
        match self {
            Loss::Mse => "mse",
            Loss::CrossEntropy => "ce",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Loss::Mse => "squared error, one ±1 output",
            Loss::CrossEntropy => "softmax cross-entropy, an output per class",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.name() == name)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TrainConfig {
    pub optimizer: OptimizerKind,
    pub loss: Loss,
    pub learning_rate: f64,
    /// Mini-batch size; 0 or anything ≥ the training set means full batch.
    pub batch: usize,
    /// Seed of the batch-order stream.
    pub seed: u64,
}

/// A training set as row-major host matrices: `x` is `[rows, inputs]`, `y` is `[rows, outputs]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Rows {
    pub x: Vec<f32>,
    pub y: Vec<f32>,
    pub inputs: usize,
    pub outputs: usize,
}

impl Rows {
    pub fn from_1d(samples: &crate::data::Samples1d) -> Self {
        Rows { x: samples.train_x.clone(), y: samples.train_y.clone(), inputs: 1, outputs: 1 }
    }

    pub fn len(&self) -> usize {
        self.x.len() / self.inputs.max(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
