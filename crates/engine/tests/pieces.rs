//! The exact pieces of `playground_config::pieces` against the engine's own forward pass.
//!
//! 100 seeded random networks (piecewise-linear stacks with shared or per-synapse grids and
//! learned or uniform positions, ReLU and identity MLPs with and without bias) are evaluated by the
//! real `Network::forward` on a dense grid: (a) the pieces' lines agree with the network everywhere
//! on it, and (b) the breakpoints found by sampling — slope changes between neighbouring sample
//! intervals, one per cluster — are as many as the exact ones and each lies where an exact one is.
//! Where an exact piece is narrower than a few grid spacings, the grid is refined inside it, so
//! sampling can resolve it.
//!
//! The engine runs here in `f64` (the CPU backend's default float type is configured before any
//! tensor exists): in `f32` the slope of a sample interval 1e-4 wide is only good to about 1e-3,
//! which would hide small slope changes and blur the count. The test
//! `single_precision_agrees_too` runs this file again in a child process in `f32`, the playground's
//! precision, where (a) is checked and (b), which f32 cannot resolve, is skipped.

use std::sync::OnceLock;

use burn::tensor::{Device, FloatDType, Tensor, TensorData};
use playground_config::pieces::{exact_pieces, Pieces};
use playground_engine::build::Build;
use playground_engine::experiment::{Experiment, NetKind};
use playground_engine::layers::Activation;
use playground_engine::network::{Family, Network, NetworkSpec, Normalization};
use playground_engine::snapshot::{LayerWeights, Snapshot, Weights};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Set in the child process that repeats the checks in `f32`.
const SINGLE: &str = "PIECES_TEST_SINGLE_PRECISION";
/// Uniform sample intervals over the input interval.
const GRID: usize = 20_000;

fn single() -> bool {
    std::env::var_os(SINGLE).is_some()
}

/// The CPU device, its default float type set once per process (f64 unless `SINGLE`).
fn device() -> Device {
    static CONFIGURED: OnceLock<()> = OnceLock::new();
    CONFIGURED.get_or_init(|| {
        if !single() {
            Device::flex().configure(FloatDType::F64).expect("the CPU backend computes in f64");
        }
    });
    Device::flex()
}

/// Where the network is evaluated: in f32 the inputs the engine really sees.
fn representable(x: f64) -> f64 {
    if single() { x as f32 as f64 } else { x }
}

/// The engine's outputs at `xs`.
fn evaluate(net: &Network, xs: &[f64]) -> Vec<f64> {
    let x = Tensor::<2>::from_data(TensorData::new(xs.to_vec(), [xs.len(), 1]), &device());
    net.forward(x).into_data().convert::<f64>().try_to_vec::<f64>().unwrap()
}

fn max_error(pieces: &Pieces, xs: &[f64], ys: &[f64]) -> f64 {
    xs.iter().zip(ys).map(|(&x, &y)| (pieces.eval(x) - y).abs()).fold(0.0, f64::max)
}

/// Breakpoints found by sampling: for each cluster of slope changes, the samples around it.
/// A change is counted between neighbouring sample intervals whose slopes differ by more than a
/// relative 1e-9 (the tolerance of `exact_pieces`) plus what rounding the samples (in x and in y)
/// can do to the two slopes.
fn sampled_breakpoints(xs: &[f64], ys: &[f64]) -> Vec<(f64, f64)> {
    let slopes: Vec<f64> = (0..xs.len() - 1).map(|k| (ys[k + 1] - ys[k]) / (xs[k + 1] - xs[k])).collect();
    let biggest_x = xs.iter().fold(1.0f64, |m, x| m.max(x.abs()));
    let biggest_y = ys.iter().fold(1.0f64, |m, y| m.max(y.abs()));
    let mut clusters: Vec<(usize, usize)> = Vec::new();
    for k in 1..slopes.len() {
        let shortest = (xs[k] - xs[k - 1]).min(xs[k + 1] - xs[k]);
        let steeper = slopes[k].abs().max(slopes[k - 1].abs());
        let noise = 256.0 * f64::EPSILON * (biggest_y + biggest_x * steeper) / shortest;
        if (slopes[k] - slopes[k - 1]).abs() > 1e-9 * steeper + noise {
            match clusters.last_mut() {
                Some((_, last)) if *last + 1 == k => *last = k,
                _ => clusters.push((k, k)),
            }
        }
    }
    // Changes at samples k1..=k2 mean bends somewhere between samples k1 − 1 and k2 + 1.
    clusters.into_iter().map(|(a, b)| (xs[a - 1], xs[b + 1])).collect()
}

