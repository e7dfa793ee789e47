//! Throws random and mutated share links at the link decoders, of experiments and of comparisons
//! (runs side by side: `runs=`, `r2.…` keys). Every input must decode without a panic, and the
//! link the page then writes back must be clean (no notices) and stable. `cargo run --release --bin fuzz_links -- N`
//! runs N links; the test suite runs a short version.

use rand::seq::IndexedRandom;
use rand::Rng;

use crate::data::field::Labelled;
use crate::data::labelled_points::UserLabelled;
use crate::data::points::{snap, UserPoints, LINK_POINTS};
use crate::compare::{is_comparison_key, merge, Comparison, FORK_KEY, MAX_RUNS, RUNS_KEY};
use crate::experiment::{limits, BackendChoice, Experiment, Kind, NetKind, IMAGE_NAMES};
use crate::link::{hideable_controls, KEYS};
use crate::rng::{stream, Stream};
use crate::spec::{Activation, Loss, Normalization, OptimizerKind};

/// Keys that are not in the link table, next to those that are.
const STRANGE_KEYS: [&str; 3] = ["zzz", "", "%"];
const VALUES: [&str; 42] = [
    "0.1_0.2*0.3_-0.4", "n500", "1_2*_*3_", "points",
    "1", "0", "-1", "2", "3", "5", "6", "1e9", "NaN", "inf", "-0", "0.5", "99999999999999999999999", "fit1d", "image", "field", "sine",
    "spiral", "spiral3", "blobs", "ce", "upload", "pwl", "mlp", "continuous", "fourier", "relu", "adam", "lion", "cpu", "webgpu", "sin(3*x)",
    "x^", "%FF%FE", "%25", "", "lesson", "lr,net,zzz",
];
const JUNK: &[u8] = b"=&#?%+-._*()!~'\";:/\\ \t\n0123456789abcxyzXYZ\xc3\xa9";

fn random_link(rng: &mut impl Rng) -> String {
    let pairs = rng.random_range(0..12);
    let mut out = String::new();
    if rng.random_bool(0.3) {
        out.push('#');
    }
    for i in 0..pairs {
        if i > 0 {
            out.push('&');
        }
        let key = rng.random_range(0..KEYS.len() + STRANGE_KEYS.len() + 1);
        // The table's keys, strange ones, and the comparison's own `fork`.
        let name = match key.checked_sub(KEYS.len()) {
            None => KEYS[key].name,
            Some(strange) => STRANGE_KEYS.get(strange).copied().unwrap_or(FORK_KEY),
        };
        // Keys of a comparison's other runs: `runs`, and table keys with a run prefix (also
        // prefixes of runs no link has).
        match rng.random_range(0..10) {
            0 => out.push_str(RUNS_KEY),
            1..=3 => {
                let run = if rng.random_bool(0.05) { "99999999999999999999999".into() } else { rng.random_range(0..=MAX_RUNS + 2).to_string() };
                out.push_str(&format!("r{run}.{name}"));
            }
            _ => out.push_str(name),
        }
        if rng.random_bool(0.9) {
            out.push('=');
        }
        if name == FORK_KEY && rng.random_bool(0.5) {
            out.push_str(&format!("{}%40{}", rng.random_range(0..=MAX_RUNS + 1), rng.random_range(0..2000)));
        } else if rng.random_bool(0.8) {
            out.push_str(VALUES.choose(rng).unwrap());
        } else {
            let n = rng.random_range(0..40);
            out.extend((0..n).map(|_| rng.random_range(0x20u32..0x2FFF)).filter_map(char::from_u32));
        }
    }
    out
}

