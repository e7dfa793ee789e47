//! Runs side by side: a comparison trains up to `MAX_RUNS` runs on the same data, each with its
//! own network, optimiser, schedules and seeds, and travels in one share link. Which settings
//! are the same for every run and which may differ is each link key's `Scope` (`crate::link::KEYS`).
//!
//! Link format: the first run is written exactly as `Experiment::to_link` writes it, so a
//! one-run comparison's link is an ordinary experiment link (and every old link is a one-run
//! comparison). With more runs, `runs=N` follows, then for each run k = 2..=N its run-scope keys
//! with the prefix `rk.` (`r2.net=mlp&r2.width=8&r2.act=relu`). Only the pairs that differ from
//! the run's *base* are written: the experiment read from the first run's shared keys alone (the
//! kind's defaults or the lesson step's preset, with the first run's data). Reading run k is that
//! base plus its prefixed keys, read by the same key table as the first run (same clamping, same
//! notices, prefixed "run k: ").
//!
//! The presets (`Preset`) are ready-made comparisons for a button.

use crate::experiment::{limits, Experiment, Fork, Kind, NetKind};
use crate::link::{self, Scope, KEYS};
use crate::spec::{Activation, Normalization};

/// The most runs a comparison holds.
pub const MAX_RUNS: usize = 5;
/// The link key giving the number of runs (absent: one run).
pub const RUNS_KEY: &str = "runs";
/// The link key (always with a run prefix, `r3.fork=1@500`) of a run that continues an earlier
/// run from one of its steps: only a comparison can say that, so it is not one of the
/// experiment's keys.
pub const FORK_KEY: &str = "fork";

/// Several runs on the same data.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// 1..=MAX_RUNS runs; `runs[0]` is the first run. Every run has `runs[0]`'s shared settings.
    pub runs: Vec<Experiment>,
}

/// `run`'s run settings (network, optimiser, schedules, seeds, backend) with `shared`'s shared
/// settings (the data and how the page shows it). Every field of `Experiment` is named here, so a
/// new field does not compile until it is given a side; the link's `Scope`s must agree (tested).
pub fn merge(shared: &Experiment, run: &Experiment) -> Experiment {
    Experiment {
        // Shared.
        kind: shared.kind,
        dataset: shared.dataset.clone(),
        image: shared.image.clone(),
        resolution: shared.resolution,
        rotate: shared.rotate,
        formula: shared.formula.clone(),
        user_points: shared.user_points.clone(),
        field_points: shared.field_points.clone(),
        points: shared.points,
        classes: shared.classes,
        noise: shared.noise,
        test_fraction: shared.test_fraction,
        data_seed: shared.data_seed,
        step: shared.step,
        lesson: shared.lesson,
        hide: shared.hide.clone(),
        present: shared.present,
        // Per run.
        net: run.net,
        width: run.width,
        depth: run.depth,
        knots: run.knots,
        learn_knots: run.learn_knots,
        synapse_knots: run.synapse_knots,
        grow: run.grow,
        max_knots: run.max_knots,
        move_every: run.move_every,
        fork: run.fork,
        n: run.n,
        segments: run.segments,
        input_segments: run.input_segments,
        output_segments: run.output_segments,
        periodicity: run.periodicity,
        activation: run.activation,
        bias: run.bias,
        normalization: run.normalization,
        optimizer: run.optimizer,
        loss: run.loss,
        learning_rate: run.learning_rate,
        batch: run.batch,
        init_seed: run.init_seed,
        batch_seed: run.batch_seed,
        backend: run.backend,
    }
}

/// The run settings a run of a comparison whose first run is `first` starts from in a link: the
/// experiment that `first`'s shared keys alone read as.
fn base_of(first: &Experiment) -> Experiment {
    merge(first, &first.starting_point())
}

/// `rK.name` → (K's digits, name).
fn run_prefix(name: &str) -> Option<(&str, &str)> {
    let (digits, key) = name.strip_prefix('r')?.split_once('.')?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some((digits, key))
}

/// Keys of a comparison's other runs (`runs`, `rK.…`), which an experiment link does not have.
pub(crate) fn is_comparison_key(name: &str) -> bool {
    name == RUNS_KEY || run_prefix(name).is_some()
}

impl Comparison {
    pub fn single(exp: Experiment) -> Comparison {
        Comparison { runs: vec![exp] }
    }

