//! The 1-D targets of the fit studio and the lessons.
//!
//! Formulas follow the originals exactly (see DESIGN.md and the seed notebook's datasets): the
//! lessons retell that notebook, so "line" must be the same shifted line a student saw there.

use rand::seq::SliceRandom;
use rand_distr::{Distribution, StandardNormal};

use super::formula::Formula;
use super::points::UserPoints;
use super::split::seeded_split;
use crate::rng::{stream, Stream};

/// Which built-in target (or a typed formula).
#[derive(Clone, Debug, PartialEq)]
pub enum Target1d {
    /// sin(x) on [0, 2π] (the notebook's `sine_wave`).
    Sine,
    /// A box of height 0.75 and width 0.2 centred at −0.5 on [−1, 1] (the seed's square wave).
    Square,
    /// A "W" with peaks at −1, 0, 1, x and y min-max normalised to [−0.5, 0.5].
    Zigzag,
    /// 0.5 − ReLU(x) on [−1, 1]: flat, then falling — needs an activation.
    Elbow,
    /// (4x + 1)/max − 0.5 on [0, 1]: a line that needs a bias.
    Line,
    /// (2x + 1)/max on [0, 10]: (almost) through zero.
    Line0,
    /// x + 0.4·sin(2πx) on [−1, 1]: structured "noise" around the line y = x.
    Noisy,
    /// y = f(x) on [−1, 1] for a formula typed by the user.
    Formula(Formula),
    /// The user's own points (drawn on the plot, pasted or uploaded), as they are: no noise, no
    /// resampling.
    Points(UserPoints),
}

impl Target1d {
    /// The URL/`<select>` name of a built-in target.
    pub fn name(&self) -> &'static str {
        match self {
            Target1d::Sine => "sine",
            Target1d::Square => "square",
            Target1d::Zigzag => "zigzag",
            Target1d::Elbow => "elbow",
            Target1d::Line => "line",
            Target1d::Line0 => "line0",
            Target1d::Noisy => "noisy",
            Target1d::Formula(_) => "formula",
            Target1d::Points(_) => "points",
        }
    }

    /// Every dataset name, in menu order.
    pub const NAMES: [&'static str; 9] = ["sine", "square", "zigzag", "elbow", "line", "line0", "noisy", "formula", "points"];

    /// A human label for menus.
    pub fn label_of(name: &str) -> &'static str {
        match name {
            "sine" => "Sine wave",
            "square" => "Square pulse",
            "zigzag" => "Zigzag",
            "elbow" => "Elbow",
            "line" => "Line (needs a bias)",
            "line0" => "Line through zero",
            "noisy" => "Noisy line",
            "points" => "Your points",
            _ => "Your formula",
        }
    }

    /// A built-in target by name (`formula` and `points` are built separately: they need the
    /// text or the points).
    pub fn builtin(name: &str) -> Option<Self> {
        Some(match name {
            "sine" => Target1d::Sine,
            "square" => Target1d::Square,
            "zigzag" => Target1d::Zigzag,
            "elbow" => Target1d::Elbow,
            "line" => Target1d::Line,
            "line0" => Target1d::Line0,
            "noisy" => Target1d::Noisy,
            _ => return None,
        })
    }

    /// The x-interval the samples cover (before any normalisation the target applies itself).
    pub fn x_range(&self) -> (f64, f64) {
        match self {
            Target1d::Sine => (0.0, 2.0 * 3.14159),
            Target1d::Line => (0.0, 1.0),
            Target1d::Line0 => (0.0, 10.0),
            Target1d::Zigzag => (-0.5, 0.5),
            Target1d::Points(p) => {
                let (x, _) = p.frame();
                (x.0 as f64, x.1 as f64)
            }
            _ => (-1.0, 1.0),
        }
    }
}

/// How to sample a target.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset1d {
    pub target: Target1d,
    /// Number of points, train and test together.
    pub points: usize,
    /// Standard deviation of the Gaussian noise added to y.
    pub noise: f64,
    /// Fraction of points held out for testing.
    pub test_fraction: f64,
    /// Seed of the data stream (x noise and the train/test split).
    pub seed: u64,
}

/// Sampled points, split into train and test, with the clean curve for plotting.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Samples1d {
    pub train_x: Vec<f32>,
    pub train_y: Vec<f32>,
    pub test_x: Vec<f32>,
    pub test_y: Vec<f32>,
    /// The noise-free target on a fine grid (for the plot), where defined.
    pub clean: Vec<(f32, f32)>,
    /// The domain the network's first layer should cover.
    pub x_range: (f32, f32),
    /// The y-interval to plot, when the data set fixes it (the canvas the user draws on);
    /// `None`: fitted to the data.
    pub y_range: Option<(f32, f32)>,
}

