//! Runs side by side train in lockstep: every round, the runs furthest behind advance by one chunk
//! and no run passes them, so curves compare step by step. A run added later (a copy, a fork)
//! catches up first while the others wait for it.

/// A playing run as the scheduler sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pace {
    pub steps: u64,
    /// The step it stops at (a link's step target), if any.
    pub stop_at: Option<u64>,
}

/// Steps each run takes in the next round (in the order given): up to `chunk` steps past the
/// least step count of the runs that can still advance, never past a run's stop.
pub fn lockstep(runs: &[Pace], chunk: u64) -> Vec<u64> {
    let can_advance = |p: &Pace| p.stop_at.is_none_or(|s| p.steps < s);
    let Some(floor) = runs.iter().filter(|p| can_advance(p)).map(|p| p.steps).min() else {
        return vec![0; runs.len()];
    };
    let target = floor.saturating_add(chunk.max(1));
    runs.iter().map(|p| target.min(p.stop_at.unwrap_or(u64::MAX)).saturating_sub(p.steps)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(steps: u64) -> Pace {
        Pace { steps, stop_at: None }
    }

    #[test]
    fn equal_runs_advance_together_and_laggers_catch_up() {
        assert_eq!(lockstep(&[at(100), at(100)], 8), vec![8, 8]);
        assert_eq!(lockstep(&[at(100), at(0)], 8), vec![0, 8], "the leader waits");
        assert_eq!(lockstep(&[at(100), at(96)], 8), vec![4, 8], "both end at 104");
        assert_eq!(lockstep(&[Pace { steps: 50, stop_at: Some(50) }, at(10)], 8), vec![0, 8], "a stopped run does not hold the others");
        assert_eq!(lockstep(&[Pace { steps: 48, stop_at: Some(50) }, at(48)], 8), vec![2, 8]);
        assert_eq!(lockstep(&[Pace { steps: 50, stop_at: Some(50) }], 8), vec![0]);
        assert_eq!(lockstep(&[], 8), Vec::<u64>::new());
    }
}
