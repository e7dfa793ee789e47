//! A run: one training experiment as a value — trainer, data, loss history, the divergence guard
//! with its checkpoints, the growth and move schedules, the jumping circle, and knot insertion and
//! h/p refinement on request — advanced by `advance(n)`.
//!
//! Every event that belongs to a step number fires at that exact step, however the caller chunks
//! the steps: `advance` cuts its work at the next event step (a checkpoint, a scheduled move, a
//! plateau check, the circle's jump), reads the loss of *every* step in one read per piece, and
//! checks them in order. So a share link replays the same run on a fast and a slow machine, and
//! advancing 1, 7 or 64 steps at a time ends with bit-identical weights.

mod guard;
mod history;
mod lockstep;
mod problem;
mod timeline;

use std::collections::VecDeque;

use burn::tensor::{Device, Tensor};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub use guard::{divergence, Checkpoint, RunState};
pub use history::History;
pub use lockstep::{lockstep, Pace};
pub use problem::{DigitsProblem, FieldProblem, ImageProblem, Problem, SurfaceProblem, FIELD_GRID};
pub use timeline::{is_capture_step, next_capture_step, Mark, Timeline, MAX_MARKS};

use crate::build::Build;
use crate::carry::{self, Carry};
use crate::data::picture::Picture;
use crate::experiment::{Experiment, Kind, NetKind};
use crate::grow::{self, Plateau, Refinement};
use crate::network::{Family, Network};
use crate::rng::{stream, Stream};
use crate::snapshot::{read, Snapshot, Weights};
use crate::train::{StepLoss, Trainer};
use guard::Guard;

/// Checkpoints (weights to roll back to after a divergence) are taken at multiples of this step.
pub const CHECKPOINT_EVERY: u64 = 100;
/// The plateau rule is checked at multiples of this step (it looks back `Plateau::window` steps).
pub const PLATEAU_CHECK_EVERY: u64 = 20;

/// The structural schedules of the seeds, both switchable while training.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Schedule {
    /// "dynamic": insert a knot when the loss stops improving (1-D piecewise-linear fits).
    pub grow: Option<Plateau>,
    /// "move": move the smoothest knot of every grid at every multiple of this step (0 = never).
    pub move_every: u64,
}

impl Schedule {
    /// What the experiment asks for, where it applies (piecewise-linear networks; growth needs
    /// a 1-D fit, whose worst-fitted x says where to insert).
    pub fn of(exp: &Experiment) -> Schedule {
        let pwl = exp.net == NetKind::Pwl;
        Schedule {
            grow: (exp.grow && pwl && exp.kind == Kind::Fit1d).then_some(Plateau {
                window: Plateau::DEFAULT_WINDOW,
                threshold: Plateau::DEFAULT_THRESHOLD,
                max_knots: exp.max_knots,
            }),
            move_every: if pwl { exp.move_every } else { 0 },
        }
    }
}

/// What happened at an exact step while advancing.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// The plateau schedule inserted a knot next to `x`; the network now has `knots` per grid.
    Grew { step: u64, x: f32, knots: usize },
    /// The move schedule moved one knot per grid.
    Moved { step: u64 },
    /// The jumping circle jumped.
    Jumped { step: u64 },
}

impl Event {
    /// A sentence for the page.
    pub fn describe(&self) -> String {
        match self {
            Event::Grew { step, x, knots } => format!("Step {step}: the loss reached a plateau; a knot was inserted next to x = {x:.3} ({knots} knots)."),
            Event::Moved { step } => format!("Step {step}: one knot per grid moved to where the function bends most."),
            Event::Jumped { step } => format!("Step {step}: the circle jumped. Watch the network move it (nothing was reset)."),
        }
    }
}

/// Training blew up at `at`: the run went back to the weights of `restored_to` and stops there.
#[derive(Clone, Debug, PartialEq)]
pub struct Divergence {
    pub at: u64,
    pub why: String,
    pub restored_to: u64,
}