impl Dataset1d {
    /// Draw the samples. Deterministic in `seed`; never panics (undefined formula points are dropped).
    pub fn sample(&self) -> Samples1d {
        if let Target1d::Points(points) = &self.target {
            return self.split_points(points);
        }
        let n = self.points.max(2);
        let (a, b) = self.raw_range();
        let xs: Vec<f64> = (0..n).map(|i| a + (b - a) * i as f64 / (n - 1) as f64).collect();
        let mut rng = stream(self.seed, Stream::Data);
        let eps: Vec<f64> = (0..n).map(|_| StandardNormal.sample(&mut rng)).collect();
        let mut pts: Vec<(f64, f64)> = self.values(&xs, &eps, self.noise);
        let clean = {
            let grid: Vec<f64> = (0..=400).map(|i| a + (b - a) * i as f64 / 400.0).collect();
            self.values(&grid, &vec![0.0; grid.len()], 0.0)
        };
        // Same random interleave for train and test on every platform (a fixed shuffled split, as
        // in the notebook, not a contiguous tail).
        pts.shuffle(&mut rng);
        let n_test = ((pts.len() as f64) * self.test_fraction.clamp(0.0, 0.9)).round() as usize;
        let (test, train) = pts.split_at(n_test.min(pts.len().saturating_sub(1)));
        let (lo, hi) = self.target.x_range();
        Samples1d {
            train_x: train.iter().map(|p| p.0 as f32).collect(),
            train_y: train.iter().map(|p| p.1 as f32).collect(),
            test_x: test.iter().map(|p| p.0 as f32).collect(),
            test_y: test.iter().map(|p| p.1 as f32).collect(),
            clean: clean.iter().map(|p| (p.0 as f32, p.1 as f32)).collect(),
            x_range: (lo as f32, hi as f32),
            y_range: None,
        }
    }

    /// The user's points split into train and test (`seeded_split`: at least one point trains);
    /// each side keeps the user's order, so exporting and re-importing the points gives the same
    /// split.
    fn split_points(&self, points: &UserPoints) -> Samples1d {
        let all = points.as_slice();
        let (_, test) = seeded_split(all.len(), self.test_fraction, self.seed);
        let (mut samples, (x_range, y_range)) = (Samples1d::default(), points.frame());
        for (i, p) in all.iter().enumerate() {
            let (xs, ys) = if test.binary_search(&i).is_ok() { (&mut samples.test_x, &mut samples.test_y) } else { (&mut samples.train_x, &mut samples.train_y) };
            xs.push(p[0]);
            ys.push(p[1]);
        }
        Samples1d { x_range, y_range: Some(y_range), ..samples }
    }

    /// The x interval before the zigzag's own normalisation.
    fn raw_range(&self) -> (f64, f64) {
        match self.target {
            Target1d::Zigzag => (-1.0, 1.0),
            _ => self.target.x_range(),
        }
    }

    /// (x, y) pairs for the given x and standard-normal draws `eps`, noise level `noise`.
    fn values(&self, xs: &[f64], eps: &[f64], noise: f64) -> Vec<(f64, f64)> {
        let e = |i: usize| noise * eps[i];
        match &self.target {
            Target1d::Sine => xs.iter().enumerate().map(|(i, &x)| (x, x.sin() + e(i))).collect(),
            Target1d::Square => xs
                .iter()
                .enumerate()
                .map(|(i, &x)| (x, if (x + 0.5).abs() < 0.1 { 0.75 } else { 0.0 } + e(i)))
                .collect(),
            Target1d::Elbow => xs.iter().enumerate().map(|(i, &x)| (x, 0.5 - x.max(0.0) - e(i))).collect(),
            Target1d::Noisy => xs
                .iter()
                .enumerate()
                .map(|(i, &x)| (x, x + 0.4 * (2.0 * std::f64::consts::PI * x).sin() + e(i)))
                .collect(),
            Target1d::Line => scaled_by_max(xs, |i, x| 4.0 * x + 1.0 + e(i), -0.5),
            Target1d::Line0 => scaled_by_max(xs, |i, x| 2.0 * x + 1.0 + e(i), 0.0),
            Target1d::Zigzag => {
                let raw: Vec<(f64, f64)> = xs
                    .iter()
                    .enumerate()
                    .map(|(i, &x)| (x, ((4.0 * x).rem_euclid(4.0) - 2.0).abs() * 5.0 + e(i)))
                    .collect();
                min_max_half(&raw)
            }
            Target1d::Formula(f) => xs
                .iter()
                .enumerate()
                .filter_map(|(i, &x)| f.eval(x).map(|y| (x, y + e(i))))
                .collect(),
            Target1d::Points(_) => Vec::new(),
        }
    }
}

/// y ← y / max(y) + shift, as the notebook's line datasets do.
fn scaled_by_max(xs: &[f64], f: impl Fn(usize, f64) -> f64, shift: f64) -> Vec<(f64, f64)> {
    let ys: Vec<f64> = xs.iter().enumerate().map(|(i, &x)| f(i, x)).collect();
    let max = ys.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let max = if max.abs() < 1e-12 { 1.0 } else { max };
    xs.iter().zip(ys).map(|(&x, y)| (x, y / max + shift)).collect()
}

