//! The running session (data, trainer, backend, histories) and how it is built from the
//! experiment. One session at a time, owned by this thread; a generation counter lets async work
//! notice that the session it started on has been replaced.

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use leptos::prelude::*;

use super::backend::{self, Chosen};
use super::state::{BackendStatus, Readout, Ui};
use super::{frames, pictures};
use crate::core::data::field::FieldSamples;
use crate::core::data::picture::{self, Picture};
use crate::core::data::{plane, Samples1d};
use crate::core::experiment::{field_rows, Experiment, Kind};
use crate::core::snapshot::Snapshot;
use crate::core::train::{Rows, Trainer};

/// The data side of a session, by experiment kind.
pub enum Problem {
    Fit1d(Samples1d),
    Image(ImageProblem),
    Field(FieldProblem),
}

pub struct ImageProblem {
    /// Shared with the evaluation tasks (no copy per frame).
    pub picture: Arc<Picture>,
    /// Network inputs of every pixel, row by row (shared with the evaluation tasks).
    pub features: Arc<Vec<f32>>,
    pub target_rgba: Arc<Vec<u8>>,
    /// The seed's jumping circle: the picture changes at a fixed step (so a link replays it).
    pub jumps: bool,
    pub jumped: bool,
}

pub struct FieldProblem {
    pub train: Arc<Vec<crate::core::data::field::Labelled>>,
    pub test: Arc<Vec<crate::core::data::field::Labelled>>,
    pub train_x: Arc<Vec<f32>>,
    pub train_y: Vec<f32>,
    pub test_x: Arc<Vec<f32>>,
    pub test_y: Vec<f32>,
    /// Network inputs on the heat-map grid.
    pub grid_features: Arc<Vec<f32>>,
}

/// Side of the classification heat-map grid.
pub const FIELD_GRID: usize = 64;

impl Problem {
    /// The experiment kind this data belongs to.
    pub fn kind(&self) -> Kind {
        match self {
            Problem::Fit1d(_) => Kind::Fit1d,
            Problem::Image(_) => Kind::Image,
            Problem::Field(_) => Kind::Field,
        }
    }

    /// `rows`: the trainer's training set, whose inputs are every pixel's features.
    fn new_image(exp: &Experiment, picture: Picture, rows: &Rows) -> Problem {
        Problem::Image(ImageProblem {
            target_rgba: Arc::new(picture.to_rgba8()),
            features: Arc::new(rows.x.clone()),
            jumps: exp.image == "circle",
            jumped: false,
            picture: Arc::new(picture),
        })
    }

