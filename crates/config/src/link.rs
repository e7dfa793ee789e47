//! The share link: ONE table of keys (`KEYS`) drives encoding, decoding, the link fuzzer's key
//! list, the controls a classroom link can hide, and which settings the runs of a comparison
//! share (`Scope`; the comparison's link is `crate::compare`).
//!
//! Links use flat, human-readable keys in the URL hash (`#v=1&dataset=sine&knots=16&seed=3`).
//! Decoding never fails: unknown keys are ignored and bad or out-of-range values are clamped or
//! replaced by defaults, each with a notice the page shows. Lesson links (`kind=lesson&lesson=N`)
//! are resolved here, above both the experiment and the lessons, which know nothing of links.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::data::labelled_points::UserLabelled;
use crate::data::points::{UserPoints, LINK_POINTS, MAX_POINTS};
use crate::data::Formula;
use crate::experiment::{limits, BackendChoice, Experiment, Kind, NetKind, IMAGE_NAMES, UPLOAD};
use crate::spec::Activation;
use crate::lessons;
use crate::spec::Normalization;
use crate::spec::{Loss, OptimizerKind};

pub const SCHEMA_VERSION: u32 = 1;

/// Whether a key is the same for every run of a comparison (the data and how the page shows
/// it) or may differ between runs (the network, its optimiser and their seeds); see
/// `crate::compare`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Shared,
    Run,
}
use Scope::{Run, Shared};

/// One key of the link.
pub struct LinkKey {
    pub name: &'static str,
    pub scope: Scope,
    /// The control (its `data-testid`) that `hide=` hides, if a classroom may hide it.
    pub control: Option<&'static str>,
    /// The value written for an experiment (`None`: the key is not written, e.g. settings of
    /// another kind or network, or a default that needs no saying).
    write: fn(&Experiment) -> Option<String>,
    /// Set the experiment from the value, with a notice when the value is off.
    read: fn(&mut Experiment, &mut Reader),
}

impl LinkKey {
    /// The value this key writes for `e` (not percent-encoded), if it writes one.
    pub fn value(&self, e: &Experiment) -> Option<String> {
        (self.write)(e)
    }

    /// Set `e` from a (decoded) value exactly as a link does, adding any notice to `notices`.
    pub fn read(&self, e: &mut Experiment, value: &str, notices: &mut Vec<String>) {
        (self.read)(e, &mut Reader { key: self.name, value, notices })
    }
}

const fn key(
    scope: Scope,
    name: &'static str,
    write: fn(&Experiment) -> Option<String>,
    read: fn(&mut Experiment, &mut Reader),
) -> LinkKey {
    LinkKey { name, scope, control: None, write, read }
}

const fn hideable(
    scope: Scope,
    name: &'static str,
    control: &'static str,
    write: fn(&Experiment) -> Option<String>,
    read: fn(&mut Experiment, &mut Reader),
) -> LinkKey {
    LinkKey { name, scope, control: Some(control), write, read }
}

fn flag(on: bool) -> String {
    (on as u8).to_string()
}

/// Whether the data are sampled from a recipe (not a picture, not the user's own points).
fn samples(e: &Experiment) -> bool {
    matches!(e.kind, Kind::Fit1d | Kind::Field | Kind::Surface) && !e.on_user_points() && !e.on_field_points()
}

fn is_pwl(e: &Experiment) -> bool {
    e.net == NetKind::Pwl
}