/// Min-max normalise x and y each to [−0.5, 0.5].
fn min_max_half(pts: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let norm = |v: Vec<f64>| -> Vec<f64> {
        let lo = v.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let span = if hi - lo < 1e-12 { 1.0 } else { hi - lo };
        v.into_iter().map(|t| (t - lo) / span - 0.5).collect()
    };
    let xs = norm(pts.iter().map(|p| p.0).collect());
    let ys = norm(pts.iter().map(|p| p.1).collect());
    xs.into_iter().zip(ys).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(target: Target1d, points: usize) -> Samples1d {
        Dataset1d { target, points, noise: 0.0, test_fraction: 0.0, seed: 0 }.sample()
    }

    fn lookup(s: &Samples1d, x: f32) -> f32 {
        let i = s.train_x.iter().position(|&t| (t - x).abs() < 1e-6).expect("x sampled");
        s.train_y[i]
    }

    #[test]
    fn the_users_points_are_split_by_the_seed_and_keep_their_order() {
        let points = UserPoints::new((0..10).map(|i| [i as f32 / 10.0, (i * i) as f32 / 100.0]).collect());
        let split = |test_fraction: f64, seed: u64| {
            Dataset1d { target: Target1d::Points(points.clone()), points: 200, noise: 0.5, test_fraction, seed }.sample()
        };
        // Everything trains at a test share of 0, exactly as given (no noise, no resampling).
        let all = split(0.0, 1);
        assert_eq!(all.train_x, (0..10).map(|i| i as f32 / 10.0).collect::<Vec<_>>());
        assert_eq!(all.train_y[3], 0.09);
        assert!(all.test_x.is_empty() && all.clean.is_empty());
        assert_eq!((all.x_range, all.y_range), ((-1.0, 1.0), Some((-1.0, 1.0))));
        // 30 %: three test points, the same for the same seed, each side in the user's order.
        let a = split(0.3, 1);
        assert_eq!((a.train_x.len(), a.test_x.len()), (7, 3));
        assert_eq!(a, split(0.3, 1));
        assert_ne!(a.test_x, split(0.3, 2).test_x);
        assert!(a.train_x.windows(2).all(|w| w[0] < w[1]) && a.test_x.windows(2).all(|w| w[0] < w[1]));
        // One point trains; none is an empty data set, not an error.
        let one = Dataset1d { target: Target1d::Points(UserPoints::new(vec![[0.2, 0.3]])), points: 200, noise: 0.0, test_fraction: 0.9, seed: 1 }.sample();
        assert_eq!((one.train_x.len(), one.test_x.len()), (1, 0));
        let none = Dataset1d { target: Target1d::Points(UserPoints::default()), points: 200, noise: 0.0, test_fraction: 0.3, seed: 1 }.sample();
        assert!(none.train_x.is_empty() && none.test_x.is_empty());
    }

    #[test]
    fn formulas_match_the_notebook() {
        let line = clean(Target1d::Line, 11);
        assert!((lookup(&line, 0.0) - (1.0 / 5.0 - 0.5)).abs() < 1e-6);
        assert!((lookup(&line, 1.0) - 0.5).abs() < 1e-6);
        let line0 = clean(Target1d::Line0, 11);
        assert!((lookup(&line0, 0.0) - 1.0 / 21.0).abs() < 1e-6);
        let elbow = clean(Target1d::Elbow, 5);
        assert_eq!(lookup(&elbow, -1.0), 0.5);
        assert_eq!(lookup(&elbow, 1.0), -0.5);
        let zig = clean(Target1d::Zigzag, 9);
        // x = −1, 0, 1 are peaks, ±0.5 troughs; both axes normalised to [−0.5, 0.5].
        assert_eq!(lookup(&zig, -0.5), 0.5);
        assert_eq!(lookup(&zig, 0.0), 0.5);
        assert_eq!(lookup(&zig, -0.25), -0.5);
        assert_eq!(lookup(&zig, 0.25), -0.5);
        let sq = clean(Target1d::Square, 201);
        assert_eq!(lookup(&sq, -0.5), 0.75);
        assert_eq!(lookup(&sq, 0.5), 0.0);
        let noisy = clean(Target1d::Noisy, 9);
        assert!((lookup(&noisy, 0.5) - 0.5).abs() < 1e-6);
        assert!((lookup(&noisy, 0.25) - 0.65).abs() < 1e-6);
    }

    #[test]
    fn split_is_seeded_and_complete() {
        let d = Dataset1d { target: Target1d::Sine, points: 100, noise: 0.1, test_fraction: 0.3, seed: 5 };
        let a = d.sample();
        assert_eq!(a, d.sample());
        assert_eq!(a.train_x.len(), 70);
        assert_eq!(a.test_x.len(), 30);
        let other = Dataset1d { seed: 6, ..d }.sample();
        assert_ne!(a.train_x, other.train_x);
    }

    #[test]
    fn formula_points_where_undefined_are_dropped() {
        let f = Formula::parse("sqrt(x)").unwrap();
        let s = clean(Target1d::Formula(f), 21);
        assert!(s.train_x.iter().all(|&x| x >= 0.0));
        assert_eq!(s.train_x.len(), 11);
    }
}