    /// The share link (without the leading `#`). Runs past `MAX_RUNS` are not written; a
    /// comparison without runs writes the default experiment.
    pub fn to_link(&self) -> String {
        let Some(first) = self.runs.first() else { return Experiment::default().to_link() };
        let mut link = first.to_link();
        let count = self.runs.len().min(MAX_RUNS);
        if count > 1 {
            link.push('&');
            link.push_str(&link::pair(RUNS_KEY, &count.to_string()));
            let base = base_of(first);
            for (i, run) in self.runs.iter().enumerate().take(count).skip(1) {
                let run = merge(first, run);
                for key in KEYS.iter().filter(|k| k.scope == Scope::Run) {
                    let value = key.value(&run);
                    if let Some(v) = value.as_deref().filter(|_| value != key.value(&base)) {
                        link.push('&');
                        link.push_str(&link::pair(&format!("r{}.{}", i + 1, key.name), v));
                    }
                }
                if let Some(fork) = run.fork.filter(|f| f.parent <= i) {
                    link.push('&');
                    link.push_str(&link::pair(&format!("r{}.{FORK_KEY}", i + 1), &fork.to_text()));
                }
            }
        }
        link
    }

    /// Read a link (with or without the leading `#`). Never fails; returns the notices to show.
    /// A link without `runs` / `rK.` keys reads exactly as `Experiment::from_link` reads it.
    pub fn from_link(link: &str) -> (Comparison, Vec<String>) {
        let body = link::link_body(link);
        let mut first_pairs: Vec<&str> = Vec::new();
        let mut runs_value = None;
        let mut prefixed = Vec::new();
        for text in body.split('&').filter(|p| !p.is_empty()) {
            let (name, raw) = text.split_once('=').unwrap_or((text, ""));
            if name == RUNS_KEY {
                runs_value = Some(raw);
            } else if let Some((digits, key)) = run_prefix(name) {
                prefixed.push((name, digits.parse::<usize>().ok(), key, raw));
            } else {
                first_pairs.push(text);
            }
        }
        if runs_value.is_none() && prefixed.is_empty() {
            let (first, notices) = Experiment::from_link(link);
            return (Comparison::single(first), notices);
        }
        let (first, mut notices) = Experiment::from_link_body(&first_pairs.join("&"));
        let count = runs_value.map_or(1, |raw| run_count(raw, &mut notices));
        let base = base_of(&first);
        let mut runs = vec![first];
        for k in 2..=count {
            let mut run = base.clone();
            let (mut own, mut unknown, mut shared) = (Vec::new(), Vec::new(), Vec::new());
            for &(_, _, name, raw) in prefixed.iter().filter(|p| p.1 == Some(k)) {
                let Some(value) = link::decode_value(name, raw, &mut own) else { continue };
                if name == FORK_KEY {
                    match Fork::parse(&value).filter(|f| f.parent < k && f.step <= limits::STEP.1) {
                        Some(f) => run.fork = Some(f),
                        None => own.push(format!(
                            "“{}” is not a valid fork (expected an earlier run's number and a step, as in 1@500): the run starts from step 0",
                            link::short(&value)
                        )),
                    }
                    continue;
                }
                match KEYS.iter().find(|key| key.name == name) {
                    Some(key) if key.scope == Scope::Run => key.read(&mut run, &value, &mut own),
                    Some(_) => shared.push(link::short(name)),
                    None => unknown.push(link::short(name)),
                }
            }
            if !shared.is_empty() {
                own.push(format!(
                    "ignored keys every run shares (set them once, without a prefix): {}",
                    shared.join(", ")
                ));
            }
            if !unknown.is_empty() {
                own.push(format!("ignored unknown link keys: {}", unknown.join(", ")));
            }
            notices.extend(own.into_iter().map(|n| format!("run {k}: {n}")));
            runs.push(merge(&runs[0], &run));
        }
        let stray: Vec<String> =
            prefixed.iter().filter(|p| !p.1.is_some_and(|k| (2..=count).contains(&k))).map(|p| link::short(p.0)).collect();
        if !stray.is_empty() {
            notices.push(format!(
                "ignored keys of runs this link does not have (runs 2 to {count} have prefixes r2. …; the first has none): {}",
                stray.join(", ")
            ));
        }
        (Comparison { runs }, notices)
    }