/// Every key, in the order links are written.
pub const KEYS: &[LinkKey] = &[
    key(Shared, "v", |_| Some(SCHEMA_VERSION.to_string()), |_, r| {
        if r.value != SCHEMA_VERSION.to_string() {
            r.notice(format!("this link is for version {} of the playground; reading it as version {SCHEMA_VERSION}", short(r.value)));
        }
    }),
    // `kind` and `lesson` decide where every other key starts from: read before the others.
    key(Shared, "kind", |e| Some(if e.lesson > 0 { "lesson" } else { e.kind.name() }.into()), |_, _| {}),
    key(Shared, "lesson", |e| (e.lesson > 0).then(|| e.lesson.to_string()), |_, _| {}),
    hideable(Shared, "dataset", "dataset", |e| (!e.dataset_names().is_empty()).then(|| e.dataset.clone()), |e, r| {
        if e.dataset_names().contains(&r.value) {
            e.dataset = r.value.to_string();
        } else {
            r.notice(format!("unknown dataset “{}”: using {}", short(r.value), e.dataset));
        }
    }),
    hideable(
        Shared,
        "formula",
        "formula",
        |e| (matches!(e.kind, Kind::Fit1d | Kind::Surface) && e.dataset == "formula").then(|| e.formula.clone()),
        |e, r| e.formula = r.value.chars().take(crate::data::formula::MAX_FORMULA_LEN).collect(),
    ),
    // The user's own points: all of them when a link can carry them; a larger set writes only
    // its size (`n1500`), so that whoever opens the link learns what is missing.
    key(Shared, POINTS_KEY, |e| points_value(e, false), |e, r| {
        if !left_out(r, "experiment") {
            let (points, bad) = UserPoints::parse(r.value);
            if bad > 0 {
                r.notice(format!("{bad} of the link's points could not be read and were left out (at most {MAX_POINTS} points)"));
            }
            e.user_points = points;
        }
    }),
    key(Shared, FIELD_POINTS_KEY, |e| field_points_value(e, false), |e, r| {
        if !left_out(r, "classification") {
            let (points, bad) = UserLabelled::parse(r.value);
            if bad > 0 {
                r.notice(format!("{bad} of the link's labelled points could not be read and were left out"));
            }
            e.field_points = points;
        }
    }),
    // How many points to sample and their noise: not for the user's own points, taken as they are.
    hideable(Shared, "points", "points", |e| samples(e).then(|| e.points.to_string()), |e, r| e.points = r.int(limits::POINTS, e.points)),
    hideable(
        Shared,
        "classes",
        "classes-k",
        |e| (e.kind == Kind::Field && e.dataset == "blobs").then(|| e.classes.to_string()),
        |e, r| e.classes = r.int(limits::CLASSES, e.classes),
    ),
    hideable(Shared, "noise", "noise", |e| samples(e).then(|| e.noise.to_string()), |e, r| e.noise = r.float(limits::NOISE, e.noise)),
    key(
        Shared,
        "test",
        |e| (e.kind != Kind::Image && e.test_fraction != Experiment::default_for(e.kind).test_fraction).then(|| e.test_fraction.to_string()),
        |e, r| e.test_fraction = r.float(limits::TEST_FRACTION, e.test_fraction),
    ),
    key(Shared, "image", |e| (e.kind == Kind::Image).then(|| e.image.clone()), |e, r| {
        if IMAGE_NAMES.contains(&r.value) {
            e.image = r.value.to_string();
        } else if r.value == UPLOAD {
            r.notice(format!("an uploaded picture cannot travel in a link: opening {} instead — upload it again to continue", e.image));
        } else {
            r.bad(&IMAGE_NAMES.join(", "));
        }
    }),
    key(Shared, "res", |e| (e.kind == Kind::Image).then(|| e.resolution.to_string()), |e, r| e.resolution = r.int(limits::RESOLUTION, e.resolution)),
    key(Shared, "rot", |e| matches!(e.kind, Kind::Image | Kind::Field | Kind::Surface).then(|| flag(e.rotate)), |e, r| e.rotate = r.flag(e.rotate)),
    hideable(Run, "net", "net", |e| Some(e.net.name().into()), |e, r| match NetKind::from_name(r.value) {
        Some(k) => e.net = k,
        None => r.bad("pwl, continuous, discontinuous, polynomial, fourier or mlp"),
    }),
    hideable(Run, "width", "width", |e| Some(e.width.to_string()), |e, r| e.width = r.int(limits::WIDTH, e.width)),
    hideable(Run, "depth", "depth", |e| Some(e.depth.to_string()), |e, r| e.depth = r.int(limits::DEPTH, e.depth)),
    hideable(Run, "knots", "knots", |e| is_pwl(e).then(|| e.knots.to_string()), |e, r| e.knots = r.int(limits::KNOTS, e.knots)),
    hideable(Run, "learnknots", "learn-knots", |e| is_pwl(e).then(|| flag(e.learn_knots)), |e, r| e.learn_knots = r.flag(e.learn_knots)),
    hideable(
        Run,
        "synapseknots",
        "synapse-knots",
        |e| (is_pwl(e) && e.synapse_knots).then(|| flag(true)),
        |e, r| e.synapse_knots = r.flag(e.synapse_knots),
    ),
    key(Run, "grow", |e| (is_pwl(e) && e.grow).then(|| flag(true)), |e, r| e.grow = r.flag(e.grow)),
    key(Run, "maxknots", |e| (is_pwl(e) && e.grow).then(|| e.max_knots.to_string()), |e, r| e.max_knots = r.int(limits::KNOTS, e.max_knots)),
    key(Run, "move", |e| (is_pwl(e) && e.move_every > 0).then(|| e.move_every.to_string()), |e, r| {
        e.move_every = r.int(limits::MOVE_EVERY, e.move_every)
    }),
    hideable(Run, "act", "act", |e| (e.net == NetKind::Mlp).then(|| e.activation.name().into()), |e, r| match Activation::from_name(r.value) {
        Some(a) => e.activation = a,
        None => r.bad(&Activation::ALL.map(|a| a.name()).join(", ")),
    }),
    hideable(Run, "bias", "bias", |e| (e.net == NetKind::Mlp).then(|| flag(e.bias)), |e, r| e.bias = r.flag(e.bias)),
    key(Run, "n", |e| e.net.uses_n().then(|| e.n.to_string()), |e, r| e.n = r.int(limits::N, e.n)),
    key(Run, "segments", |e| e.net.has_segments().then(|| e.segments.to_string()), |e, r| e.segments = r.int(limits::SEGMENTS, e.segments)),
    key(
        Run,
        "period",
        |e| (e.net.is_lagrange() && e.periodicity > 0.0).then(|| e.periodicity.to_string()),
        |e, r| e.periodicity = r.float(limits::PERIODICITY, e.periodicity),
    ),
    key(
        Run,
        "insegments",
        // Written even when 0 ("same as the others"): image links default to 100.
        |e| {
            (e.net.has_segments() && (e.input_segments != Experiment::default_for(e.kind).input_segments || e.input_segments > 0))
                .then(|| e.input_segments.to_string())
        },
        |e, r| e.input_segments = r.int(limits::LAYER_SEGMENTS, e.input_segments),
    ),
    key(
        Run,
        "outsegments",
        |e| (e.net.has_segments() && e.output_segments > 0).then(|| e.output_segments.to_string()),
        |e, r| e.output_segments = r.int(limits::LAYER_SEGMENTS, e.output_segments),
    ),
    key(
        Run,
        "norm",
        |e| (e.net != NetKind::Mlp).then(|| if e.normalization == Normalization::MaxAbs { "maxabs" } else { "none" }.into()),
        |e, r| match r.value {
            "none" => e.normalization = Normalization::None,
            "maxabs" => e.normalization = Normalization::MaxAbs,
            _ => r.bad("none or maxabs"),
        },
    ),
    hideable(Run, "opt", "optimizer", |e| Some(e.optimizer.name().into()), |e, r| match OptimizerKind::from_name(r.value) {
        Some(o) => e.optimizer = o,
        None => r.bad("adam, sgd or lion"),
    }),
    hideable(Run, "loss", "loss-kind", |e| (e.kind == Kind::Field).then(|| e.loss.name().into()), |e, r| match Loss::from_name(r.value) {
        Some(l) => e.loss = l,
        None => r.bad(&Loss::ALL.map(|l| l.name()).join(" or ")),
    }),
    hideable(Run, "lr", "lr", |e| Some(e.learning_rate.to_string()), |e, r| e.learning_rate = r.float(limits::LR, e.learning_rate)),
    hideable(Run, "batch", "batch", |e| Some(e.batch.to_string()), |e, r| e.batch = r.int(limits::BATCH, e.batch)),
    hideable(Shared, "seed", "seed", |e| Some(e.data_seed.to_string()), |e, r| e.data_seed = r.seed(e.data_seed)),
    key(Run, "iseed", |e| Some(e.init_seed.to_string()), |e, r| e.init_seed = r.seed(e.init_seed)),
    key(Run, "bseed", |e| Some(e.batch_seed.to_string()), |e, r| e.batch_seed = r.seed(e.batch_seed)),
    hideable(Run, "backend", "backend-choice", |e| Some(e.backend.name().into()), |e, r| match BackendChoice::from_name(r.value) {
        Some(b) => e.backend = b,
        None => r.bad("auto, webgpu or cpu"),
    }),
    key(Shared, "step", |e| (e.step > 0).then(|| e.step.to_string()), |e, r| e.step = r.int(limits::STEP, e.step)),
    key(Shared, "hide", |e| (!e.hide.is_empty()).then(|| e.hide.join(",")), |e, r| {
        let mut hide: Vec<String> = Vec::new();
        for name in r.value.split(',').filter(|n| !n.is_empty()) {
            if hideable_controls().any(|c| c == name) {
                hide.push(name.to_string());
            } else {
                r.notice(format!("cannot hide “{}” (hideable: {})", short(name), hideable_controls().collect::<Vec<_>>().join(", ")));
            }
        }
        hide.sort();
        hide.dedup();
        e.hide = hide;
    }),
    key(Shared, "present", |e| e.present.then(|| flag(true)), |e, r| e.present = r.flag(e.present)),
];

