//! The divergence guard: checks every step's loss and keeps checkpoints to roll back to.
//!
//! A checkpoint holds the weights *and* everything else the following steps depend on (batch
//! order, schedule state, the best loss so far), taken at exact step numbers. The checkpoint of
//! step s is good when the loss of step s + 1 — computed from exactly those weights — was fine,
//! so after a divergence at step d the run goes back to the newest checkpoint with s + 1 < d.

use std::collections::VecDeque;
use std::sync::Arc;

use rand_chacha::ChaCha8Rng;

use crate::snapshot::Snapshot;
use crate::train::BatchState;

/// Checkpoints kept: the newest can be the weights just before the diverging step (not good),
/// so one more is needed.
const KEPT: usize = 2;

/// Everything besides the weights that the next steps of a run depend on.
#[derive(Clone, Debug)]
pub struct RunState {
    pub batch: BatchState,
    pub best_loss: f32,
    pub last_growth: u64,
    pub move_coin: ChaCha8Rng,
    /// The per-step losses of the plateau window before this step.
    pub recent: VecDeque<(u64, f32)>,
    pub jumped: bool,
}

#[derive(Clone, Debug)]
pub struct Checkpoint {
    pub step: u64,
    pub weights: Snapshot,
    pub state: RunState,
}

/// Checkpoints are shared (`Arc`) so that the timeline's marks, which each hold the guard as it
/// was, cost no copies of them.
#[derive(Clone, Default)]
pub struct Guard {
    kept: VecDeque<Arc<Checkpoint>>,
}

impl Guard {
    /// Keep `checkpoint`, replacing one of the same step (a structural change at a checkpoint step).
    pub fn keep(&mut self, checkpoint: Checkpoint) {
        if self.kept.back().is_some_and(|c| c.step == checkpoint.step) {
            self.kept.pop_back();
        }
        self.kept.push_back(Arc::new(checkpoint));
        while self.kept.len() > KEPT {
            self.kept.pop_front();
        }
    }

    /// Forget the older checkpoints: after a structural change they hold another network.
    pub fn keep_only(&mut self, checkpoint: Checkpoint) {
        self.kept.clear();
        self.kept.push_back(Arc::new(checkpoint));
    }

    /// The checkpoint to go back to when the loss of step `diverged_at` was bad: the newest one
    /// whose weights produced a good loss (the oldest kept one at worst).
    pub fn before(&self, diverged_at: u64) -> Option<&Checkpoint> {
        self.kept.iter().rev().find(|c| c.step + 1 < diverged_at).or_else(|| self.kept.front()).map(|c| &**c)
    }

    /// The newest checkpoint (a GPU failure says nothing against it).
    pub fn newest(&self) -> Option<&Checkpoint> {
        self.kept.back().map(|c| &**c)
    }
}

/// Why training must stop, if it must: the loss is not a number, or it exploded.
pub fn divergence(loss: f32, best: f32) -> Option<String> {
    if !loss.is_finite() {
        return Some("the loss became NaN or infinite — the learning rate is probably too high".into());
    }
    if best.is_finite() && loss > 1e4 * best.max(1e-6) && loss > 1e3 {
        return Some(format!("the loss exploded to {loss:.3e} — the learning rate is probably too high"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::divergence;

    #[test]
    fn divergence_is_caught_and_normal_noise_is_not() {
        assert!(divergence(f32::NAN, 0.1).is_some());
        assert!(divergence(f32::INFINITY, 0.1).is_some());
        assert!(divergence(5e3, 0.01).is_some());
        assert!(divergence(0.2, 0.01).is_none(), "a bumpy loss is not a divergence");
        assert!(divergence(0.5, f32::INFINITY).is_none(), "the first loss is never a divergence");
    }
}