    /// Run `index` was edited into `edited`: its run settings replace that run's, its shared
    /// settings go to every run. An index past the last run changes nothing.
    pub fn edit(&mut self, index: usize, edited: Experiment) {
        if index >= self.runs.len() {
            return;
        }
        for (i, run) in self.runs.iter_mut().enumerate() {
            if i != index {
                *run = merge(&edited, run);
            }
        }
        self.runs[index] = edited;
    }

    /// Add a copy of run `index` at the end (false when `MAX_RUNS` are there or there is no run
    /// `index`).
    pub fn add_copy(&mut self, index: usize) -> bool {
        if self.runs.len() >= MAX_RUNS || index >= self.runs.len() {
            return false;
        }
        self.runs.push(merge(&self.runs[0], &self.runs[index]));
        true
    }

    /// Remove run `index`; never removes the last remaining run (nor a run that is not there).
    /// Forks name their parent by its number: later numbers shift down, and a fork of the removed
    /// run no longer says where it came from (it keeps its own settings).
    pub fn remove(&mut self, index: usize) {
        if self.runs.len() > 1 && index < self.runs.len() {
            self.runs.remove(index);
            let gone = index + 1;
            for run in &mut self.runs {
                run.fork = match run.fork {
                    Some(f) if f.parent == gone => None,
                    Some(f) if f.parent > gone => Some(Fork { parent: f.parent - 1, ..f }),
                    other => other,
                };
            }
        }
    }
}

/// The number of runs from `runs=…`, clamped to 1..=MAX_RUNS with a notice.
fn run_count(raw: &str, notices: &mut Vec<String>) -> usize {
    let Some(value) = link::decode_value(RUNS_KEY, raw, notices) else { return 1 };
    match value.parse::<usize>() {
        Ok(n) if (1..=MAX_RUNS).contains(&n) => n,
        Ok(0) => {
            notices.push(format!("{RUNS_KEY} = 0 is below the minimum: using 1"));
            1
        }
        Ok(n) => {
            notices.push(format!("{RUNS_KEY} = {n} is above the maximum: using {MAX_RUNS}"));
            MAX_RUNS
        }
        Err(_) => {
            notices.push(format!(
                "“{}” is not a valid {RUNS_KEY} (expected a whole number from 1 to {MAX_RUNS}); opened one run",
                link::short(&value)
            ));
            1
        }
    }
}

/// Ready-made comparisons, one button each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// The four piecewise families of the seeds, about 5 pieces each, and a ReLU network.
    Families,
    /// Piecewise-linear synapses with and without knot moving.
    Moving,
    /// A piecewise-linear synapse against ReLU neurons with the same parameter count.
    Budget,
}

/// Knots of the presets' piecewise-linear synapses in `Families` and `Moving`: 5 pieces.
const PRESET_KNOTS: usize = 6;
/// Segments of the presets' piecewise polynomials: 5 pieces.
const PRESET_SEGMENTS: usize = 5;
/// Points (= parameters) of the preset polynomial: degree 10, the same 11 numbers as a
/// continuous piecewise quadratic of 5 pieces ((3 − 1)·5 + 1).
const PRESET_POLYNOMIAL_N: usize = 11;
/// Hidden ReLU neurons of `Families`: 4 kinks, so 5 linear pieces.
const PRESET_RELU_WIDTH: usize = 4;
/// `Moving` moves a knot every this many steps.
const PRESET_MOVE_EVERY: u64 = 50;
/// Knots of `Budget`'s piecewise-linear synapse: 12 heights + 10 positions = 22 parameters.
const PRESET_BUDGET_KNOTS: usize = 12;

impl Preset {
    pub const ALL: [Preset; 3] = [Preset::Families, Preset::Moving, Preset::Budget];