/// The key of the user's own points.
pub const POINTS_KEY: &str = "pts";

/// The value of a key of the user's own points (`used`: the experiment trains on them): all of
/// them when `whole` or when a share link can carry them, else only their number (`n150`).
fn own_points(used: bool, count: usize, whole: bool, text: impl FnOnce() -> String) -> Option<String> {
    (used && count > 0).then(|| if whole || count <= LINK_POINTS { text() } else { format!("n{count}") })
}

/// The `pts` value of an experiment on the user's 1-D points.
fn points_value(e: &Experiment, whole: bool) -> Option<String> {
    own_points(e.on_user_points(), e.user_points.len(), whole, || e.user_points.to_text())
}

/// The key of the user's own classification points.
pub const FIELD_POINTS_KEY: &str = "fpts";

/// The `fpts` value of a classification of the user's points.
fn field_points_value(e: &Experiment, whole: bool) -> Option<String> {
    own_points(e.on_field_points(), e.field_points.len(), whole, || e.field_points.to_text())
}

/// Whether a points key holds only a count (`n150`: the author's points were too many for the
/// link), in which case whoever opens it is told to load the same file.
fn left_out(r: &mut Reader, what: &str) -> bool {
    let Some(count) = r.value.strip_prefix('n') else { return false };
    r.notice(format!(
        "this {what} trained on {} points of its author's own, too many to travel in a link: paste or upload the same CSV to train on them",
        short(count)
    ));
    true
}

