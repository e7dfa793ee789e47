//! The train/test split of data sets given as a list (the user's points, the digits): a seeded
//! shuffle of the indices picks the held-out ones, so the same data in the same order with the
//! same seed split the same way on every machine.

use rand::seq::SliceRandom;

use crate::rng::{stream, Stream};

/// Indices `0..n` as (train, test): `round(n · test_fraction)` held out (the fraction clamped to
/// [0, 0.9], and at least one index trains), both sides in ascending order.
pub fn seeded_split(n: usize, test_fraction: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut stream(seed, Stream::Data));
    let n_test = ((n as f64 * test_fraction.clamp(0.0, 0.9)).round() as usize).min(n.saturating_sub(1));
    let mut test = order.split_off(n - n_test);
    test.sort_unstable();
    order.sort_unstable();
    (order, test)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_are_seeded_complete_and_keep_one_for_training() {
        let (train, test) = seeded_split(10, 0.3, 1);
        assert_eq!((train.len(), test.len()), (7, 3));
        assert_eq!(seeded_split(10, 0.3, 1), (train.clone(), test.clone()));
        assert_ne!(seeded_split(10, 0.3, 2).1, test);
        let mut all: Vec<usize> = train.into_iter().chain(test).collect();
        all.sort_unstable();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        assert_eq!(seeded_split(1, 0.9, 1), (vec![0], vec![]));
        assert_eq!(seeded_split(0, 0.5, 1), (vec![], vec![]));
        assert_eq!(seeded_split(5, 2.0, 1).1.len(), 4);
    }
}