/// A knot inserted on request: next to the worst-fitted training point `x`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Inserted {
    pub x: f32,
    /// Whether the optimiser kept its moments (see `crate::carry`).
    pub carried: bool,
}

/// The outcome of one `advance`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Advanced {
    pub steps: u64,
    /// The loss of the last step taken (before its update).
    pub last_loss: Option<f32>,
    pub events: Vec<Event>,
    pub diverged: Option<Divergence>,
}

/// What some experiments train on that a link cannot hold: a photograph or an upload (image
/// experiments), the digits' file. The worker loads them; native callers read them from disk.
#[derive(Clone, Default)]
pub struct Assets {
    pub picture: Option<Picture>,
    pub digits: Option<std::sync::Arc<crate::data::digits::Digits>>,
}

pub struct Run {
    trainer: Trainer,
    problem: Problem,
    schedule: Schedule,
    guard: Guard,
    best_loss: f32,
    /// Training loss of every step, thinned for the plot.
    history: History<f32>,
    /// Test loss and quality (PSNR, accuracy) at the steps the views evaluated them.
    test_history: History<f32>,
    quality_history: History<f64>,
    /// The per-step losses of the last plateau window.
    recent: VecDeque<(u64, f32)>,
    last_growth: u64,
    /// The seeded coin for the side of each knot move.
    move_coin: ChaCha8Rng,
    /// Marks of the run at growing intervals, to look back at, fork from or undo to.
    timeline: Timeline,
}

impl Run {
    /// A run of `trainer` on `problem`, from its current step. `structure_seed` seeds the
    /// random choices of structural changes (the side of each knot move).
    pub async fn start(trainer: Trainer, problem: Problem, schedule: Schedule, structure_seed: u64) -> Result<Run, String> {
        let mut run = Run::assemble(trainer, problem, schedule, stream(structure_seed, Stream::Structure), Timeline::default());
        // The initial weights are the first checkpoint a divergence can go back to.
        run.checkpoint().await?;
        run.capture();
        Ok(run)
    }

    /// A run with fresh state (no checkpoint, empty histories) around these parts.
    fn assemble(trainer: Trainer, problem: Problem, schedule: Schedule, move_coin: ChaCha8Rng, timeline: Timeline) -> Run {
        Run {
            trainer,
            problem,
            schedule,
            guard: Guard::default(),
            best_loss: f32::INFINITY,
            history: History::new(History::<f32>::CAP),
            test_history: History::new(History::<f32>::CAP),
            quality_history: History::new(History::<f64>::CAP),
            recent: VecDeque::new(),
            last_growth: 0,
            move_coin,
            timeline,
        }
    }

    /// The run of an experiment on `device` (autodiff on). Image experiments need their picture
    /// (at the training resolution), digits their data set. Fails with a sentence when the
    /// experiment cannot start.
    pub async fn from_experiment(exp: &Experiment, assets: Assets, device: &Device) -> Result<Run, String> {
        let (trainer, problem) = match exp.kind {
            Kind::Surface => {
                let (problem, trainer) = exp.build_surface(device)?;
                (trainer, Problem::Surface(problem))
            }
            Kind::Digits => {
                let data = assets.digits.ok_or("the digits are not loaded")?;
                let (problem, trainer) = exp.build_digits(data, device)?;
                (trainer, Problem::Digits(problem))
            }
            Kind::Image => {
                let picture = assets.picture.or_else(|| exp.procedural_picture()).ok_or("the picture is not loaded")?;
                let trainer = exp.build_image(&picture, device)?;
                let problem = Problem::image(exp, picture, trainer.rows());
                (trainer, problem)
            }
            Kind::Field => {
                let (samples, trainer) = exp.build_field(device)?;
                let problem = Problem::field(exp, samples, trainer.rows());
                (trainer, problem)
            }
            Kind::Fit1d => {
                let (samples, trainer) = exp.build(device)?;
                (trainer, Problem::Fit1d(samples))
            }
        };
        Run::start(trainer, problem, Schedule::of(exp), exp.batch_seed).await
    }

    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    pub fn network(&self) -> &Network {
        self.trainer.network()
    }