/// A valid link of a random experiment or comparison, then byte-level damage: flips, cuts,
/// insertions.
fn mutated_link(rng: &mut impl Rng) -> String {
    let link = if rng.random_bool(0.5) {
        let kind = *Kind::ALL.choose(rng).unwrap();
        let mut e = Experiment::default_for(kind);
        e.init_seed = rng.random();
        e.width = rng.random_range(1..300);
        e.image = IMAGE_NAMES.choose(rng).unwrap().to_string();
        e.to_link()
    } else {
        let first = random_experiment(rng);
        let runs = rng.random_range(1..=MAX_RUNS);
        Comparison { runs: std::iter::once(first.clone()).chain((1..runs).map(|_| merge(&first, &random_experiment(rng)))).collect() }
            .to_link()
    };
    let mut bytes = link.into_bytes();
    for _ in 0..rng.random_range(1..6) {
        if bytes.is_empty() {
            break;
        }
        let at = rng.random_range(0..bytes.len());
        match rng.random_range(0..4) {
            0 => bytes[at] = *JUNK.choose(rng).unwrap(),
            1 => bytes.truncate(at),
            2 => bytes.insert(at, *JUNK.choose(rng).unwrap()),
            _ => {
                bytes.remove(at);
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Formulas that parse.
const FORMULAS: [&str; 3] = ["sin(3*x)", "x^2 - 1", "cos(2*x)*x + 0.5"];

/// A random experiment (not a lesson step) with every setting drawn within its limits: each
/// link key written or not, whatever the kind and network. Its link round-trips.
pub fn random_experiment(rng: &mut impl Rng) -> Experiment {
    let kind = *Kind::ALL.choose(rng).unwrap();
    let mut e = Experiment::default_for(kind);
    let int = |rng: &mut dyn rand::RngCore, (lo, hi): (usize, usize), small: usize| {
        if rng.random_bool(0.8) { rng.random_range(lo..=hi.min(lo + small)) } else { rng.random_range(lo..=hi) }
    };
    let float = |rng: &mut dyn rand::RngCore, (lo, hi): (f64, f64)| {
        if rng.random_bool(0.5) { (rng.random_range(lo..=hi) * 100.0).round().clamp(lo * 100.0, hi * 100.0) / 100.0 } else { rng.random_range(lo..=hi) }
    };
    e.dataset = e.dataset_names().choose(rng).map_or(e.dataset.clone(), |n| n.to_string());
    e.formula = FORMULAS.choose(rng).unwrap().to_string();
    // Drawn points (three digits, as the plot snaps them) or uploaded ones (any f32), as many as
    // a link carries.
    let count = rng.random_range(0..=LINK_POINTS);
    let drawn = rng.random_bool(0.5);
    let value = |rng: &mut dyn rand::RngCore| if drawn { snap(rng.random_range(-1.0..1.0), 2.0) } else { rng.random_range(-1e4f32..1e4) };
    e.user_points = UserPoints::new((0..count).map(|_| [value(rng), value(rng)]).collect());
    let placed = rng.random_range(0..=LINK_POINTS);
    e.field_points = UserLabelled::new(
        (0..placed).map(|_| Labelled { x: snap(rng.random_range(-1.0..1.0), 2.0), y: rng.random_range(-1.0..1.0), class: rng.random_range(0..4) }).collect(),
    );
    e.image = IMAGE_NAMES.choose(rng).unwrap().to_string();
    e.resolution = int(rng, limits::RESOLUTION, 100);
    e.rotate = rng.random();
    e.points = int(rng, limits::POINTS, 500);
    e.classes = int(rng, limits::CLASSES, 3);
    e.noise = if rng.random_bool(0.5) { 0.0 } else { float(rng, limits::NOISE) };
    e.test_fraction = if rng.random_bool(0.5) { e.test_fraction } else { float(rng, limits::TEST_FRACTION) };
    e.data_seed = if rng.random_bool(0.5) { rng.random_range(0..10) } else { rng.random() };
    e.step = if rng.random_bool(0.7) { 0 } else { rng.random_range(limits::STEP.0..=limits::STEP.1) };
    e.hide = hideable_controls().filter(|_| rng.random_bool(0.1)).map(String::from).collect();
    e.hide.sort();
    e.hide.dedup();
    e.present = rng.random_bool(0.2);
    e.net = *NetKind::ALL.choose(rng).unwrap();
    e.width = int(rng, limits::WIDTH, 20);
    e.depth = int(rng, limits::DEPTH, 3);
    e.knots = int(rng, limits::KNOTS, 20);
    e.learn_knots = rng.random();
    e.synapse_knots = rng.random_bool(0.2);
    e.grow = rng.random_bool(0.3);
    e.max_knots = int(rng, limits::KNOTS, 40);
    e.move_every = if rng.random_bool(0.6) { 0 } else { rng.random_range(limits::MOVE_EVERY.0..=limits::MOVE_EVERY.1 / 100) };
    e.n = int(rng, limits::N, 6);
    e.segments = int(rng, limits::SEGMENTS, 16);
    e.input_segments = if rng.random_bool(0.5) { e.input_segments } else { int(rng, limits::LAYER_SEGMENTS, 120) };
    e.output_segments = if rng.random_bool(0.5) { e.output_segments } else { int(rng, limits::LAYER_SEGMENTS, 120) };
    e.activation = *Activation::ALL.choose(rng).unwrap();
    e.bias = rng.random();
    e.normalization = if rng.random() { Normalization::None } else { Normalization::MaxAbs };
    e.optimizer = *OptimizerKind::ALL.choose(rng).unwrap();
    e.loss = *Loss::ALL.choose(rng).unwrap();
    e.learning_rate = if rng.random_bool(0.5) { [0.001, 0.003, 0.01, 0.05, 0.1][rng.random_range(0..5)] } else { float(rng, limits::LR).max(limits::LR.0) };
    e.batch = if rng.random_bool(0.5) { 0 } else { int(rng, limits::BATCH, 64) };
    e.init_seed = if rng.random_bool(0.5) { rng.random_range(0..10) } else { rng.random() };
    e.batch_seed = if rng.random_bool(0.5) { rng.random_range(0..10) } else { rng.random() };
    e.backend = *[BackendChoice::Auto, BackendChoice::WebGpu, BackendChoice::Cpu].choose(rng).unwrap();
    e
}

/// Decode `count` links, each as an experiment and as a comparison; returns how many decoded with
/// at least one notice. Panics (with the offending link) when a decoded experiment or comparison
/// does not round-trip cleanly, or when a link without comparison keys reads differently as a
/// one-run comparison than as an experiment.
pub fn run(count: u64, seed: u64) -> u64 {
    let mut rng = stream(seed, Stream::Data);
    let mut noticed = 0;
    for i in 0..count {
        let link = if i % 2 == 0 { random_link(&mut rng) } else { mutated_link(&mut rng) };
        let (e, notices) = Experiment::from_link(&link);
        noticed += u64::from(!notices.is_empty());
        // The page writes `e.to_link()` back to the address bar. Settings the experiment does not
        // use (the knot maximum with growth off, the picture of a 1-D fit) are not written, so the
        // first decode may differ from `e` there; from then on decoding and encoding must agree.
        let written = e.to_link();
        let (e2, notices2) = Experiment::from_link(&written);
        assert!(notices2.is_empty(), "link {link:?}: the page's own link {written:?} gives notices {notices2:?}");
        assert_eq!(e2.to_link(), written, "link {link:?}: the written link is not stable");
        assert_eq!(Experiment::from_link(&e2.to_link()).0, e2, "link {link:?}: decode∘encode is not the identity");
        check_comparison(&link, &e, &notices);
    }
    noticed
}

/// The same link read as a comparison, given how it reads as an experiment.
fn check_comparison(link: &str, first: &Experiment, first_notices: &[String]) {
    let (c, notices) = Comparison::from_link(link);
    assert!((1..=MAX_RUNS).contains(&c.runs.len()), "link {link:?}: {} runs", c.runs.len());
    assert_eq!(&c.runs[0], first, "link {link:?}: the first run is not what an experiment link reads");
    for run in &c.runs {
        assert_eq!(&merge(first, run), run, "link {link:?}: a run does not share the first run's shared settings");
    }
    let comparison_keys =
        crate::link::link_body(link).split('&').any(|p| is_comparison_key(p.split_once('=').map_or(p, |(name, _)| name)));
    if !comparison_keys {
        assert_eq!((c.runs.len(), notices.as_slice()), (1, first_notices), "link {link:?}: an old link reads differently");
    }
    let written = c.to_link();
    let (c2, notices2) = Comparison::from_link(&written);
    assert!(notices2.is_empty(), "link {link:?}: the page's own link {written:?} gives notices {notices2:?}");
    assert_eq!(c2.runs.len(), c.runs.len(), "link {link:?}: {written:?} lost runs");
    assert_eq!(c2.to_link(), written, "link {link:?}: the written link is not stable");
    assert_eq!(Comparison::from_link(&c2.to_link()).0, c2, "link {link:?}: decode∘encode is not the identity");
    for run in &c2.runs {
        // A run's own link is a single experiment, which never names a fork (it names another run).
        let alone = Experiment { fork: None, ..run.clone() };
        assert_eq!(Experiment::from_link(&run.to_link()), (alone, vec![]), "link {link:?}: a run's own link does not round-trip");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn twenty_thousand_random_and_mutated_links() {
        let noticed = super::run(20_000, 7);
        // Most random links are wrong somewhere: the decoder must have said so.
        assert!(noticed > 5_000, "{noticed}");
    }

    #[test]
    fn random_experiments_round_trip() {
        let mut rng = super::stream(3, super::Stream::Data);
        for _ in 0..2_000 {
            let e = super::random_experiment(&mut rng);
            let link = e.to_link();
            let (back, notices) = super::Experiment::from_link(&link);
            assert!(notices.is_empty(), "{link}: {notices:?}");
            assert_eq!(back.to_link(), link);
        }
    }
}