/// The uniform grid on `[lo, hi]`, with 7 more points inside every exact piece narrower than 6
/// grid spacings (so each piece holds at least two whole sample intervals and the clusters of its
/// two ends stay apart).
fn samples(pieces: &Pieces, lo: f64, hi: f64) -> Vec<f64> {
    let h = (hi - lo) / GRID as f64;
    let mut xs: Vec<f64> = (0..=GRID).map(|k| lo + (hi - lo) * k as f64 / GRID as f64).collect();
    for p in &pieces.pieces {
        let w = p.to - p.from;
        if w < 6.0 * h {
            xs.extend((1..8).map(|j| p.from + w * j as f64 / 8.0));
        }
    }
    let close = 1e-13 * lo.abs().max(hi.abs());
    let mut xs: Vec<f64> = xs.into_iter().map(representable).collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup_by(|b, a| *b - *a <= close);
    xs
}

struct Outcome {
    pieces: usize,
    refined: usize,
    error: f64,
}

/// Checks (a) and, in f64, (b) for one network on `[lo, hi]`.
fn check(what: &str, snap: &Snapshot, lo: f64, hi: f64) -> Outcome {
    let pieces = exact_pieces(snap, lo, hi).unwrap_or_else(|e| panic!("{what}: {e}"));
    // The pieces tile [lo, hi] and each one's line meets the next one's at their breakpoint.
    let first = pieces.pieces.first().unwrap();
    assert!(first.from == lo && pieces.pieces.last().unwrap().to == hi, "{what}: pieces do not cover [{lo}, {hi}]");
    for pair in pieces.pieces.windows(2) {
        let (p, q) = (pair[0], pair[1]);
        assert!(p.to == q.from && p.from < p.to, "{what}: pieces do not tile");
        let jump = (p.at(p.to) - q.at(q.from)).abs();
        assert!(jump < 1e-9 * (1.0 + p.at(p.to).abs()), "{what}: jump of {jump} at {}", p.to);
        assert!(p.slope != q.slope, "{what}: neighbouring pieces with equal slopes");
    }

    let net = snap.restore(&device());
    let xs = samples(&pieces, lo, hi);
    let ys = evaluate(&net, &xs);
    let error = max_error(&pieces, &xs, &ys);
    let refined = xs.len() - (GRID + 1);
    if single() {
        // In f32 every knot is off by a few ulps, so a steep piece is off by its slope times that.
        let ulps = 5e-7 * lo.abs().max(hi.abs()).max(1.0);
        let worst = xs
            .iter()
            .zip(&ys)
            .map(|(&x, &y)| {
                let k = pieces.pieces.partition_point(|p| p.from <= x).saturating_sub(1);
                let near = &pieces.pieces[k.saturating_sub(1)..(k + 2).min(pieces.count())];
                let slope = near.iter().fold(0.0f64, |m, p| m.max(p.slope.abs()));
                (pieces.eval(x) - y).abs() / (1e-5 + ulps * slope)
            })
            .fold(0.0, f64::max);
        assert!(worst <= 1.0, "{what}: in f32 the pieces differ from the network by {error}, {worst} times what rounding explains");
        return Outcome { pieces: pieces.count(), refined, error: worst };
    }
    // Far inside the 1e-5 asked for: in f64 only rounding separates the two.
    assert!(error <= 1e-9, "{what}: the pieces differ from the network by {error}");

    let exact = pieces.breakpoints();
    let sampled = sampled_breakpoints(&xs, &ys);
    // In order, each exact breakpoint inside the span of its own sampled change.
    let matched = sampled.len() == exact.len() && exact.iter().zip(&sampled).all(|(b, (from, to))| from <= b && b <= to);
    if !matched {
        let lone_exact: Vec<String> = exact
            .iter()
            .enumerate()
            .filter(|(_, b)| !sampled.iter().any(|(from, to)| from <= *b && *b <= to))
            .map(|(i, b)| {
                let (p, q) = (pieces.pieces[i], pieces.pieces[i + 1]);
                format!("{b} (slope {} → {}, pieces {:.1e} and {:.1e} wide)", p.slope, q.slope, p.to - p.from, q.to - q.from)
            })
            .take(5)
            .collect();
        let lone_sampled: Vec<_> = sampled.iter().filter(|(from, to)| !exact.iter().any(|b| from <= b && b <= to)).take(5).collect();
        panic!(
            "{what}: {} breakpoints by sampling, {} exact; exact ones without a sampled change: {lone_exact:?}; \
             sampled changes without an exact breakpoint: {lone_sampled:?}",
            sampled.len(),
            exact.len()
        );
    }
    Outcome { pieces: pieces.count(), refined, error }
}

