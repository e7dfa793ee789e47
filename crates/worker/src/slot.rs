//! One run as the worker holds it: the run on its backend, the experiment it was built from,
//! whether it plays, and what the page was last shown (so frames are sent at a steady pace).

use playground_config::experiment::Experiment;
use playground_config::protocol::{Readout, Zoom};
use playground_engine::run::{Mark, Run};

use playground_config::backend_pick::Engine;

use crate::auto::Auto;
use crate::backend::Chosen;

/// Target length of one chunk of steps. The page is never blocked by it (this is the worker),
/// but a command waits for the chunk in progress: this bounds how soon a click is seen.
const CPU_BUDGET_MS: f64 = 25.0;
/// WebGPU steps only enqueue work; a chunk ends with one read.
const GPU_BUDGET_MS: f64 = 60.0;
/// Most steps in one chunk.
const MAX_CHUNK: u64 = 4096;
/// Structural changes that can be undone, newest last.
const UNDO_DEPTH: usize = 8;

/// The run before a structural change, to go back to.
pub struct Undo {
    pub mark: Mark,
    /// The experiment before (a refinement changes its shape).
    pub exp: Experiment,
    /// What the change was, e.g. "the knot insertion at step 500".
    pub what: String,
    /// The numbers shown before (the loss of the step the undo returns to).
    pub readout: Readout,
}

pub struct Slot {
    pub run: Run,
    pub backend: Chosen,
    /// Measuring the backends for `backend=auto`.
    pub auto: Auto,
    pub exp: Experiment,
    pub playing: bool,
    /// Steps per chunk, adapted to the measured time per step.
    pub chunk: u64,
    pub readout: Readout,
    pub zoom: Zoom,
    /// When the last frame and detail rendering were sent, and what they cost (ms).
    pub frame_at: f64,
    /// When the last readout (steps, loss, speed) was sent: between slow frames (pictures) the
    /// numbers still move.
    pub readout_at: f64,
    pub eval_ms: f64,
    pub detail_at: f64,
    pub detail_ms: f64,
    pub undo: Vec<Undo>,
}

impl Slot {
    pub fn new(run: Run, backend: Chosen, exp: Experiment) -> Slot {
        let readout = Readout { parameters: run.network().spec.parameter_count(), ..Readout::default() };
        Slot {
            run,
            auto: Auto::new(exp.backend, backend.active),
            backend,
            exp,
            playing: false,
            chunk: 1,
            readout,
            zoom: Zoom::default(),
            frame_at: f64::NEG_INFINITY,
            readout_at: f64::NEG_INFINITY,
            eval_ms: 0.0,
            detail_at: f64::NEG_INFINITY,
            detail_ms: 0.0,
            undo: Vec::new(),
        }
    }

    /// Move the run and its undo marks to `device` with their whole state (see `Run::transfer`);
    /// on an error everything stays where it was.
    pub async fn transfer(&mut self, device: &burn::tensor::Device) -> Result<(), String> {
        let mut undo = Vec::with_capacity(self.undo.len());
        for u in &self.undo {
            undo.push(Undo { mark: u.mark.to_device(device).await?, exp: u.exp.clone(), what: u.what.clone(), readout: u.readout.clone() });
        }
        self.run.transfer(device).await?;
        self.undo = undo;
        self.chunk = 1;
        Ok(())
    }

    /// Remember the run as it is before a structural change (`what` it is).
    pub fn before_change(&mut self, what: &str) {
        let what = format!("{what} at step {}", self.run.steps());
        self.undo.push(Undo { mark: self.run.mark(), exp: self.exp.clone(), what, readout: self.readout.clone() });
        if self.undo.len() > UNDO_DEPTH {
            self.undo.remove(0);
        }
    }

    /// The step the run stops at (the link's step target), if any.
    pub fn stop_at(&self) -> Option<u64> {
        (self.exp.step > 0).then_some(self.exp.step)
    }

    /// Size the next chunk from the time per step just measured, when `sharing` runs train in
    /// lockstep (they share the time of a round). Chunk sizes decide only when frames are sent:
    /// the run fires every event at its exact step whatever the chunking.
    pub fn adapt_chunk(&mut self, per_step_ms: f64, sharing: usize) {
        let budget = if self.backend.active == Engine::WebGpu { GPU_BUDGET_MS } else { CPU_BUDGET_MS } / sharing.max(1) as f64;
        let next = (budget / per_step_ms.max(1e-6)).clamp(1.0, MAX_CHUNK as f64);
        // Grow gently (a slow first step must not cause a giant chunk), shrink at once.
        let current = self.chunk as f64;
        let next = if next > current { next.min(current * 2.0 + 1.0) } else { next };
        self.chunk = next as u64;
    }

    /// Whether a frame is due while training: the 1-D and field plots every 80 ms, pictures
    /// spaced so their evaluation takes at most a fifth of the time.
    pub fn frame_due(&self, now: f64) -> bool {
        let every = if self.exp.kind == playground_config::experiment::Kind::Image { 400f64.max(4.0 * self.eval_ms) } else { 80.0 };
        now - self.frame_at >= every
    }

    /// Whether the numbers are due (every 80 ms) between frames.
    pub fn readout_due(&self, now: f64) -> bool {
        now - self.readout_at.max(self.frame_at) >= 80.0
    }

    /// Whether the detail rendering is stale while training.
    pub fn detail_due(&self, now: f64) -> bool {
        now - self.detail_at > 2500f64.max(5.0 * self.detail_ms)
    }
}