    pub fn problem(&self) -> &Problem {
        &self.problem
    }

    pub fn steps(&self) -> u64 {
        self.trainer.steps()
    }

    pub fn history(&self) -> &[(u64, f32)] {
        self.history.points()
    }

    pub fn test_history(&self) -> &[(u64, f32)] {
        self.test_history.points()
    }

    pub fn quality_history(&self) -> &[(u64, f64)] {
        self.quality_history.points()
    }

    /// A test loss and a quality number (PSNR or accuracy) the views computed at the current step.
    pub fn record_evaluation(&mut self, test_loss: Option<f32>, quality: Option<f64>) {
        // A second evaluation at the same step is dropped by the histories themselves.
        let step = self.steps();
        if let Some(t) = test_loss.filter(|t| t.is_finite()) {
            self.test_history.push(step, t);
        }
        if let Some(q) = quality.filter(|q| q.is_finite()) {
            self.quality_history.push(step, q);
        }
    }

    /// Settings that change without a restart: the learning rate and the schedules (they take
    /// effect from the next step on).
    pub fn set_learning_rate(&mut self, lr: f64) {
        self.trainer.set_learning_rate(lr);
    }

    pub fn set_schedule(&mut self, schedule: Schedule) {
        self.schedule = schedule;
    }

    /// Why this run cannot take a step, if it cannot: the user's own data set is still empty.
    pub fn nothing_to_train(&self) -> Option<&'static str> {
        (self.trainer.rows().len() == 0).then_some(
            "There are no training points yet: click on the plot (or the map) to add some, or paste or upload a CSV.",
        )
    }

    /// Take `n` optimiser steps (fewer only when training diverges, none when there is nothing to
    /// train on). Errors are device failures (a read that failed): the caller can move the run to
    /// another device with `fall_back`.
    pub async fn advance(&mut self, n: u64) -> Result<Advanced, String> {
        let mut out = Advanced::default();
        if self.nothing_to_train().is_some() {
            return Ok(out);
        }
        let target = self.steps() + n;
        while self.steps() < target {
            let boundary = self.next_event_step();
            let end = boundary.min(target);
            let first = self.steps() + 1;
            let mut losses = Vec::with_capacity((end + 1 - first) as usize);
            while self.steps() < end {
                losses.push(self.trainer.take_step());
            }
            let values = read_losses(losses).await?;
            for (step, loss) in (first..).zip(values) {
                if let Some(why) = divergence(loss, self.best_loss) {
                    out.steps += step + 1 - first;
                    out.diverged = Some(self.roll_back(step, why));
                    return Ok(out);
                }
                self.record_loss(step, loss);
                out.last_loss = Some(loss);
            }
            out.steps += end + 1 - first;
            if end == boundary {
                self.fire_events(&mut out.events).await?;
            }
        }
        Ok(out)
    }

    /// The next step after the current one at which something happens.
    fn next_event_step(&self) -> u64 {
        let now = self.steps();
        let next_multiple = |every: u64| (now / every + 1) * every;
        let mut next = next_multiple(CHECKPOINT_EVERY);
        if self.schedule.move_every > 0 {
            next = next.min(next_multiple(self.schedule.move_every));
        }
        if self.schedule.grow.is_some() {
            next = next.min(next_multiple(PLATEAU_CHECK_EVERY));
        }
        if let Some(jump) = self.problem.pending_jump().filter(|&j| j > now) {
            next = next.min(jump);
        }
        next.min(next_capture_step(now))
    }

    fn record_loss(&mut self, step: u64, loss: f32) {
        self.best_loss = self.best_loss.min(loss);
        self.history.push(step, loss);
        if let Some(rule) = self.schedule.grow {
            self.recent.push_back((step, loss));
            while self.recent.len() as u64 > rule.window + 1 {
                self.recent.pop_front();
            }
        }
    }

    /// The events of the current step, always in the same order: the picture's jump, the
    /// scheduled move, plateau growth, then the checkpoint (of the network as it now is).
    async fn fire_events(&mut self, events: &mut Vec<Event>) -> Result<(), String> {
        let step = self.steps();
        if self.problem.pending_jump() == Some(step) {
            self.problem.set_jumped(true, &mut self.trainer);
            events.push(Event::Jumped { step });
        }
        if self.schedule.move_every > 0 && step % self.schedule.move_every == 0 {
            self.move_knots().await?;
            events.push(Event::Moved { step });
        }
        if let Some(rule) = self.schedule.grow.filter(|_| step % PLATEAU_CHECK_EVERY == 0) {
            let knots = match self.network().spec.family {
                Family::Pwl { knots, .. } => knots,
                _ => usize::MAX,
            };
            if rule.should_grow(self.recent.make_contiguous(), knots, self.last_growth) {
                self.last_growth = step;
                let inserted = self.insert_knot().await?;
                events.push(Event::Grew { step, x: inserted.x, knots: knots + 1 });
            }
        }
        if step % CHECKPOINT_EVERY == 0 {
            self.checkpoint().await?;
        }
        // Last: the mark holds the run as the step's events left it.
        if is_capture_step(step) {
            self.capture();
        }
        Ok(())
    }

    fn state(&self) -> RunState {
        RunState {
            batch: self.trainer.batch_state(),
            best_loss: self.best_loss,
            last_growth: self.last_growth,
            move_coin: self.move_coin.clone(),
            recent: self.recent.clone(),
            jumped: self.problem.jumped(),
        }
    }

    async fn checkpoint(&mut self) -> Result<(), String> {
        let weights = Snapshot::take(self.network()).await?;
        self.guard.keep(Checkpoint { step: self.steps(), weights, state: self.state() });
        Ok(())
    }

    /// Go back to the last good checkpoint before the bad loss of step `at`.
    fn roll_back(&mut self, at: u64, why: String) -> Divergence {
        let Some(good) = self.guard.before(at).cloned() else {
            return Divergence { at, why, restored_to: self.steps() };
        };
        let device = self.trainer.device().clone();
        let restored_to = self.resume(good, &device);
        Divergence { at, why, restored_to }
    }

    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// The memory the timeline may keep alive (the worker shares its budget between its runs).
    pub fn set_timeline_budget(&mut self, bytes: usize) {
        self.timeline.set_budget(bytes);
    }

    /// The whole run state now (clones: nothing is read from the device).
    pub fn mark(&self) -> Mark {
        let params = self.network().spec.parameter_count();
        let points = self.history.points().len() + self.test_history.points().len() + self.quality_history.points().len();
        // Weights plus up to two optimiser moments each (Adam), and the plot histories.
        let bytes = params * 4 * 3 + points * 16 + 1024;
        Mark {
            trainer: self.trainer.save(),
            state: self.state(),
            guard: self.guard.clone(),
            history: self.history.clone(),
            test_history: self.test_history.clone(),
            quality_history: self.quality_history.clone(),
            schedule: self.schedule,
            bytes,
        }
    }

    /// Make the run what it was at `mark` (taken on this run and device), keeping the timeline:
    /// restoring the mark taken just before brings the run back exactly (how the worker draws a
    /// kept step). The schedule stays the current one (it is a setting, not state).
    pub fn restore(&mut self, mark: Mark) {
        let Mark { trainer, state, guard, history, test_history, quality_history, .. } = mark;
        let step = trainer.steps();
        self.trainer.restore(trainer);
        self.set_state(state);
        self.guard = guard;
        (self.history, self.test_history, self.quality_history) = (history, test_history, quality_history);
        debug_assert_eq!(self.steps(), step);
    }

    /// Go back to `mark` for good (an undo): the marks after it belong to the abandoned branch.
    pub fn rewind(&mut self, mark: Mark) {
        let step = mark.step();
        self.restore(mark);
        self.timeline.truncate_after(step);
    }

    /// A new run that continues from this run's mark at `step`, exactly as this run did from
    /// there (the same data, weights, optimiser state, batch order and schedules), with the
    /// timeline up to that step. `None` when no mark of that step is kept.
    pub fn fork(&self, step: u64) -> Option<Run> {
        let mark = self.timeline.marks().iter().find(|m| m.step() == step)?.clone();
        let schedule = mark.schedule;
        let mut timeline = self.timeline.clone();
        timeline.truncate_after(step);
        // The mark then gives it everything of that step.
        let mut forked = Run::assemble(self.trainer.clone(), self.problem.clone(), schedule, self.move_coin.clone(), timeline);
        forked.restore(mark);
        Some(forked)
    }

    fn capture(&mut self) {
        let mark = self.mark();
        self.timeline.keep(mark);
    }

    /// After a move to another device the marks hold tensors of the old one: start again here.
    fn restart_timeline(&mut self) {
        let budget = self.timeline.budget();
        self.timeline = Timeline::default();
        self.timeline.set_budget(budget);
        self.capture();
    }

    /// Continue from `checkpoint` on `device`: its weights, batch order and run state, the
    /// optimiser afresh (its moments belong to weights that blew up, or to another device).
    /// Returns the checkpoint's step.
    fn resume(&mut self, checkpoint: Checkpoint, device: &Device) -> u64 {
        let Checkpoint { step, weights, state } = checkpoint;
        let moved = self.trainer.device() != device;
        self.trainer = self.trainer.moved_to(weights.restore(device), step, state.batch.clone(), device);
        self.restore_state(step, state);
        self.timeline.truncate_after(step);
        if moved {
            self.restart_timeline();
        }
        step
    }

    /// Everything but the weights and batch order that the next steps depend on.
    fn set_state(&mut self, state: RunState) {
        self.best_loss = state.best_loss;
        self.last_growth = state.last_growth;
        self.move_coin = state.move_coin;
        self.recent = state.recent;
        self.problem.set_jumped(state.jumped, &mut self.trainer);
    }

    fn restore_state(&mut self, step: u64, state: RunState) {
        self.set_state(state);
        // The history after the restored step belongs to weights that no longer exist.
        self.history.truncate_after(step);
        self.test_history.truncate_after(step);
        self.quality_history.truncate_after(step);
    }

    /// Continue this run on `device` with nothing lost or restarted: weights, optimiser moments,
    /// batch order, step count, histories and every kept mark of the timeline (all read
    /// asynchronously). Training there takes the same steps it would have taken here — bit for
    /// bit when both devices are the CPU path. On an error the run stays where it was.
    pub async fn transfer(&mut self, device: &Device) -> Result<(), String> {
        let trainer = self.trainer.transferred(device).await?;
        let timeline = self.timeline.to_device(device).await?;
        self.trainer = trainer;
        self.timeline = timeline;
        Ok(())
    }

    /// Move the run to `device` (after a GPU failure): with the current weights when the old
    /// device can still be read, else from the newest checkpoint (its weights and batch order).
    /// The optimiser starts afresh there. Returns the step training resumes from.
    pub async fn move_to(&mut self, device: &Device) -> u64 {
        match Snapshot::take(self.network()).await {
            Ok(weights) => {
                let (steps, batch) = (self.steps(), self.trainer.batch_state());
                self.trainer = self.trainer.moved_to(weights.restore(device), steps, batch, device);
                self.restart_timeline();
                steps
            }
            Err(_) => self.fall_back(device),
        }
    }

    /// After a device failure: continue on `device` from the newest checkpoint (its weights and
    /// batch order). Returns the step training resumes from.
    pub fn fall_back(&mut self, device: &Device) -> u64 {
        match self.guard.newest().cloned() {
            Some(newest) => self.resume(newest, device),
            None => self.steps(),
        }
    }

    /// Replace the weights by imported ones trained for `steps` steps (a model file); the
    /// histories start afresh, the import is the new checkpoint.
    pub fn load_weights(&mut self, weights: Snapshot, steps: u64) {
        let device = self.trainer.device().clone();
        self.trainer.replace_network(weights.restore(&device), steps);
        self.history.clear();
        self.test_history.clear();
        self.quality_history.clear();
        self.recent.clear();
        self.best_loss = f32::INFINITY;
        self.guard.keep_only(Checkpoint { step: steps, weights, state: self.state() });
        // Marks after the import's step belong to training it replaced; an undo goes back to the
        // mark the caller took before (`mark`).
        self.timeline.truncate_after(steps);
        self.capture();
    }

    /// The "move" schedule's operation: one knot per grid moves (count conserved), the coin
    /// flips drawn from the seeded stream.
    async fn move_knots(&mut self) -> Result<(), String> {
        let sides: Vec<bool> = (0..256).map(|_| self.move_coin.random_bool(0.5)).collect();
        let coin = move |i: usize| sides[i % sides.len()];
        let moved = grow::move_knots(self.network(), coin).await?;
        // Same shapes, knots re-placed: every parameter keeps its optimiser state.
        let plan = vec![Carry::Same; carry::parameters(&moved).len()];
        self.adopt(moved, &plan).await?;
        Ok(())
    }

    /// Grow the network by one knot per input grid next to the worst-fitted training point
    /// (1-D fits); the function is unchanged.
    pub async fn insert_knot(&mut self) -> Result<Inserted, String> {
        let Problem::Fit1d(samples) = &self.problem else {
            return Err("knot insertion at the worst point is available in 1-D fits".into());
        };
        let (xs, ys) = (samples.train_x.clone(), samples.train_y.clone());
        let pred = read(self.trainer.predict(&xs)).await?;
        let worst = (0..xs.len())
            .max_by(|&a, &b| (pred[a] - ys[a]).abs().total_cmp(&(pred[b] - ys[b]).abs()))
            .ok_or("there are no training points")?;
        let (grown, plan) = grow::insert_knot_near(self.network(), xs[worst]).await?;
        let carried = self.adopt(grown, &plan).await?;
        Ok(Inserted { x: xs[worst], carried })
    }

    /// h- or p-refine every piecewise-polynomial layer: same function, more parameters. Returns
    /// whether the optimiser kept its state.
    pub async fn refine(&mut self, how: Refinement) -> Result<bool, String> {
        let (refined, plan) = grow::refine_network(self.network(), how).await?;
        self.adopt(refined, &plan).await
    }

    /// Train a grown, moved or refined network (same function) from the current step on, with
    /// the optimiser state carried by `plan` (returns whether it was). Older checkpoints hold
    /// another shape, so the new network becomes the only one.
    async fn adopt(&mut self, net: Network, plan: &[Carry]) -> Result<bool, String> {
        let carried = self.trainer.replace_network_carrying(net, plan).await;
        let weights = Snapshot::take(self.network()).await?;
        self.guard.keep_only(Checkpoint { step: self.steps(), weights, state: self.state() });
        Ok(carried)
    }
}

/// The losses of a piece of steps, in order: those of host steps as they are, the device's in one
/// read (on WebGPU every read is a sync point).
async fn read_losses(losses: Vec<StepLoss>) -> Result<Vec<f32>, String> {
    let on_device: Vec<Tensor<1>> = losses.iter().filter_map(|l| if let StepLoss::Device(t) = l { Some(t.clone()) } else { None }).collect();
    let mut read_back = if on_device.is_empty() { Vec::new() } else { read(Tensor::cat(on_device, 0)).await? }.into_iter();
    losses
        .into_iter()
        .map(|l| match l {
            StepLoss::Host(v) => Ok(v),
            StepLoss::Device(_) => read_back.next().ok_or_else(|| "a loss was not read back".to_string()),
        })
        .collect()
}