/// A stack of piecewise-linear layers 1 → … → 1 on a data domain `(a, b)`, evaluated on an
/// interval that sometimes reaches past the domain (where the first layer is constant).
fn random_pwl(rng: &mut ChaCha8Rng) -> (Snapshot, f64, f64) {
    let depth = rng.random_range(1..=3);
    let mut widths = vec![1];
    widths.extend((1..depth).map(|_| rng.random_range(1..=if depth == 3 { 3 } else { 5 })));
    widths.push(1);
    let knots = rng.random_range(2..=12);
    let learn_positions = rng.random_bool(0.7);
    let per_synapse = rng.random_bool(0.4);
    let a: f32 = rng.random_range(-3.0..1.0);
    let b: f32 = a + rng.random_range(0.5..6.0);
    let uniform = rng.random_bool(0.25);
    let layers = widths
        .windows(2)
        .enumerate()
        .map(|(l, w)| {
            let (inputs, outputs) = (w[0], w[1]);
            let grids = if per_synapse { inputs * outputs } else { inputs };
            let width_logits = (0..grids * (knots - 1)).map(|_| if uniform { 0.0 } else { rng.random_range(-1.5..1.5) }).collect();
            // Hidden sums mostly inside the next domain [−1, 1], sometimes beyond (constant ends).
            let gain = rng.random_range(0.8..1.6) / inputs as f32;
            let values = (0..inputs * knots * outputs).map(|_| gain * rng.random_range(-1.0f32..1.0)).collect();
            let domain = if l == 0 { (a, b) } else { (-1.0, 1.0) };
            LayerWeights::Pwl { width_logits, values, inputs, knots, outputs, domain, learn_positions, per_synapse }
        })
        .collect();
    let spec = NetworkSpec {
        family: Family::Pwl { knots, learn_positions, per_synapse },
        widths,
        input_domain: (a, b),
        normalization: Normalization::None,
        input_segments: None,
        output_segments: None,
    };
    let (a, b) = (a as f64, b as f64);
    let mut margin = || if rng.random_bool(0.5) { 0.0 } else { rng.random_range(0.0..0.5) * (b - a) };
    let (lo, hi) = (a - margin(), b + margin());
    (Snapshot { spec, layers }, lo, hi)
}

/// A ReLU, LeakyReLU (or identity) MLP 1 → … → 1 with PyTorch-like weights, with or without bias.
fn random_mlp(rng: &mut ChaCha8Rng) -> (Snapshot, f64, f64) {
    let depth = rng.random_range(1..=4);
    let mut widths = vec![1];
    widths.extend((1..depth).map(|_| rng.random_range(1..=6)));
    widths.push(1);
    let activation = match rng.random_range(0..20) {
        0..12 => Activation::Relu,
        12..17 => Activation::LeakyRelu,
        _ => Activation::Identity,
    };
    let bias = rng.random_bool(0.7);
    let layers = widths
        .windows(2)
        .map(|w| {
            let (inputs, outputs) = (w[0], w[1]);
            let bound = 1.5 / (inputs as f32).sqrt();
            let mut draw = |n: usize| -> Vec<f32> { (0..n).map(|_| rng.random_range(-bound..bound)).collect() };
            let weight = draw(inputs * outputs);
            let bias = bias.then(|| draw(outputs));
            LayerWeights::Linear { weight, bias, inputs, outputs }
        })
        .collect();
    let spec = NetworkSpec {
        family: Family::Mlp { activation, bias },
        widths,
        input_domain: (-1.0, 1.0),
        normalization: Normalization::None,
        input_segments: None,
        output_segments: None,
    };
    let lo: f64 = rng.random_range(-3.0..0.0);
    let hi = lo + rng.random_range(1.0..6.0);
    (Snapshot { spec, layers }, lo, hi)
}

#[test]
fn random_networks_match_their_exact_pieces() {
    let mut rng = ChaCha8Rng::seed_from_u64(20_240_611);
    let (mut total, mut most, mut refined, mut worst) = (0, 0, 0, 0.0f64);
    for n in 0..100 {
        let (snap, lo, hi) = if n % 2 == 0 { random_pwl(&mut rng) } else { random_mlp(&mut rng) };
        let what = format!("network {n} ({:?}, widths {:?}, on [{lo}, {hi}])", snap.spec.family, snap.spec.widths);
        let outcome = check(&what, &snap, lo, hi);
        total += outcome.pieces;
        most = most.max(outcome.pieces);
        refined += outcome.refined;
        worst = worst.max(outcome.error);
    }
    if single() {
        eprintln!("f32: 100 networks, {total} pieces, worst |network − pieces| {worst:.2} of 1e-5 + 5e-7·max(1, |x|)·|slope|");
    } else {
        eprintln!("f64: 100 networks, {total} pieces (at most {most} in one), {refined} refinement samples, worst |network − pieces| {worst:.2e}");
    }
}

