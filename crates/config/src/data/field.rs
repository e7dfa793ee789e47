//! The classic 2-D classification sets of TensorFlow Playground (circle, XOR, two Gaussians,
//! spiral), with the same recipes and noise meaning, scaled from its [−6, 6] square to [−1, 1].
//! Labels are ±1; a network's score is read by its sign.

use rand::seq::SliceRandom;
use rand::Rng;
use rand_distr::{Distribution, Normal};

use crate::rng::{stream, Stream};

pub const NAMES: [&str; 4] = ["circle", "xor", "gauss", "spiral"];

/// TF Playground's coordinates span [−6, 6]; ours span [−1, 1].
const SCALE: f32 = 1.0 / 6.0;

/// One labelled point: x, y in about [−1, 1] and a label of ±1.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Labelled {
    pub x: f32,
    pub y: f32,
    pub label: f32,
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
        _ => "?",
    }
}

/// Draw `points` labelled points of the set `name` with TF Playground's `noise` (0 to 0.5 there),
/// shuffle them and keep `test_fraction` for testing. `None` for an unknown name.
pub fn sample(name: &str, points: usize, noise: f32, test_fraction: f64, seed: u64) -> Option<FieldSamples> {
    let mut rng = stream(seed, Stream::Data);
    let mut all = match name {
        "circle" => circle(points, noise, &mut rng),
        "xor" => xor(points, noise, &mut rng),
        "gauss" => gauss(points, noise, &mut rng),
        "spiral" => spiral(points, noise, &mut rng),
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
            out.push(Labelled { x, y, label: if inside { 1.0 } else { -1.0 } });
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
            Labelled { x, y, label: if (x + nx) * (y + ny) >= 0.0 { 1.0 } else { -1.0 } }
        })
        .collect()
}

fn gauss(n: usize, noise: f32, rng: &mut impl Rng) -> Vec<Labelled> {
    // Noise 0..0.5 maps linearly to a variance of 0.5..4.
    let variance = 0.5 + (noise.clamp(0.0, 0.5) / 0.5) * 3.5;
    let normal = Normal::new(0.0f32, variance.sqrt()).expect("a positive deviation");
    let mut out = Vec::with_capacity(n);
    for (count, (cx, cy, label)) in [(n / 2, (2.0, 2.0, 1.0)), (n - n / 2, (-2.0, -2.0, -1.0))] {
        for _ in 0..count {
            out.push(Labelled { x: cx + normal.sample(rng), y: cy + normal.sample(rng), label });
        }
    }
    out
}

fn spiral(n: usize, noise: f32, rng: &mut impl Rng) -> Vec<Labelled> {
    let mut out = Vec::with_capacity(n);
    for (count, (delta, label)) in [(n / 2, (0.0, 1.0)), (n - n / 2, (std::f32::consts::PI, -1.0))] {
        for i in 0..count {
            let r = i as f32 / count as f32 * 5.0;
            let t = 1.75 * i as f32 / count as f32 * std::f32::consts::TAU + delta;
            let x = r * t.sin() + uniform(rng, -1.0, 1.0) * noise;
            let y = r * t.cos() + uniform(rng, -1.0, 1.0) * noise;
            out.push(Labelled { x, y, label });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_follow_their_recipes() {
        for name in NAMES {
            let s = sample(name, 400, 0.0, 0.5, 3).unwrap();
            assert_eq!((s.train.len(), s.test.len()), (200, 200), "{name}");
            let all: Vec<_> = s.train.iter().chain(&s.test).collect();
            if name != "xor" {
                assert_eq!(all.iter().filter(|p| p.label > 0.0).count(), 200, "{name}: balanced classes");
            }
            match name {
                // Without noise the label is exactly the rule.
                "circle" => assert!(all.iter().all(|p| (p.x.hypot(p.y) < 2.5 / 6.0) == (p.label > 0.0))),
                "xor" => assert!(all.iter().all(|p| (p.x * p.y >= 0.0) == (p.label > 0.0))),
                "gauss" => {
                    let mean_pos: f32 = all.iter().filter(|p| p.label > 0.0).map(|p| p.x).sum::<f32>() / 200.0;
                    assert!((mean_pos - 2.0 / 6.0).abs() < 0.05, "{mean_pos}");
                }
                _ => assert!(all.iter().all(|p| p.x.hypot(p.y) <= 5.0 / 6.0 + 1e-5)),
            }
        }
        assert_eq!(sample("circle", 100, 0.1, 0.5, 9), sample("circle", 100, 0.1, 0.5, 9), "seeded");
        assert_ne!(sample("circle", 100, 0.1, 0.5, 9), sample("circle", 100, 0.1, 0.5, 10));
        assert!(sample("moons", 100, 0.0, 0.5, 1).is_none());
        // Noise flips some circle labels near the rim.
        let noisy = sample("circle", 1000, 0.5, 0.0, 1).unwrap();
        assert!(noisy.train.iter().any(|p| (p.x.hypot(p.y) < 2.5 / 6.0) != (p.label > 0.0)));
    }
}
