//! The 2-D classification sets: TensorFlow Playground's four (circle, XOR, two Gaussians, spiral),
//! with the same recipes and noise meaning, scaled from its [−6, 6] square to [−1, 1], and two of
//! several classes (a three-arm spiral, Gaussian blobs around k centres). Points carry a class
//! number from 0; the two-class sets' class 1 is TF Playground's +1 (blue), class 0 its −1.

use rand::seq::SliceRandom;
use rand::Rng;
use rand_distr::{Distribution, Normal};

use crate::rng::{stream, Stream};

pub const NAMES: [&str; 7] = ["circle", "xor", "gauss", "spiral", "spiral3", "blobs", "points"];

/// The most classes a data set may have (blobs, uploads).
pub const MAX_CLASSES: usize = 10;

/// TF Playground's coordinates span [−6, 6]; ours span [−1, 1].
const SCALE: f32 = 1.0 / 6.0;

/// One labelled point: x, y in about [−1, 1] and its class.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Labelled {
    pub x: f32,
    pub y: f32,
    pub class: u32,
}

impl Labelled {
    /// The ±1 target of a two-class point scored by one output (class 1 → +1, class 0 → −1).
    pub fn sign(&self) -> f32 {
        if self.class == 1 { 1.0 } else { -1.0 }
    }
}