    /// `rows`: the trainer's training set, built from `samples.train`.
    fn new_field(exp: &Experiment, samples: FieldSamples, rows: &Rows) -> Problem {
        let (train_x, train_y) = (rows.x.clone(), rows.y.clone());
        let (test_x, test_y) = field_rows(&samples.test, exp.rotate);
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
}

pub struct Session {
    pub trainer: Trainer,
    pub problem: Problem,
    pub backend: Chosen,
    /// Weights known to be good — a later loss computed from them (or from their successors)
    /// was finite and not exploding — and the step they belong to.
    pub last_good: Option<(Snapshot, u64)>,
    /// The most recent copy, not yet vouched for by a later loss.
    pub pending: Option<(Snapshot, u64)>,
    pub best_loss: f32,
    pub history: Vec<(u64, f32)>,
    pub test_history: Vec<(u64, f32)>,
    /// PSNR or test accuracy against steps.
    pub quality_history: Vec<(u64, f64)>,
    /// Step of the last automatic growth (plateau schedule).
    pub last_growth: u64,
    /// Step of the last knot move, and the seeded coin for the side of each move.
    pub last_move: u64,
    pub move_coin: rand_chacha::ChaCha8Rng,
}

impl Session {
    /// Called after every optimiser step: changes of the data that belong to a step number.
    pub fn after_step(&mut self) -> Option<String> {
        let steps = self.trainer.steps();
        if let Problem::Image(p) = &mut self.problem {
            if p.jumps && !p.jumped && steps >= picture::CIRCLE_JUMP_STEP {
                p.jumped = true;
                p.picture = Arc::new(picture::circle(p.picture.width, picture::CIRCLE_CENTRES[1]));
                p.target_rgba = Arc::new(p.picture.to_rgba8());
                self.trainer.set_targets(p.picture.targets());
                return Some(format!("Step {steps}: the circle jumped. Watch the network move it (nothing was reset)."));
            }
        }
        None
    }
}

thread_local! {
    static SESSION: RefCell<Option<Session>> = const { RefCell::new(None) };
    /// Bumped whenever the session is replaced, so results of an old session are dropped.
    static GENERATION: Cell<u64> = const { Cell::new(0) };
}

pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

pub fn generation() -> u64 {
    GENERATION.with(Cell::get)
}

pub fn has_session() -> bool {
    SESSION.with(|s| s.borrow().is_some())
}

pub fn with_session<R>(f: impl FnOnce(&mut Session) -> R) -> Option<R> {
    SESSION.with(|s| s.borrow_mut().as_mut().map(f))
}

/// Build a fresh session from the experiment: data, initial weights (from the init seed, so a
/// reset gives the same network), optimiser. Bad input (a formula that does not parse, a picture
/// that cannot be loaded) keeps the current session and says why.
pub async fn rebuild(ui: Ui) {
    let exp = ui.exp.get_untracked();
    if exp.kind == Kind::Fit1d {
        if let Err(msg) = exp.target() {
            ui.formula_error.set(Some(msg));
            return;
        }
    }
    ui.formula_error.set(None);
    let wanted_generation = GENERATION.with(|g| {
        g.set(g.get() + 1);
        g.get()
    });
    let picture = match exp.kind {
        Kind::Image => match pictures::picture_for(&exp).await {
            Ok(p) => Some(p),
            Err(e) => {
                ui.message.set(Some(format!("The picture could not be used: {e}. The previous experiment is kept.")));
                return;
            }
        },
        _ => None,
    };
    let chosen = backend::choose(exp.backend).await;
    if generation() != wanted_generation {
        return; // a newer rebuild started while we waited
    }
    ui.backend.set(BackendStatus { label: chosen.label.clone(), reason: chosen.reason.clone() });
    let built = match (exp.kind, picture) {
        (Kind::Image, Some(p)) => exp.build_image(&p, &chosen.device).map(|trainer| {
            let problem = Problem::new_image(&exp, p, trainer.rows());
            (trainer, problem)
        }),
        (Kind::Field, _) => exp.build_field(&chosen.device).map(|(samples, t)| {
            let problem = Problem::new_field(&exp, samples, t.rows());
            (t, problem)
        }),
        _ => exp.build(&chosen.device).map(|(samples, t)| (t, Problem::Fit1d(samples))),
    };
    let (trainer, problem) = match built {
        Ok(b) => b,
        Err(e) => {
            ui.message.set(Some(format!("This experiment cannot start: {e}.")));
            return;
        }
    };
    let parameters = trainer.network().spec.parameter_count();
    // The initial weights are the first "good" state a divergence can fall back to.
    let initial = Snapshot::take(trainer.network()).await.ok().map(|snap| (snap, 0));
    if generation() != wanted_generation {
        return;
    }
    SESSION.with(|s| {
        *s.borrow_mut() = Some(Session {
            trainer,
            problem,
            backend: chosen,
            last_good: initial,
            pending: None,
            best_loss: f32::INFINITY,
            history: Vec::new(),
            test_history: Vec::new(),
            quality_history: Vec::new(),
            last_growth: 0,
            last_move: 0,
            move_coin: crate::core::rng::stream(exp.batch_seed, crate::core::rng::Stream::Structure),
        })
    });
    super::driver::reset_chunk();
    ui.message.set(None);
    ui.detail.set(None);
    ui.readout.set(Readout { parameters, ..Readout::default() });
    frames::publish(ui, true).await;
}
