//! The data side of a run, by experiment kind: what the network trains on and what the views
//! evaluate it on (the 1-D samples, every pixel of a picture, a field's points and heat-map grid,
//! the digits' images).

use std::sync::Arc;

use crate::data::digits::Digits;
use crate::data::field::{FieldSamples, Labelled};
use crate::data::surface::Valued;
use crate::data::picture::{self, Picture};
use crate::data::{plane, Samples1d};
use crate::experiment::{field_rows, Experiment, Kind};
use crate::train::{Rows, Trainer};

/// Side of the classification heat-map grid.
pub const FIELD_GRID: usize = 64;

#[derive(Clone)]
pub enum Problem {
    Fit1d(Samples1d),
    Image(ImageProblem),
    Field(FieldProblem),
    Digits(DigitsProblem),
    Surface(SurfaceProblem),
    /// A plain training set with nothing to show (the benchmark workloads).
    Rows,
}

#[derive(Clone)]
pub struct ImageProblem {
    /// Shared with the evaluation of frames (no copy per frame).
    pub picture: Arc<Picture>,
    /// Network inputs of every pixel, row by row.
    pub features: Arc<Vec<f32>>,
    pub target_rgba: Arc<Vec<u8>>,
    /// The seed's jumping circle: the picture changes at a fixed step (so a link replays it).
    pub jumps: bool,
    pub jumped: bool,
}

#[derive(Clone)]
pub struct FieldProblem {
    pub train: Arc<Vec<Labelled>>,
    pub test: Arc<Vec<Labelled>>,
    pub train_x: Arc<Vec<f32>>,
    pub train_y: Vec<f32>,
    pub test_x: Arc<Vec<f32>>,
    pub test_y: Vec<f32>,
    /// Network inputs on the heat-map grid.
    pub grid_features: Arc<Vec<f32>>,
}

/// A 2-D regression: the points with their values, network inputs of both sets and of the
/// heat-map grid, and the target's values on that grid.
#[derive(Clone)]
pub struct SurfaceProblem {
    pub train: Arc<Vec<Valued>>,
    pub test: Arc<Vec<Valued>>,
    pub test_x: Arc<Vec<f32>>,
    pub test_y: Vec<f32>,
    pub grid_features: Arc<Vec<f32>>,
    pub target_grid: Arc<Vec<f32>>,
}

/// The digits: the data set, which images train and which are held out, and the network inputs
/// of both (row-major, 64 per image).
#[derive(Clone)]
pub struct DigitsProblem {
    pub data: Arc<Digits>,
    pub train: Arc<Vec<usize>>,
    pub test: Arc<Vec<usize>>,
    pub train_x: Arc<Vec<f32>>,
    pub test_x: Arc<Vec<f32>>,
}

impl DigitsProblem {
    /// The digits of the held-out images.
    pub fn test_labels(&self) -> Vec<u32> {
        self.test.iter().map(|&i| self.data.labels[i] as u32).collect()
    }

    pub fn train_labels(&self) -> Vec<u32> {
        self.train.iter().map(|&i| self.data.labels[i] as u32).collect()
    }
}

impl Problem {
    /// The experiment kind this data belongs to (`None` for a bare training set).
    pub fn kind(&self) -> Option<Kind> {
        match self {
            Problem::Fit1d(_) => Some(Kind::Fit1d),
            Problem::Image(_) => Some(Kind::Image),
            Problem::Field(_) => Some(Kind::Field),
            Problem::Digits(_) => Some(Kind::Digits),
            Problem::Surface(_) => Some(Kind::Surface),
            Problem::Rows => None,
        }
    }

    /// `rows`: the trainer's training set, whose inputs are every pixel's features.
    pub fn image(exp: &Experiment, picture: Picture, rows: &Rows) -> Problem {
        Problem::Image(ImageProblem {
            target_rgba: Arc::new(picture.to_rgba8()),
            features: Arc::new(rows.x.clone()),
            jumps: exp.image == "circle",
            jumped: false,
            picture: Arc::new(picture),
        })
    }

    /// `rows`: the trainer's training set, built from `samples.train`.
    pub fn field(exp: &Experiment, samples: FieldSamples, rows: &Rows) -> Problem {
        let (train_x, train_y) = (rows.x.clone(), rows.y.clone());
        let (test_x, test_y) = field_rows(&samples.test, exp.rotate, rows.outputs);
        let grid = plane::grid_features(plane::Region::FULL, FIELD_GRID, FIELD_GRID, exp.rotate);
        Problem::Field(FieldProblem {
            train: Arc::new(samples.train),
            test: Arc::new(samples.test),
            train_x: Arc::new(train_x),
            train_y,
            test_x: Arc::new(test_x),
            test_y,
            grid_features: Arc::new(grid),
        })
    }

    /// The step at which the picture changes, if it has not changed yet.
    pub fn pending_jump(&self) -> Option<u64> {
        match self {
            Problem::Image(p) if p.jumps && !p.jumped => Some(picture::CIRCLE_JUMP_STEP),
            _ => None,
        }
    }

    /// Whether the jumping circle has jumped (false for every other problem).
    pub fn jumped(&self) -> bool {
        matches!(self, Problem::Image(p) if p.jumped)
    }

    /// Put the jumping circle where it is at a step (`jumped`): before or after its jump. The
    /// trainer's targets follow; weights and optimiser state are kept (nothing is reset).
    pub fn set_jumped(&mut self, jumped: bool, trainer: &mut Trainer) {
        let Problem::Image(p) = self else { return };
        if !p.jumps || p.jumped == jumped {
            return;
        }
        p.jumped = jumped;
        p.picture = Arc::new(picture::circle(p.picture.width, picture::CIRCLE_CENTRES[usize::from(jumped)]));
        p.target_rgba = Arc::new(p.picture.to_rgba8());
        trainer.set_targets(p.picture.targets());
    }
}
