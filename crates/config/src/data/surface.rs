//! The 2-D regression sets: TensorFlow Playground's two (a tilted plane and six Gaussian bumps),
//! with its recipes and noise meaning scaled from its [−6, 6] square to [−1, 1], and a surface
//! f(x, y) typed by the user. Points are uniform over the square; the value is the target there.

use rand::seq::SliceRandom;
use rand::Rng;

use super::formula::Formula;
use crate::rng::{stream, Stream};

pub const NAMES: [&str; 3] = ["plane", "gaussians", "formula"];

/// One point with its target value.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Valued {
    pub x: f32,
    pub y: f32,
    pub value: f32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SurfaceSamples {
    pub train: Vec<Valued>,
    pub test: Vec<Valued>,
}

pub fn label_of(name: &str) -> &'static str {
    match name {
        "plane" => "Plane (x + y)",
        "gaussians" => "Six Gaussian bumps",
        _ => "Your formula f(x, y)",
    }
}

/// A surface over [−1, 1]²: a named recipe, or a formula.
#[derive(Clone, Debug, PartialEq)]
pub enum Surface {
    Plane,
    Gaussians,
    Formula(Formula),
}

/// TF Playground's bumps in its own coordinates: centre and sign.
const BUMPS: [(f64, f64, f64); 6] = [(-4.0, 2.5, 1.0), (0.0, 2.5, -1.0), (4.0, 2.5, 1.0), (-4.0, -2.5, -1.0), (0.0, -2.5, 1.0), (4.0, -2.5, -1.0)];

impl Surface {
    /// The surface a data set's name (and the typed formula) stands for.
    pub fn of(name: &str, formula: &str) -> Result<Surface, String> {
        match name {
            "plane" => Ok(Surface::Plane),
            "gaussians" => Ok(Surface::Gaussians),
            _ => Formula::parse_xy(formula).map(Surface::Formula),
        }
    }

    /// The value at (x, y) of the square [−1, 1]², or `None` where a formula is undefined.
    pub fn value(&self, x: f64, y: f64) -> Option<f64> {
        // TF Playground's coordinates.
        let (tx, ty) = (6.0 * x, 6.0 * y);
        match self {
            // Its plane: (x + y) mapped from [−10, 10] to [−1, 1].
            Surface::Plane => Some((tx + ty) / 10.0),
            // Its bumps: the strongest of six signed Gaussians, each 1 − distance/2 clamped to [0, 1].
            Surface::Gaussians => Some(BUMPS.iter().fold(0.0, |best: f64, &(cx, cy, sign)| {
                let v = sign * (1.0 - (tx - cx).hypot(ty - cy) / 2.0).clamp(0.0, 1.0);
                if v.abs() > best.abs() { v } else { best }
            })),
            Surface::Formula(f) => f.eval_xy(x, y),
        }
    }

    /// `points` uniform points with their values (noise as TF Playground's: the point the value
    /// is taken at moves by up to `noise` × the square's half-width), shuffled, `test_fraction`
    /// held out. Points where a formula is undefined are left out.
    pub fn sample(&self, points: usize, noise: f64, test_fraction: f64, seed: u64) -> SurfaceSamples {
        let mut rng = stream(seed, Stream::Data);
        let mut all = Vec::with_capacity(points);
        for _ in 0..points {
            let (x, y) = (rng.random_range(-1.0..=1.0f64), rng.random_range(-1.0..=1.0f64));
            let (nx, ny) = (rng.random_range(-1.0..=1.0) * noise, rng.random_range(-1.0..=1.0) * noise);
            if let Some(v) = self.value(x + nx, y + ny) {
                all.push(Valued { x: x as f32, y: y as f32, value: v as f32 });
            }
        }
        all.shuffle(&mut rng);
        let n_test = ((all.len() as f64 * test_fraction.clamp(0.0, 0.9)).round() as usize).min(all.len().saturating_sub(1));
        let test = all.split_off(all.len() - n_test);
        SurfaceSamples { train: all, test }
    }

    /// Values on a `grid` × `grid` lattice over the square, row by row from y = −1 (NaN where a
    /// formula is undefined).
    pub fn grid(&self, grid: usize) -> Vec<f32> {
        let at = |i: usize| -1.0 + 2.0 * i as f64 / (grid.max(2) - 1) as f64;
        (0..grid).flat_map(|r| (0..grid).map(move |c| (at(c), at(r)))).map(|(x, y)| self.value(x, y).map_or(f32::NAN, |v| v as f32)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipes_follow_tf_playground() {
        let plane = Surface::of("plane", "").unwrap();
        assert_eq!(plane.value(1.0, 1.0), Some(1.2));
        assert_eq!(plane.value(-0.5, 0.5), Some(0.0));
        let bumps = Surface::of("gaussians", "").unwrap();
        // On a bump's centre: its sign; far from all: 0.
        assert_eq!(bumps.value(-4.0 / 6.0, 2.5 / 6.0), Some(1.0));
        assert_eq!(bumps.value(0.0, 2.5 / 6.0), Some(-1.0));
        assert_eq!(bumps.value(0.0, 0.0), Some(0.0));
        let f = Surface::of("formula", "x*y").unwrap();
        assert_eq!(f.value(0.5, -0.5), Some(-0.25));
        assert!(Surface::of("formula", "x*z").is_err());
        let s = plane.sample(200, 0.0, 0.5, 3);
        assert_eq!((s.train.len(), s.test.len()), (100, 100));
        assert!(s.train.iter().all(|p| (p.value - 6.0 * (p.x + p.y) / 10.0).abs() < 1e-5));
        assert_eq!(s, plane.sample(200, 0.0, 0.5, 3));
        assert_ne!(s, plane.sample(200, 0.0, 0.5, 4));
        // Noise moves where the value is read.
        let noisy = plane.sample(200, 0.3, 0.0, 3);
        assert!(noisy.train.iter().any(|p| (p.value - 6.0 * (p.x + p.y) / 10.0).abs() > 0.1));
        let g = bumps.grid(5);
        assert_eq!(g.len(), 25);
        assert_eq!(g[12], 0.0, "the centre");
        // Undefined points are left out of the samples and NaN on the grid.
        let half = Surface::of("formula", "sqrt(x)").unwrap();
        assert!(half.sample(100, 0.0, 0.0, 1).train.iter().all(|p| p.x >= 0.0));
        assert!(half.grid(3)[0].is_nan());
    }
}
