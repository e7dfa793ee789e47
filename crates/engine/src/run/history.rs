//! A bounded history of (step, value) points for the plots: it keeps the shape of a long run at a
//! fixed cost by halving its density when full. What it keeps depends only on the steps pushed,
//! so two runs that take the same steps draw the same curves.

#[derive(Clone, Debug, PartialEq)]
pub struct History<T> {
    points: Vec<(u64, T)>,
    /// Least distance in steps between two kept points; doubles each time the history fills.
    stride: u64,
    cap: usize,
}

impl<T: Copy> History<T> {
    /// Most points kept by a training history.
    pub const CAP: usize = 2000;

    pub fn new(cap: usize) -> Self {
        History { points: Vec::new(), stride: 1, cap: cap.max(2) }
    }

    pub fn points(&self) -> &[(u64, T)] {
        &self.points
    }

    pub fn last(&self) -> Option<(u64, T)> {
        self.points.last().copied()
    }

    /// Record `value` at `step` (ignored when too close to the last kept point).
    pub fn push(&mut self, step: u64, value: T) {
        if let Some((last, _)) = self.points.last() {
            if step < last + self.stride {
                return;
            }
        }
        self.points.push((step, value));
        if self.points.len() > self.cap {
            self.stride *= 2;
            let stride = self.stride;
            let mut kept: Vec<(u64, T)> = Vec::with_capacity(self.cap / 2 + 1);
            for &(s, v) in &self.points {
                if kept.last().is_none_or(|(k, _)| s >= k + stride) {
                    kept.push((s, v));
                }
            }
            self.points = kept;
        }
    }

    /// Forget every point after `step` (a rollback).
    pub fn truncate_after(&mut self, step: u64) {
        self.points.retain(|(s, _)| *s <= step);
    }

    pub fn clear(&mut self) {
        self.points.clear();
        self.stride = 1;
    }
}

#[cfg(test)]
mod tests {
    use super::History;

    #[test]
    fn stays_bounded_spans_the_run_and_truncates() {
        let mut h = History::new(100);
        for s in 1..=10_000u64 {
            h.push(s, s as f32);
        }
        assert!(h.points().len() <= 100);
        assert_eq!(h.points()[0].0, 1, "the start of the run is kept");
        assert!(h.last().unwrap().0 > 9_800, "the end of the run is kept");
        h.truncate_after(5_000);
        assert!(h.last().unwrap().0 <= 5_000);
    }
}
