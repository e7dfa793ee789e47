//! Equal parameter budgets: resize a network so that its parameter count matches another's, for
//! fair comparisons.

use crate::experiment::{limits, Experiment, NetKind};

/// Trainable numbers of the experiment's network (knot positions count only when learned).
///
/// The input domain does not change the count (it only places the first layer's knots), so the
/// domain used here, [−1, 1], gives the count of the network the engine builds on the data's
/// x-range for a 1-D fit, and on [−1, 1] for pictures and fields.
pub fn parameter_count(exp: &Experiment) -> usize {
    exp.network_spec((-1.0, 1.0)).parameter_count()
}

/// `exp` resized so that its parameter count is as close as possible to `target` (on a tie, the
/// smaller count), within `limits` and among sizes `Experiment::check_size` accepts. What is
/// resized:
/// - with hidden layers (`depth > 0`): their width;
/// - without: a piecewise-linear synapse's knots; a piecewise polynomial's segments (its
///   first-layer segments when those are set, as they are the only layer's then); a polynomial's
///   or Fourier series' `n`;
/// - a single linear layer (an MLP without hidden layers) has nothing to resize: `exp` as it is.
///
/// A growing piecewise-linear synapse is matched at the size it starts with.
pub fn equal_budget(exp: &Experiment, target: usize) -> Experiment {
    type Knob = ((usize, usize), fn(&mut Experiment, usize));
    let ((lo, hi), set): Knob = if exp.depth > 0 {
        (limits::WIDTH, |e, v| e.width = v)
    } else {
        match exp.net {
            NetKind::Pwl => (limits::KNOTS, |e, v| e.knots = v),
            NetKind::Continuous | NetKind::Discontinuous if exp.input_segments > 0 => {
                ((1, limits::LAYER_SEGMENTS.1), |e, v| e.input_segments = v)
            }
            NetKind::Continuous | NetKind::Discontinuous => (limits::SEGMENTS, |e, v| e.segments = v),
            NetKind::Polynomial | NetKind::Fourier => (limits::N, |e, v| e.n = v),
            NetKind::Mlp => return exp.clone(),
        }
    };
    let mut best: Option<((usize, usize), Experiment)> = None;
    for value in lo..=hi {
        let mut e = exp.clone();
        set(&mut e, value);
        if e.check_size().is_err() {
            continue;
        }
        let count = parameter_count(&e);
        let rank = (count.abs_diff(target), count);
        if best.as_ref().is_none_or(|(b, _)| rank < *b) {
            best = Some((rank, e));
        }
    }
    best.map_or_else(|| exp.clone(), |(_, e)| e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::Kind;
    use crate::spec::Activation;

    fn relu(depth: usize) -> Experiment {
        Experiment { net: NetKind::Mlp, activation: Activation::Relu, bias: true, depth, width: 1, ..Experiment::default() }
    }

    /// Parameters one more hidden neuron adds at this width.
    fn width_step(e: &Experiment) -> usize {
        parameter_count(&Experiment { width: e.width + 1, ..e.clone() }) - parameter_count(e)
    }

    #[test]
    fn a_relu_network_matched_to_a_pwl_synapse_lands_within_one_width_step() {
        for knots in [3, 5, 7, 12, 40, 200] {
            let pwl = Experiment { knots, ..Experiment::default() };
            let target = parameter_count(&pwl);
            assert_eq!(target, 2 * knots - 2);
            for depth in [1, 2, 3] {
                let matched = equal_budget(&relu(depth), target);
                assert_eq!((matched.net, matched.depth), (NetKind::Mlp, depth));
                let count = parameter_count(&matched);
                assert!(count.abs_diff(target) <= width_step(&matched), "{knots} knots, depth {depth}: {count} vs {target}");
                // No other width is closer.
                for width in limits::WIDTH.0..=limits::WIDTH.1 {
                    let other = parameter_count(&Experiment { width, ..matched.clone() });
                    assert!(other.abs_diff(target) >= count.abs_diff(target), "width {width} is closer to {target}");
                }
            }
        }
        // 12 knots: 12 heights + 10 positions = 22 = 3·7 + 1 with 7 neurons, exactly.
        assert_eq!(equal_budget(&relu(1), 22).width, 7);
    }

    #[test]
    fn without_hidden_layers_knots_segments_or_n_change() {
        // A PWL synapse matched to a 1-8-1 ReLU network (25 numbers): 2k − 2 → 24 or 26, the smaller.
        let target = parameter_count(&Experiment { width: 8, ..relu(1) });
        assert_eq!(target, 25);
        let pwl = equal_budget(&Experiment::default(), target);
        assert_eq!((pwl.knots, parameter_count(&pwl)), (13, 24));
        // Fixed knot positions: one number per knot.
        let fixed = equal_budget(&Experiment { learn_knots: false, ..Experiment::default() }, target);
        assert_eq!(fixed.knots, 25);
        // Piecewise polynomials: (n − 1)·s + 1 and n·s numbers.
        let cont = equal_budget(&Experiment { net: NetKind::Continuous, n: 3, ..Experiment::default() }, target);
        assert_eq!((cont.segments, parameter_count(&cont)), (12, 25));
        let disc = equal_budget(&Experiment { net: NetKind::Discontinuous, n: 4, ..Experiment::default() }, target);
        assert_eq!((disc.segments, parameter_count(&disc)), (6, 24));
        // …their first-layer segments when set (the only layer's then).
        let input = equal_budget(&Experiment { net: NetKind::Continuous, n: 3, input_segments: 2, ..Experiment::default() }, target);
        assert_eq!((input.input_segments, input.segments, parameter_count(&input)), (12, 8, 25));
        let poly = equal_budget(&Experiment { net: NetKind::Polynomial, ..Experiment::default() }, 11);
        assert_eq!(poly.n, 11);
        // A single linear layer has nothing to resize.
        assert_eq!(equal_budget(&relu(0), 100), relu(0));
    }

    #[test]
    fn ties_go_to_the_smaller_count_and_sizes_stay_within_limits() {
        // 2k − 2 = 4 or 6 for 5: the smaller.
        assert_eq!(equal_budget(&Experiment::default(), 5).knots, 3);
        assert_eq!(equal_budget(&relu(1), 0).width, limits::WIDTH.0);
        assert_eq!(equal_budget(&relu(2), usize::MAX).width, limits::WIDTH.1);
        assert_eq!(equal_budget(&Experiment::default(), usize::MAX).knots, limits::KNOTS.1);
        // Hidden layers of a PWL network: the width changes, not the knots.
        let deep = Experiment { depth: 2, width: 4, ..Experiment::default() };
        let matched = equal_budget(&deep, 1000);
        assert_eq!(matched.knots, deep.knots);
        assert!(matched.width > 4);
        // Sizes the page refuses are never chosen: knots per synapse on a big batch.
        let synapse = Experiment { synapse_knots: true, depth: 2, knots: 32, points: 5000, ..Experiment::default() };
        let matched = equal_budget(&synapse, usize::MAX);
        assert!(matched.check_size().is_ok());
        assert!(Experiment { width: matched.width + 1, ..matched.clone() }.check_size().is_err());
        // Other kinds count their inputs and outputs: the image layout's 40 → 40 is 40,760 with
        // rotated inputs, so matching that count finds width 40 again.
        let image = Experiment { rotate: true, depth: 2, width: 7, ..Experiment::default_for(Kind::Image) };
        assert_eq!(equal_budget(&image, 40_760).width, 40);
    }
}