/// The controls a classroom link can hide (`hide=…`), from the key table.
pub fn hideable_controls() -> impl Iterator<Item = &'static str> {
    KEYS.iter().filter_map(|k| k.control)
}

impl Experiment {
    /// The flat key list of a share link (without the leading `#`).
    pub fn to_link(&self) -> String {
        KEYS.iter()
            .filter_map(|k| (k.write)(self).map(|v| pair(k.name, &v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The link the engine worker and model files get: the share link, but with every one of the
    /// user's points (1-D or labelled) however many there are (a share link carries at most
    /// `LINK_POINTS`).
    pub fn to_engine_link(&self) -> String {
        KEYS.iter()
            .filter_map(|k| match k.name {
                POINTS_KEY => points_value(self, true),
                FIELD_POINTS_KEY => field_points_value(self, true),
                _ => (k.write)(self),
            }
            .map(|v| pair(k.name, &v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// Read a link (with or without the leading `#`). Never fails; returns the notices to show.
    /// A comparison's link (`crate::compare`) opens as its first run, with a notice that the
    /// others were left out.
    pub fn from_link(link: &str) -> (Experiment, Vec<String>) {
        Experiment::from_link_body(link_body(link))
    }

    /// `from_link` of a link already without its leading `#` (see `link_body`).
    pub(crate) fn from_link_body(body: &str) -> (Experiment, Vec<String>) {
        let mut notices = Vec::new();
        let mut e = starting_point(body, &mut notices);
        let mut ignored = Vec::new();
        let mut other_runs = false;
        for (name, raw) in pairs(body) {
            let Some(value) = decode_value(name, raw, &mut notices) else { continue };
            match KEYS.iter().find(|k| k.name == name) {
                Some(k) => k.read(&mut e, &value, &mut notices),
                None if crate::compare::is_comparison_key(name) => other_runs = true,
                None => ignored.push(short(name)),
            }
        }
        if !ignored.is_empty() {
            notices.push(format!("ignored unknown link keys: {}", ignored.join(", ")));
        }
        if other_runs {
            notices.push("this link compares several runs: only its first run is opened here".into());
        }
        if e.kind == Kind::Fit1d && e.dataset == "formula" {
            if let Err(msg) = Formula::parse(&e.formula) {
                notices.push(format!("the link's formula is not usable ({msg}): using the sine wave"));
                e.dataset = "sine".into();
            }
        }
        if e.kind == Kind::Surface && e.dataset == "formula" {
            if let Err(msg) = Formula::parse_xy(&e.formula) {
                notices.push(format!("the link's formula is not usable ({msg}): using the plane"));
                e.dataset = "plane".into();
            }
        }
        (e, notices)
    }

    /// What a link's keys adjust for this experiment: its lesson step's preset, or the defaults
    /// of its kind. Keys whose value is the starting point's need not be written (`grow`, `move`
    /// and the like are written only when on), so reading adjusts this.
    pub fn starting_point(&self) -> Experiment {
        match lessons::step(self.lesson) {
            Some(step) => step.experiment(self.lesson),
            None => Experiment::default_for(self.kind),
        }
    }
}

/// A link without its leading `#` or `?` and surrounding blanks.
pub(crate) fn link_body(link: &str) -> &str {
    link.trim().trim_start_matches('#').trim_start_matches('?')
}

/// The `name=value` pairs of a link body, values still percent-encoded (a pair without `=` has
/// an empty value).
pub(crate) fn pairs(body: &str) -> impl Iterator<Item = (&str, &str)> {
    body.split('&').filter(|p| !p.is_empty()).map(|p| p.split_once('=').unwrap_or((p, "")))
}

/// A percent-decoded value, or `None` with a notice when it is not valid text.
pub(crate) fn decode_value(name: &str, raw: &str, notices: &mut Vec<String>) -> Option<String> {
    match percent_decode_str(raw).decode_utf8() {
        Ok(v) => Some(v.into_owned()),
        Err(_) => {
            notices.push(format!("the value of “{}” is not valid text and was ignored", short(name)));
            None
        }
    }
}

/// One `name=value` pair of a link, the value percent-encoded.
pub(crate) fn pair(name: &str, value: &str) -> String {
    format!("{name}={}", utf8_percent_encode(value, VALUE))
}

/// The experiment the link's other keys adjust: a lesson step's preset, or the defaults of the
/// link's kind (wherever `kind` is in the link).
fn starting_point(body: &str, notices: &mut Vec<String>) -> Experiment {
    let value_of = |name: &str| body.split('&').find_map(|p| p.strip_prefix(name)?.strip_prefix('='));
    let kind_value = value_of("kind").unwrap_or("fit1d");
    if kind_value == "lesson" {
        let count = lessons::STEPS.len();
        let asked = value_of("lesson").unwrap_or("1");
        let number = match asked.parse::<usize>() {
            Ok(n) if (1..=count).contains(&n) => n,
            _ => {
                notices.push(format!("there is no lesson step “{}” (steps 1 to {count}): opening step 1", short(asked)));
                1
            }
        };
        return lessons::STEPS[number - 1].experiment(number);
    }
    let kind = Kind::from_name(kind_value).unwrap_or_else(|| {
        notices.push(format!("unknown experiment kind “{}”: opening a 1-D fit", short(kind_value)));
        Kind::Fit1d
    });
    Experiment::default_for(kind)
}

/// Characters escaped in link values: everything but letters, digits and a few safe marks.
const VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'*').remove(b'(').remove(b')');

/// Cut user-provided text before echoing it in a notice.
pub(crate) fn short(s: &str) -> String {
    let mut out: String = s.chars().take(24).collect();
    if s.chars().count() > 24 {
        out.push('…');
    }
    out
}

/// Parses one key's value, clamping and explaining.
pub struct Reader<'a> {
    key: &'a str,
    value: &'a str,
    notices: &'a mut Vec<String>,
}

impl Reader<'_> {
    fn notice(&mut self, text: String) {
        self.notices.push(text);
    }

    fn bad(&mut self, expected: &str) {
        self.notices.push(format!("“{}” is not a valid {} (expected {expected}); kept the default", short(self.value), self.key));
    }

    fn int<T>(&mut self, (lo, hi): (T, T), default: T) -> T
    where
        T: Copy + PartialOrd + std::str::FromStr + std::fmt::Display,
    {
        match self.value.parse::<T>() {
            Ok(v) if v < lo => {
                self.notices.push(format!("{} = {v} is below the minimum: using {lo}", self.key));
                lo
            }
            Ok(v) if v > hi => {
                self.notices.push(format!("{} = {v} is above the maximum: using {hi}", self.key));
                hi
            }
            Ok(v) => v,
            Err(_) => {
                self.bad(&format!("a whole number from {lo} to {hi}"));
                default
            }
        }
    }

    fn float(&mut self, (lo, hi): (f64, f64), default: f64) -> f64 {
        match self.value.parse::<f64>() {
            Ok(v) if v.is_nan() => {
                self.bad("a number");
                default
            }
            Ok(v) if v < lo || v > hi => {
                let c = v.clamp(lo, hi);
                self.notices.push(format!("{} = {} is out of range: using {c}", self.key, short(self.value)));
                c
            }
            Ok(v) => v,
            Err(_) => {
                self.bad(&format!("a number from {lo} to {hi}"));
                default
            }
        }
    }

    fn flag(&mut self, default: bool) -> bool {
        match self.value {
            "1" | "true" => true,
            "0" | "false" => false,
            _ => {
                self.bad("0 or 1");
                default
            }
        }
    }

    fn seed(&mut self, default: u64) -> u64 {
        self.int((0, u64::MAX), default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_read_back_as_written_and_names_are_unique() {
        let mut names: Vec<&str> = KEYS.iter().map(|k| k.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), KEYS.len(), "a key is declared twice");
        // An experiment that writes nearly every key, including the optional ones.
        let e = Experiment {
            grow: true,
            move_every: 40,
            synapse_knots: true,
            step: 300,
            hide: vec!["lr".into(), "seed".into()],
            present: true,
            test_fraction: 0.5,
            ..Experiment::default()
        };
        let link = e.to_link();
        for k in ["grow=1", "maxknots=", "move=40", "synapseknots=1", "step=300", "hide=lr%2Cseed", "present=1", "test=0.5"] {
            assert!(link.contains(k), "{k} missing from {link}");
        }
        assert_eq!(Experiment::from_link(&link), (e, vec![]));
    }

    #[test]
    fn classroom_links_hide_only_declared_controls() {
        let controls: Vec<&str> = hideable_controls().collect();
        assert!(controls.contains(&"backend-choice") && controls.contains(&"learn-knots"));
        let (e, notices) = Experiment::from_link("hide=lr,zzz,lr,backend-choice");
        assert_eq!(e.hide, vec!["backend-choice".to_string(), "lr".to_string()]);
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert!(notices[0].contains("zzz"));
    }
}
