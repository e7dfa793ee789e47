//! Coordinates of the 2-D experiments: network input features of a point, and sample grids
//! over a region of the plane (the training pixels, or a zoomed view rendered finer).

/// A rectangle of the plane, `x` along columns and `y` along rows (for pictures the top row is
/// y = −1).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Region {
    pub x0: f32,
    pub x1: f32,
    pub y0: f32,
    pub y1: f32,
}

impl Region {
    pub const FULL: Region = Region { x0: -1.0, x1: 1.0, y0: -1.0, y1: 1.0 };

    pub fn width(&self) -> f32 {
        self.x1 - self.x0
    }

    /// The region `factor` times smaller around (cx, cy), kept inside the full square.
    pub fn zoomed(&self, cx: f32, cy: f32, factor: f32) -> Region {
        let half_w = (self.x1 - self.x0) / factor.max(1e-3) / 2.0;
        let half_h = (self.y1 - self.y0) / factor.max(1e-3) / 2.0;
        let half_w = half_w.clamp(1e-4, 1.0);
        let half_h = half_h.clamp(1e-4, 1.0);
        let cx = cx.clamp(-1.0 + half_w, 1.0 - half_w);
        let cy = cy.clamp(-1.0 + half_h, 1.0 - half_h);
        Region { x0: cx - half_w, x1: cx + half_w, y0: cy - half_h, y1: cy + half_h }
    }

    /// The point at fractions (fx, fy) ∈ [0, 1]² of the region.
    pub fn at(&self, fx: f32, fy: f32) -> (f32, f32) {
        (self.x0 + (self.x1 - self.x0) * fx, self.y0 + (self.y1 - self.y0) * fy)
    }
}

/// Number of network inputs for the plane's features.
pub fn feature_count(rotated: bool) -> usize {
    if rotated {
        4
    } else {
        2
    }
}

/// Append the features of (x, y): the coordinates, plus the two diagonals (x+y)/2 and (x−y)/2
/// when `rotated` (the seed's fixed rotation layer, without its bug that repeats the row).
pub fn push_features(out: &mut Vec<f32>, x: f32, y: f32, rotated: bool) {
    out.extend([x, y]);
    if rotated {
        out.extend([(x + y) / 2.0, (x - y) / 2.0]);
    }
}

/// Features of a `width × height` grid over `region`, row by row, ends included (so the full
/// region at the training size gives exactly the training pixels).
pub fn grid_features(region: Region, width: usize, height: usize, rotated: bool) -> Vec<f32> {
    let frac = |i: usize, n: usize| if n <= 1 { 0.5 } else { i as f32 / (n - 1) as f32 };
    let mut out = Vec::with_capacity(width * height * feature_count(rotated));
    for row in 0..height {
        for col in 0..width {
            let (x, y) = region.at(frac(col, width), frac(row, height));
            push_features(&mut out, x, y, rotated);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids_and_features() {
        let g = grid_features(Region::FULL, 3, 2, true);
        assert_eq!(g.len(), 3 * 2 * 4);
        assert_eq!(&g[..4], &[-1.0, -1.0, -1.0, 0.0]);
        assert_eq!(&g[g.len() - 4..], &[1.0, 1.0, 1.0, 0.0]);
        assert_eq!(&grid_features(Region::FULL, 2, 1, false), &[-1.0, 0.0, 1.0, 0.0]);
        let z = Region::FULL.zoomed(0.9, 0.0, 4.0);
        assert!((z.width() - 0.5).abs() < 1e-6 && z.x1 <= 1.0 && (z.x1 - 1.0).abs() < 1e-6, "{z:?}: kept inside");
    }
}