/// relu(x) + relu(−x) = |x| through the engine: one breakpoint at 0, slopes −1 and 1.
#[test]
fn the_absolute_value_network_has_two_pieces_in_the_engine() {
    let spec = NetworkSpec {
        family: Family::Mlp { activation: Activation::Relu, bias: false },
        widths: vec![1, 2, 1],
        input_domain: (-1.0, 1.0),
        normalization: Normalization::None,
        input_segments: None,
        output_segments: None,
    };
    let layers = vec![
        LayerWeights::Linear { weight: vec![1.0, -1.0], bias: None, inputs: 1, outputs: 2 },
        LayerWeights::Linear { weight: vec![1.0, 1.0], bias: None, inputs: 2, outputs: 1 },
    ];
    let snap = Snapshot { spec, layers };
    let pieces = exact_pieces(&snap, -2.0, 3.0).unwrap();
    assert_eq!(pieces.count(), 2);
    assert_eq!(pieces.breakpoints(), vec![0.0]);
    assert_eq!(pieces.pieces.iter().map(|p| p.slope).collect::<Vec<_>>(), vec![-1.0, 1.0]);
    let net = snap.restore(&device());
    assert_eq!(evaluate(&net, &[-2.0, 0.0, 0.5, 3.0]), vec![2.0, 0.0, 0.5, 3.0]);
    check("|x|", &snap, -2.0, 3.0);
}

/// A 1-D fit feeds the plot's x to the network unchanged: the pieces of a trained network, taken
/// on the data's x-range, are the page's prediction curve, and their breakpoints are first-layer
/// knots (the knots the page draws on the same x axis).
#[test]
fn pieces_are_in_the_plots_data_coordinates() {
    let device = device().autodiff();
    for exp in [
        Experiment::default(),
        Experiment { dataset: "zigzag".into(), knots: 7, ..Experiment::default() },
        Experiment { net: NetKind::Mlp, depth: 2, width: 5, learning_rate: 0.01, ..Experiment::default() },
        Experiment { depth: 1, width: 3, synapse_knots: true, ..Experiment::default() },
    ] {
        let (samples, mut trainer) = exp.build(&device).unwrap();
        for _ in 0..30 {
            trainer.step();
        }
        let snap = take(trainer.network());
        let (lo, hi) = (samples.x_range.0 as f64, samples.x_range.1 as f64);
        let what = format!("{:?} on {:?}", exp.net, samples.x_range);
        let pieces = exact_pieces(&snap, lo, hi).unwrap();
        // The page's curve: `Trainer::predict` on x values of the data's range.
        let xs: Vec<f32> = (0..=300).map(|k| samples.x_range.0 + (samples.x_range.1 - samples.x_range.0) * k as f32 / 300.0).collect();
        let ys = trainer.predict(&xs).into_data().convert::<f64>().try_to_vec::<f64>().unwrap();
        let xs: Vec<f64> = xs.iter().map(|&x| x as f64).collect();
        let error = max_error(&pieces, &xs, &ys);
        assert!(error <= 1e-5, "{what}: the pieces differ from the page's curve by {error}");
        if exp.net == NetKind::Pwl && exp.depth == 0 {
            let knots = trainer.network().first_layer_knots().unwrap().into_data().convert::<f64>().try_to_vec::<f64>().unwrap();
            assert_eq!(knots.len(), exp.knots);
            for b in pieces.breakpoints() {
                assert!(knots.iter().any(|k| (k - b).abs() < 1e-5), "{what}: breakpoint {b} is not a knot of {knots:?}");
            }
            // Of a trained synapse every interior knot bends the curve.
            assert_eq!(pieces.count(), exp.knots - 1, "{what}");
        }
        check(&what, &snap, lo, hi);
    }
}

/// The network's weights as a snapshot holds them (f32, cast from f64 when the device runs in f64).
fn take(net: &Network) -> Snapshot {
    pollster::block_on(Snapshot::take(net)).unwrap()
}

/// The checks again in f32, the playground's precision, in a child process (the default float
/// type is fixed per process).
#[test]
fn single_precision_agrees_too() {
    if single() {
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .args(["--skip", "single_precision_agrees_too", "--nocapture"])
        .env(SINGLE, "1")
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    eprintln!("{}", text.lines().filter(|l| l.starts_with("f32")).collect::<Vec<_>>().join("\n"));
    assert!(out.status.success(), "the f32 run failed:\n{text}");
}