    /// Lower-case, link-safe.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Families => "families",
            Preset::Moving => "moving",
            Preset::Budget => "budget",
        }
    }

    pub fn from_name(name: &str) -> Option<Preset> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// For a button.
    pub fn label(self) -> &'static str {
        match self {
            Preset::Families => "Compare the families",
            Preset::Moving => "Moving knots on / off",
            Preset::Budget => "Same budget: knots vs ReLU",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Preset::Families => {
                "Five runs on the same data, about five pieces each: a piecewise-linear synapse (6 knots), \
                 continuous and discontinuous piecewise quadratics (5 segments), one polynomial of degree 10 \
                 (11 numbers, as many as the continuous quadratics), and 4 ReLU neurons (4 kinks, 5 pieces)."
            }
            Preset::Moving => {
                "Two piecewise-linear synapses with 6 knots: one only learns its knot positions, the other also \
                 moves its smoothest knot to where the fit bends most every 50 steps."
            }
            Preset::Budget => {
                "A piecewise-linear synapse with 12 knots against one hidden layer of ReLU neurons as wide as \
                 makes the parameter counts as equal as they can be."
            }
        }
    }

    /// The preset's runs on `base`'s data (its shared settings, without its lesson) when `base` is
    /// a 1-D fit, otherwise on the zigzag. Every run trains with `base`'s optimiser, learning rate,
    /// batch size, seeds and backend when `base` is a 1-D fit (the defaults otherwise); the
    /// networks are the preset's, the rest of their settings the 1-D defaults.
    pub fn comparison(self, base: &Experiment) -> Comparison {
        let defaults = Experiment::default();
        let (shared, train) = if base.kind == Kind::Fit1d {
            (Experiment { lesson: 0, ..base.clone() }, base)
        } else {
            let zigzag =
                Experiment { dataset: "zigzag".into(), hide: base.hide.clone(), present: base.present, ..defaults.clone() };
            (zigzag, &defaults)
        };
        let template = merge(
            &shared,
            &Experiment {
                optimizer: train.optimizer,
                learning_rate: train.learning_rate,
                batch: train.batch,
                init_seed: train.init_seed,
                batch_seed: train.batch_seed,
                backend: train.backend,
                ..defaults.clone()
            },
        );
        let pwl = |knots: usize| Experiment { net: NetKind::Pwl, depth: 0, knots, learn_knots: true, ..template.clone() };
        let relu = |width: usize| Experiment {
            net: NetKind::Mlp,
            depth: 1,
            width,
            activation: Activation::Relu,
            bias: true,
            ..template.clone()
        };
        let runs = match self {
            Preset::Families => {
                let lagrange = |net| Experiment {
                    net,
                    depth: 0,
                    segments: PRESET_SEGMENTS,
                    n: defaults.n,
                    normalization: Normalization::None,
                    ..template.clone()
                };
                vec![
                    pwl(PRESET_KNOTS),
                    lagrange(NetKind::Continuous),
                    lagrange(NetKind::Discontinuous),
                    Experiment { net: NetKind::Polynomial, depth: 0, n: PRESET_POLYNOMIAL_N, ..template.clone() },
                    relu(PRESET_RELU_WIDTH),
                ]
            }
            Preset::Moving => {
                vec![pwl(PRESET_KNOTS), Experiment { move_every: PRESET_MOVE_EVERY, ..pwl(PRESET_KNOTS) }]
            }
            Preset::Budget => {
                let knots = pwl(PRESET_BUDGET_KNOTS);
                let target = crate::budget::parameter_count(&knots);
                vec![knots, crate::budget::equal_budget(&relu(1), target)]
            }
        };
        Comparison { runs }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::BackendChoice;
    use crate::link_fuzz::random_experiment;
    use crate::rng::{stream, Stream};
    use crate::spec::OptimizerKind;
    use rand::Rng;

    const RUN_KEYS: &str = "net width depth knots learnknots synapseknots grow maxknots move act bias n segments insegments \
                            outsegments period norm opt loss lr batch iseed bseed backend";
    const SHARED_KEYS: &str = "v kind lesson dataset formula pts fpts points classes noise test image res rot seed step hide present";

    #[test]
    fn every_key_has_its_scope_and_no_key_looks_like_a_comparison_key() {
        for key in KEYS {
            let expected = if RUN_KEYS.split(' ').any(|n| n == key.name) {
                Scope::Run
            } else {
                assert!(SHARED_KEYS.split(' ').any(|n| n == key.name), "{} has no scope in the brief", key.name);
                Scope::Shared
            };
            assert_eq!(key.scope, expected, "{}", key.name);
            assert!(!is_comparison_key(key.name), "{}", key.name);
        }
        assert_eq!(KEYS.len(), RUN_KEYS.split(' ').count() + SHARED_KEYS.split(' ').count());
    }

    /// Two experiments that differ in every field (same kind, so that kind-dependent keys are
    /// written the same way), one with every key written.
    fn opposites() -> (Experiment, Experiment) {
        let a = Experiment {
            dataset: "formula".into(),
            formula: "x^2".into(),
            points: 77,
            noise: 0.1,
            test_fraction: 0.5,
            data_seed: 9,
            step: 40,
            hide: vec!["lr".into()],
            present: true,
            net: NetKind::Pwl,
            width: 3,
            depth: 2,
            knots: 9,
            learn_knots: false,
            synapse_knots: true,
            grow: true,
            max_knots: 20,
            move_every: 30,
            optimizer: OptimizerKind::Sgd,
            learning_rate: 0.2,
            batch: 16,
            init_seed: 5,
            batch_seed: 6,
            backend: BackendChoice::Cpu,
            ..Experiment::default()
        };
        let b = Experiment {
            dataset: "zigzag".into(),
            points: 90,
            net: NetKind::Continuous,
            n: 5,
            segments: 3,
            input_segments: 7,
            normalization: Normalization::MaxAbs,
            lesson: 2,
            ..Experiment::default()
        };
        (a, b)
    }

    #[test]
    fn merge_takes_each_key_from_the_side_of_its_scope() {
        let (a, b) = opposites();
        for (shared, run) in [(&a, &b), (&b, &a)] {
            let m = merge(shared, run);
            for key in KEYS {
                let from = if key.scope == Scope::Shared { shared } else { run };
                assert_eq!(key.value(&m), key.value(from), "{}", key.name);
            }
        }
        // Kind-dependent run keys: an image run's first-layer segments.
        let img = Experiment { input_segments: 30, rotate: true, ..Experiment::default_for(Kind::Image) };
        let m = merge(&img, &Experiment { input_segments: 30, ..b.clone() });
        assert_eq!((m.kind, m.rotate, m.input_segments, m.net), (Kind::Image, true, 30, NetKind::Continuous));
        // Random pairs cover every field some key writes (kinds differ too: only `insegments`
        // and `loss` of the run keys depend on a shared setting, the kind).
        let mut rng = stream(10, Stream::Data);
        for _ in 0..2_000 {
            let (x, y) = (random_experiment(&mut rng), random_experiment(&mut rng));
            let m = merge(&x, &y);
            for key in KEYS.iter().filter(|k| x.kind == y.kind || !["insegments", "loss"].contains(&k.name)) {
                let from = if key.scope == Scope::Shared { &x } else { &y };
                assert_eq!(key.value(&m), key.value(from), "{}: {x:?} {y:?}", key.name);
            }
        }
        // Fields no key writes for these settings still go to their side.
        let m = merge(&Experiment { image: "rings".into(), ..a.clone() }, &Experiment { activation: Activation::Tanh, ..b.clone() });
        assert_eq!((m.image.as_str(), m.activation, m.bias), ("rings", Activation::Tanh, b.bias));
    }

    /// A comparison of `runs` random runs on the first's shared settings.
    fn random_comparison(rng: &mut impl Rng, runs: usize) -> Comparison {
        let first = random_experiment(rng);
        let runs = std::iter::once(first.clone()).chain((1..runs).map(|_| merge(&first, &random_experiment(rng)))).collect();
        Comparison { runs }
    }

    fn links(c: &Comparison) -> Vec<String> {
        c.runs.iter().map(Experiment::to_link).collect()
    }

    #[test]
    fn comparisons_of_different_kinds_and_networks_round_trip() {
        let first = Experiment { dataset: "zigzag".into(), noise: 0.1, ..Experiment::default() };
        let c = Comparison {
            runs: vec![
                first.clone(),
                merge(&first, &Experiment { net: NetKind::Mlp, width: 8, depth: 2, activation: Activation::Gelu, ..Experiment::default() }),
                merge(&first, &Experiment { net: NetKind::Discontinuous, n: 4, segments: 6, learning_rate: 0.01, ..Experiment::default() }),
                merge(&first, &Experiment { grow: true, max_knots: 40, move_every: 50, knots: 4, init_seed: 3, ..Experiment::default() }),
                merge(&first, &Experiment { net: NetKind::Fourier, n: 9, optimizer: OptimizerKind::Lion, backend: BackendChoice::Cpu, ..Experiment::default() }),
            ],
        };
        let link = c.to_link();
        assert!(link.starts_with(&first.to_link()), "{link}");
        assert!(link.contains("&runs=5&r2.net=mlp&r2.width=8&r2.depth=2&r2.act=gelu&r2.bias=1&r3.net=discontinuous"), "{link}");
        // Run 4 differs from the defaults only in what it says.
        assert!(link.contains("&r4.knots=4&r4.grow=1&r4.maxknots=40&r4.move=50&r4.iseed=3&r5."), "{link}");
        let (back, notices) = Comparison::from_link(&link);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(links(&back), links(&c));
        // Canonical runs (as read from a link) come back as they are.
        assert_eq!(Comparison::from_link(&back.to_link()), (back.clone(), vec![]));

        // Other kinds: a field with three runs, an image with four.
        for kind in [Kind::Field, Kind::Image] {
            let first = Experiment { rotate: false, noise: 0.05, ..Experiment::default_for(kind) };
            let c = Comparison {
                runs: vec![
                    first.clone(),
                    merge(&first, &Experiment { net: NetKind::Mlp, width: 16, depth: 3, ..Experiment::default_for(kind) }),
                    merge(&first, &Experiment { net: NetKind::Continuous, input_segments: 0, segments: 4, ..Experiment::default_for(kind) }),
                    merge(&first, &Experiment { synapse_knots: true, batch: 0, ..Experiment::default_for(kind) }),
                ],
            };
            let c = Comparison { runs: if kind == Kind::Field { c.runs[..3].to_vec() } else { c.runs } };
            let (back, notices) = Comparison::from_link(&c.to_link());
            assert!(notices.is_empty(), "{kind:?}: {notices:?}");
            assert_eq!(links(&back), links(&c), "{kind:?}");
        }
    }

    #[test]
    fn random_comparisons_round_trip() {
        let mut rng = stream(11, Stream::Data);
        for i in 0..2_000 {
            let c = random_comparison(&mut rng, 1 + i % MAX_RUNS);
            let link = c.to_link();
            let (back, notices) = Comparison::from_link(&link);
            assert!(notices.is_empty(), "{link}: {notices:?}");
            assert_eq!(links(&back), links(&c), "{link}");
            assert_eq!(back.runs.len(), c.runs.len());
            // The base the links are written against is what the first run's shared keys read as.
            let shared: Vec<String> = c.runs[0]
                .to_link()
                .split('&')
                .filter(|p| KEYS.iter().any(|k| k.scope == Scope::Shared && p.starts_with(&format!("{}=", k.name))))
                .map(str::to_string)
                .collect();
            assert_eq!(base_of(&back.runs[0]), Experiment::from_link(&shared.join("&")).0, "{link}");
        }
    }

    #[test]
    fn lesson_comparisons_round_trip_from_the_step_preset() {
        let mut rng = stream(12, Stream::Data);
        for number in 1..=crate::lessons::STEPS.len() {
            let step = crate::lessons::STEPS[number - 1].experiment(number);
            // Runs as a link reads them: a lesson step cannot say "off" for what its preset turns on.
            let canonical = |e: &Experiment| Experiment::from_link(&merge(&step, e).to_link()).0;
            let runs: Vec<Experiment> =
                std::iter::once(step.clone()).chain((0..3).map(|_| canonical(&random_experiment(&mut rng)))).collect();
            let c = Comparison { runs };
            let link = c.to_link();
            assert!(link.starts_with(&format!("v=1&kind=lesson&lesson={number}&")), "{link}");
            assert_eq!(Comparison::from_link(&link), (c, vec![]), "{link}");
            // An unchanged copy of the step adds nothing but the count.
            let mut copy = Comparison::single(step.clone());
            assert!(copy.add_copy(0));
            assert_eq!(copy.to_link(), format!("{}&runs=2", step.to_link()));
        }
    }

    #[test]
    fn old_links_read_exactly_as_before() {
        let mut rng = stream(13, Stream::Data);
        let mut old: Vec<String> = (0..300).map(|_| random_experiment(&mut rng).to_link()).collect();
        old.extend(Kind::ALL.iter().map(|k| Experiment::default_for(*k).to_link()));
        old.extend(["", "#", "kind=lesson&lesson=4", "#v=1&knots=100000&lr=abc&zzz=1", "kind=field&dataset=sine", "%%%"].map(String::from));
        for link in old {
            let (e, notices) = Experiment::from_link(&link);
            let (c, c_notices) = Comparison::from_link(&link);
            assert_eq!((c, c_notices), (Comparison::single(e.clone()), notices), "{link}");
            assert_eq!(Comparison::single(e.clone()).to_link(), e.to_link());
        }
    }

    #[test]
    fn bad_comparison_links_give_notices_not_panics() {
        let base = Experiment::default().to_link();
        let (c, n) = Comparison::from_link(&format!("{base}&runs=9&r2.width=999&r3.dataset=zigzag&r3.zzz=1&r7.net=mlp&r1.net=mlp"));
        assert_eq!(c.runs.len(), MAX_RUNS);
        assert_eq!(c.runs[1].width, crate::experiment::limits::WIDTH.1);
        assert_eq!(c.runs[2].dataset, "sine");
        assert_eq!(n.len(), 5, "{n:?}");
        assert!(n[0].contains("runs = 9"), "{n:?}");
        assert!(n[1].starts_with("run 2: width = 999"), "{n:?}");
        assert!(n[2].starts_with("run 3: ") && n[2].contains("dataset"), "{n:?}");
        assert!(n[3].starts_with("run 3: ") && n[3].contains("zzz"), "{n:?}");
        assert!(n[4].contains("r7.net") && n[4].contains("r1.net"), "{n:?}");
        // Prefixed keys without `runs`: one run, and a notice.
        let (c, n) = Comparison::from_link(&format!("{base}&r2.net=mlp"));
        assert_eq!((c.runs.len(), n.len()), (1, 1), "{n:?}");
        for (runs, expected) in [("0", 1), ("-1", 1), ("abc", 1), ("", 1), ("%FF", 1), ("99999999999999999999999", 1), ("3", 3)] {
            let (c, n) = Comparison::from_link(&format!("{base}&runs={runs}"));
            assert_eq!((c.runs.len(), n.len()), (expected, usize::from(expected == 1)), "runs={runs}: {n:?}");
        }
        for junk in ["runs", "r2.", "r.net=1", "r2.=3&runs=2", "runs=2&r2.net=%FF", "r99999999999999999999.net=mlp&runs=5", "runs=5&runs=2&r5.net=mlp"] {
            let (c, _) = Comparison::from_link(junk);
            assert!((1..=MAX_RUNS).contains(&c.runs.len()), "{junk}");
        }
        // The first run reads exactly as an experiment link, blanks and all.
        for link in ["v=1&present=1\n&runs=2", "&#v=2&runs=2", "present=1 &r2.net=mlp&runs=2 "] {
            assert_eq!(Comparison::from_link(link).0.runs[0], Experiment::from_link(link).0, "{link:?}");
        }
        // A comparison link opened as a single experiment: its first run, and a notice.
        let two = format!("{base}&runs=2&r2.net=mlp");
        let (e, n) = Experiment::from_link(&two);
        assert_eq!((e, n.len()), (Experiment::default(), 1), "{n:?}");
        assert_eq!(Comparison::from_link(&two).0.runs[0], Experiment::default());
    }

    #[test]
    fn editing_adding_and_removing_runs_keep_the_shared_settings_shared() {
        let mut c = Comparison::single(Experiment::default());
        assert!(c.add_copy(0));
        assert!(!c.add_copy(7));
        c.edit(1, Experiment { net: NetKind::Mlp, width: 5, depth: 1, dataset: "zigzag".into(), noise: 0.2, ..c.runs[1].clone() });
        assert_eq!(c.runs[0].dataset, "zigzag");
        assert_eq!(c.runs[0].noise, 0.2);
        assert_eq!((c.runs[0].net, c.runs[1].net), (NetKind::Pwl, NetKind::Mlp));
        while c.add_copy(1) {}
        assert_eq!(c.runs.len(), MAX_RUNS);
        c.edit(0, Experiment { points: 33, knots: 20, ..c.runs[0].clone() });
        assert!(c.runs.iter().all(|r| r.points == 33));
        assert_eq!(c.runs.iter().filter(|r| r.knots == 20).count(), 1);
        c.edit(9, Experiment::default());
        assert!(c.runs.iter().all(|r| r.points == 33));
        for _ in 0..10 {
            c.remove(0);
        }
        assert_eq!(c.runs.len(), 1);
        assert_eq!((c.runs[0].net, c.runs[0].points), (NetKind::Mlp, 33));
        c.remove(5);
        assert_eq!(c.runs.len(), 1);
    }

    #[test]
    fn presets_round_trip_and_keep_the_data() {
        let lesson = crate::lessons::STEPS[9].experiment(10);
        let bases = [Experiment::default(), lesson.clone(), Experiment::default_for(Kind::Image), Experiment::default_for(Kind::Field)];
        for base in &bases {
            for preset in Preset::ALL {
                assert_eq!(Preset::from_name(preset.name()), Some(preset));
                assert!(preset.name().bytes().all(|b| b.is_ascii_lowercase()));
                let c = preset.comparison(base);
                let (back, notices) = Comparison::from_link(&c.to_link());
                assert!(notices.is_empty(), "{preset:?}: {notices:?}");
                assert_eq!(back, c, "{preset:?} on {:?}", base.kind);
                for run in &c.runs {
                    assert_eq!((run.kind, run.lesson), (Kind::Fit1d, 0));
                    assert!(run.check_size().is_ok() && run.target().is_ok());
                    if base.kind == Kind::Fit1d {
                        assert_eq!((run.dataset.as_str(), run.points, run.noise), (base.dataset.as_str(), base.points, base.noise));
                        assert_eq!((run.learning_rate, run.batch), (base.learning_rate, base.batch));
                    } else {
                        assert_eq!(run.dataset, "zigzag");
                    }
                }
            }
        }
        let count = |e: &Experiment| crate::budget::parameter_count(e);
        let families = Preset::Families.comparison(&Experiment::default());
        assert_eq!(
            families.runs.iter().map(|r| r.net).collect::<Vec<_>>(),
            [NetKind::Pwl, NetKind::Continuous, NetKind::Discontinuous, NetKind::Polynomial, NetKind::Mlp]
        );
        assert_eq!(families.runs.iter().map(count).collect::<Vec<_>>(), [10, 11, 15, 11, 13]);
        let moving = Preset::Moving.comparison(&Experiment::default());
        assert_eq!(moving.runs.iter().map(|r| r.move_every).collect::<Vec<_>>(), [0, PRESET_MOVE_EVERY]);
        let budget = Preset::Budget.comparison(&lesson);
        assert_eq!((budget.runs[1].net, budget.runs[1].width), (NetKind::Mlp, 7));
        assert_eq!(count(&budget.runs[0]), count(&budget.runs[1]));
    }

    #[test]
    fn a_fork_travels_in_the_link_and_only_from_an_earlier_run() {
        let first = Experiment { dataset: "zigzag".into(), ..Experiment::default() };
        let fork = Experiment { fork: Some(Fork { parent: 1, step: 300 }), learning_rate: 0.01, ..first.clone() };
        let c = Comparison { runs: vec![first.clone(), fork] };
        let link = c.to_link();
        assert!(link.contains("r2.fork=1%40300"), "{link}");
        assert_eq!(Comparison::from_link(&link), (c, vec![]));
        assert!(!first.to_link().contains("fork"), "a single experiment never names a fork");
        for bad in ["r2.fork=2%40300", "r2.fork=0%405", "r2.fork=abc", "r2.fork=1%40-3"] {
            let (c, notices) = Comparison::from_link(&format!("dataset=zigzag&runs=2&{bad}"));
            assert_eq!(c.runs[1].fork, None, "{bad}");
            assert_eq!(notices.len(), 1, "{bad}: {notices:?}");
        }
    }

    #[test]
    fn removing_a_run_renumbers_the_forks_that_name_it() {
        let first = Experiment { dataset: "zigzag".into(), ..Experiment::default() };
        let fork_of = |parent| Experiment { fork: Some(Fork { parent, step: 100 }), ..first.clone() };
        let mut c = Comparison { runs: vec![first.clone(), fork_of(1), fork_of(2), fork_of(1)] };
        c.remove(1);
        assert_eq!(c.runs.iter().map(|r| r.fork.map(|f| f.parent)).collect::<Vec<_>>(), [None, None, Some(1)]);
        c.remove(0);
        assert_eq!(c.runs.iter().map(|r| r.fork).collect::<Vec<_>>(), [None, None]);
    }
}