/// The number of classes of a data set (`classes`: what the user chose for the blobs).
pub fn class_count(name: &str, classes: usize) -> usize {
    match name {
        "spiral3" => 3,
        "blobs" => classes.clamp(2, MAX_CLASSES),
        _ => 2,
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldSamples {
    pub train: Vec<Labelled>,
    pub test: Vec<Labelled>,
}

pub fn label_of(name: &str) -> &'static str {
    match name {
        "circle" => "Circle (inside vs ring)",
        "xor" => "XOR (quadrants)",
        "gauss" => "Two Gaussians",
        "spiral" => "Spiral",
        "spiral3" => "Three-arm spiral (3 classes)",
        "blobs" => "Gaussian blobs (k classes)",
        "points" => "Your points",
        _ => "?",
    }
}

/// Draw `points` labelled points of the set `name` with TF Playground's `noise` (0 to 0.5 there),
/// shuffle them and keep `test_fraction` for testing; `classes` is the blobs' count. `None` for an
/// unknown name.
pub fn sample(name: &str, points: usize, noise: f32, test_fraction: f64, seed: u64, classes: usize) -> Option<FieldSamples> {
    let mut rng = stream(seed, Stream::Data);
    let mut all = match name {
        "circle" => circle(points, noise, &mut rng),
        "xor" => xor(points, noise, &mut rng),
        "gauss" => gauss(points, noise, &mut rng),
        // Arm 0 is class 1 (+1), as in TF Playground, which draws the positive arm first.
        "spiral" => arms(points, noise, &[(0.0, 1), (std::f32::consts::PI, 0)], &mut rng),
        "spiral3" => {
            let third = std::f32::consts::TAU / 3.0;
            arms(points, noise, &[(0.0, 0), (third, 1), (2.0 * third, 2)], &mut rng)
        }
        "blobs" => blobs(points, noise, class_count(name, classes), &mut rng),
        // "points" (the user's own) are not sampled: see `Experiment::field_samples`.
        _ => return None,
    };
    for p in &mut all {
        p.x *= SCALE;
        p.y *= SCALE;
    }
    all.shuffle(&mut rng);
    let n_test = ((all.len() as f64 * test_fraction).round() as usize).min(all.len().saturating_sub(1));
    let test = all.split_off(all.len() - n_test);
    Some(FieldSamples { train: all, test })
}

fn uniform(rng: &mut impl Rng, lo: f32, hi: f32) -> f32 {
    rng.random_range(lo..=hi)
}

fn circle(n: usize, noise: f32, rng: &mut impl Rng) -> Vec<Labelled> {
    let radius = 5.0;
    let mut out = Vec::with_capacity(n);
    // Positives inside half the radius, negatives in the ring 0.7..1 radius; noise moves the point
    // that decides the label, not the drawn point (as TF Playground does).
    for (count, (r_lo, r_hi)) in [(n / 2, (0.0, radius * 0.5)), (n - n / 2, (radius * 0.7, radius))] {
        for _ in 0..count {
            let r = uniform(rng, r_lo, r_hi);
            let angle = uniform(rng, 0.0, std::f32::consts::TAU);
            let (x, y) = (r * angle.sin(), r * angle.cos());
            let nx = uniform(rng, -radius, radius) * noise;
            let ny = uniform(rng, -radius, radius) * noise;
            let inside = ((x + nx).powi(2) + (y + ny).powi(2)).sqrt() < radius * 0.5;
            out.push(Labelled { x, y, class: u32::from(inside) });
        }
    }
    out
}

fn xor(n: usize, noise: f32, rng: &mut impl Rng) -> Vec<Labelled> {
    let pad = |v: f32| if v > 0.0 { v + 0.3 } else { v - 0.3 };
    (0..n)
        .map(|_| {
            let x = pad(uniform(rng, -5.0, 5.0));
            let y = pad(uniform(rng, -5.0, 5.0));
            let nx = uniform(rng, -5.0, 5.0) * noise;
            let ny = uniform(rng, -5.0, 5.0) * noise;
            Labelled { x, y, class: u32::from((x + nx) * (y + ny) >= 0.0) }
        })
        .collect()
}

fn gauss(n: usize, noise: f32, rng: &mut impl Rng) -> Vec<Labelled> {
    // Noise 0..0.5 maps linearly to a variance of 0.5..4.
    let variance = 0.5 + (noise.clamp(0.0, 0.5) / 0.5) * 3.5;
    let normal = Normal::new(0.0f32, variance.sqrt()).expect("a positive deviation");
    let mut out = Vec::with_capacity(n);
    for (count, (cx, cy, class)) in [(n / 2, (2.0, 2.0, 1)), (n - n / 2, (-2.0, -2.0, 0))] {
        for _ in 0..count {
            out.push(Labelled { x: cx + normal.sample(rng), y: cy + normal.sample(rng), class });
        }
    }
    out
}

/// `k` Gaussian blobs (class c around the c-th of k centres on a circle of radius 3.5), as many
/// points each as the count allows; noise 0..0.5 widens them from a variance of 0.3 to 2.
fn blobs(n: usize, noise: f32, k: usize, rng: &mut impl Rng) -> Vec<Labelled> {
    let variance = 0.3 + (noise.clamp(0.0, 0.5) / 0.5) * 1.7;
    let normal = Normal::new(0.0f32, variance.sqrt()).expect("a positive deviation");
    let mut out = Vec::with_capacity(n);
    for c in 0..k {
        let angle = std::f32::consts::TAU * c as f32 / k as f32 + std::f32::consts::FRAC_PI_4;
        let (cx, cy) = (3.5 * angle.cos(), 3.5 * angle.sin());
        for _ in share(n, k, c) {
            out.push(Labelled { x: cx + normal.sample(rng), y: cy + normal.sample(rng), class: c as u32 });
        }
    }
    out
}

/// The indices of part `i` of `n` items cut into `k` nearly equal parts.
fn share(n: usize, k: usize, i: usize) -> std::ops::Range<usize> {
    n * i / k..n * (i + 1) / k
}

/// Spiral arms, one per (turn offset, class), TF Playground's recipe (1.75 turns out to radius 5).
fn arms(n: usize, noise: f32, arms: &[(f32, u32)], rng: &mut impl Rng) -> Vec<Labelled> {
    let mut out = Vec::with_capacity(n);
    for (a, &(delta, class)) in arms.iter().enumerate() {
        let count = share(n, arms.len(), a).len();
        for i in 0..count {
            let r = i as f32 / count as f32 * 5.0;
            let t = 1.75 * i as f32 / count as f32 * std::f32::consts::TAU + delta;
            let x = r * t.sin() + uniform(rng, -1.0, 1.0) * noise;
            let y = r * t.cos() + uniform(rng, -1.0, 1.0) * noise;
            out.push(Labelled { x, y, class });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_follow_their_recipes() {
        for name in NAMES.into_iter().filter(|n| class_count(n, 4) == 2 && *n != "points") {
            let s = sample(name, 400, 0.0, 0.5, 3, 2).unwrap();
            assert_eq!((s.train.len(), s.test.len()), (200, 200), "{name}");
            let all: Vec<_> = s.train.iter().chain(&s.test).collect();
            if name != "xor" {
                assert_eq!(all.iter().filter(|p| p.class == 1).count(), 200, "{name}: balanced classes");
            }
            match name {
                // Without noise the label is exactly the rule.
                "circle" => assert!(all.iter().all(|p| (p.x.hypot(p.y) < 2.5 / 6.0) == (p.class == 1))),
                "xor" => assert!(all.iter().all(|p| (p.x * p.y >= 0.0) == (p.class == 1))),
                "gauss" => {
                    let mean_pos: f32 = all.iter().filter(|p| p.class == 1).map(|p| p.x).sum::<f32>() / 200.0;
                    assert!((mean_pos - 2.0 / 6.0).abs() < 0.05, "{mean_pos}");
                }
                _ => assert!(all.iter().all(|p| p.x.hypot(p.y) <= 5.0 / 6.0 + 1e-5)),
            }
        }
        assert_eq!(sample("circle", 100, 0.1, 0.5, 9, 2), sample("circle", 100, 0.1, 0.5, 9, 2), "seeded");
        assert_ne!(sample("circle", 100, 0.1, 0.5, 9, 2), sample("circle", 100, 0.1, 0.5, 10, 2));
        assert!(sample("moons", 100, 0.0, 0.5, 1, 2).is_none());
        // Noise flips some circle labels near the rim.
        let noisy = sample("circle", 1000, 0.5, 0.0, 1, 2).unwrap();
        assert!(noisy.train.iter().any(|p| (p.x.hypot(p.y) < 2.5 / 6.0) != (p.class == 1)));
    }

    #[test]
    fn sets_of_several_classes_are_balanced_and_separated() {
        let s = sample("spiral3", 301, 0.0, 0.0, 2, 2).unwrap();
        let count = |c: u32| s.train.iter().filter(|p| p.class == c).count();
        assert_eq!((count(0), count(1), count(2)), (100, 100, 101));
        assert!(s.train.iter().all(|p| p.x.hypot(p.y) <= 5.0 / 6.0 + 1e-5));
        for k in [2, 3, 5, MAX_CLASSES] {
            let b = sample("blobs", 1000, 0.0, 0.0, 4, k).unwrap();
            assert_eq!(class_count("blobs", k), k);
            for c in 0..k as u32 {
                let mine: Vec<_> = b.train.iter().filter(|p| p.class == c).collect();
                assert!(mine.len() >= 1000 / k, "{k} blobs: class {c} has {}", mine.len());
                // Each blob sits around its own centre.
                let (mx, my) = (mine.iter().map(|p| p.x).sum::<f32>() / mine.len() as f32, mine.iter().map(|p| p.y).sum::<f32>() / mine.len() as f32);
                let angle = std::f32::consts::TAU * c as f32 / k as f32 + std::f32::consts::FRAC_PI_4;
                assert!((mx - 3.5 / 6.0 * angle.cos()).abs() < 0.06 && (my - 3.5 / 6.0 * angle.sin()).abs() < 0.06, "{k}: {c} at {mx}, {my}");
            }
        }
        assert_eq!(class_count("blobs", 99), MAX_CLASSES);
        assert_eq!(class_count("circle", 7), 2);
        assert_eq!(Labelled { x: 0.0, y: 0.0, class: 1 }.sign(), 1.0);
        assert_eq!(Labelled { x: 0.0, y: 0.0, class: 0 }.sign(), -1.0);
    }
}
