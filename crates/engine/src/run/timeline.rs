//! The timeline of a run: marks (the whole run state at one step) kept at growing intervals, to
//! look back at, fork from, or undo to.
//!
//! A mark holds clones of the run's tensors (burn's tensors are immutable values, so a clone shares
//! memory with the step it was taken at and reads nothing from the device). Marks are taken at
//! fixed step numbers (`capture_steps`), so runs in lockstep keep the same steps and the scrubber
//! shows every run at the same step. Memory is bounded twice: at most `MAX_MARKS` marks, and at
//! most a byte budget (the worker shares 32 MB between its runs); over either bound, the mark whose
//! neighbours are closest in log-step goes, which keeps the spacing "more early, fewer later".

use super::guard::{Guard, RunState};
use super::history::History;
use super::Schedule;
use crate::train::TrainerState;

/// Most marks per run.
pub const MAX_MARKS: usize = 64;

/// Everything a run is at one step (the data excepted, which never changes).
#[derive(Clone)]
pub struct Mark {
    pub(super) trainer: TrainerState,
    pub(super) state: RunState,
    pub(super) guard: Guard,
    pub(super) history: History<f32>,
    pub(super) test_history: History<f32>,
    pub(super) quality_history: History<f64>,
    pub(super) schedule: Schedule,
    /// Estimated memory the mark keeps alive.
    pub(super) bytes: usize,
}

impl Mark {
    pub fn step(&self) -> u64 {
        self.trainer.steps()
    }

    /// The training loss recorded at the mark's step, if that step's loss was kept.
    pub fn loss(&self) -> Option<f32> {
        self.history.last().filter(|(s, _)| *s == self.step()).map(|(_, l)| l)
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The same mark with its tensors on `device`.
    pub async fn to_device(&self, device: &burn::tensor::Device) -> Result<Mark, String> {
        Ok(Mark { trainer: self.trainer.to_device(device).await?, ..self.clone() })
    }
}

/// The marks of one run, oldest first.
#[derive(Clone)]
pub struct Timeline {
    marks: Vec<Mark>,
    budget_bytes: usize,
}

impl Default for Timeline {
    fn default() -> Self {
        Timeline { marks: Vec::new(), budget_bytes: 32 << 20 }
    }
}

/// Whether a mark is taken at `step`: 0, every 10 steps up to 100, then 1, 1.5, 2, 2.5, 3, 4 … 9
/// times each power of ten (11 per decade: 33 marks by step 10,000, 55 by a million).
pub fn is_capture_step(step: u64) -> bool {
    next_capture_step(step.saturating_sub(1)) == step || step == 0
}

/// The first capture step after `step`.
pub fn next_capture_step(step: u64) -> u64 {
    if step < 100 {
        return (step / 10 + 1) * 10;
    }
    let mut decade = 100u64;
    loop {
        for tenths in [10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90] {
            let s = decade.saturating_mul(tenths) / 10;
            if s > step {
                return s;
            }
        }
        decade = decade.saturating_mul(10);
    }
}

impl Timeline {
    pub fn marks(&self) -> &[Mark] {
        &self.marks
    }

    /// The same timeline with every mark's tensors on `device`.
    pub async fn to_device(&self, device: &burn::tensor::Device) -> Result<Timeline, String> {
        let mut marks = Vec::with_capacity(self.marks.len());
        for mark in &self.marks {
            marks.push(mark.to_device(device).await?);
        }
        Ok(Timeline { marks, budget_bytes: self.budget_bytes })
    }

    pub fn steps(&self) -> Vec<u64> {
        self.marks.iter().map(Mark::step).collect()
    }

    pub fn bytes(&self) -> usize {
        self.marks.iter().map(Mark::bytes).sum()
    }

    /// The newest mark at or before `step`.
    pub fn at_or_before(&self, step: u64) -> Option<&Mark> {
        self.marks.iter().rev().find(|m| m.step() <= step)
    }

    pub fn budget(&self) -> usize {
        self.budget_bytes
    }

    pub fn set_budget(&mut self, bytes: usize) {
        self.budget_bytes = bytes;
        self.thin();
    }

    /// Keep `mark` (replacing one of the same step: a structural change made at a kept step).
    pub fn keep(&mut self, mark: Mark) {
        self.truncate_after(mark.step());
        if self.marks.last().is_some_and(|m| m.step() == mark.step()) {
            self.marks.pop();
        }
        self.marks.push(mark);
        self.thin();
    }

    /// Forget the marks after `step` (a rollback or an undo: they belong to another branch).
    pub fn truncate_after(&mut self, step: u64) {
        self.marks.retain(|m| m.step() <= step);
    }

    /// Drop marks until both bounds hold; the first and the newest always stay.
    fn thin(&mut self) {
        while self.marks.len() > 2 && (self.marks.len() > MAX_MARKS || self.bytes() > self.budget_bytes) {
            let log = |i: usize| ((self.marks[i].step() + 1) as f64).ln();
            let crowded = (1..self.marks.len() - 1)
                .min_by(|&a, &b| (log(a + 1) - log(a - 1)).total_cmp(&(log(b + 1) - log(b - 1))))
                .unwrap_or(1);
            self.marks.remove(crowded);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_steps_grow_and_include_round_numbers() {
        let steps: Vec<u64> = (0..=10_000).filter(|&s| is_capture_step(s)).collect();
        for s in [0, 10, 50, 100, 150, 500, 1000, 2500, 10_000] {
            assert!(steps.contains(&s), "{s} missing: {steps:?}");
        }
        assert_eq!(steps.len(), 33, "{steps:?}");
        assert!(!is_capture_step(55) && !is_capture_step(1100));
        assert_eq!(next_capture_step(0), 10);
        assert_eq!(next_capture_step(90), 100);
        assert_eq!(next_capture_step(100), 150);
        assert_eq!(next_capture_step(9_000), 10_000);
    }
}
