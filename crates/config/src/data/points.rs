//! The user's own 1-D points (`dataset=points`): drawn on the plot, pasted or uploaded as CSV.
//!
//! They are part of the experiment, so a run on them replays like any other: the same points in
//! the same order with the same data seed give the same train/test split. A share link carries up
//! to `LINK_POINTS` of them (`pts=x_y*x_y…`, each number the shortest text that reads back to the
//! same f32); larger sets travel to the engine but not in the address bar.

use std::sync::Arc;

/// The most points a share link carries.
pub const LINK_POINTS: usize = 64;
/// The most points a data set may have (drawn, pasted or uploaded).
pub const MAX_POINTS: usize = 20_000;

/// Separates x from y in the link's text, and one point from the next (characters a link value
/// keeps as they are, unlike `,` and `;`).
const XY: char = '_';
const NEXT: char = '*';

/// The user's points in the order they were given; shared, so copying an experiment is cheap.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UserPoints(Arc<Vec<[f32; 2]>>);

impl UserPoints {
    /// Keeps the first `MAX_POINTS` finite points (a caller that can say why refuses more before).
    pub fn new(mut points: Vec<[f32; 2]>) -> UserPoints {
        points.retain(|p| p[0].is_finite() && p[1].is_finite());
        points.truncate(MAX_POINTS);
        UserPoints(Arc::new(points))
    }

    pub fn as_slice(&self) -> &[[f32; 2]] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// These points and `p` (ignored when the set is full or `p` is not finite).
    pub fn with(&self, p: [f32; 2]) -> UserPoints {
        let mut v = self.0.to_vec();
        v.push(p);
        UserPoints::new(v)
    }

    /// These points with point `i` moved to `p`.
    pub fn moved(&self, i: usize, p: [f32; 2]) -> UserPoints {
        let mut v = self.0.to_vec();
        if let Some(q) = v.get_mut(i) {
            *q = p;
        }
        UserPoints::new(v)
    }

    /// These points without point `i`.
    pub fn without(&self, i: usize) -> UserPoints {
        let mut v = self.0.to_vec();
        if i < v.len() {
            v.remove(i);
        }
        UserPoints::new(v)
    }

    /// Whether a share link can carry them.
    pub fn fit_in_link(&self) -> bool {
        self.len() <= LINK_POINTS
    }

    /// The link's text: `x_y*x_y…` (empty for no points).
    pub fn to_text(&self) -> String {
        let pair = |p: &[f32; 2]| format!("{}{XY}{}", p[0], p[1]);
        self.0.iter().map(pair).collect::<Vec<_>>().join(&NEXT.to_string())
    }

    /// Points from the link's text; a malformed or non-finite point is skipped and counted.
    pub fn parse(text: &str) -> (UserPoints, usize) {
        let mut bad = 0;
        let mut points = Vec::new();
        for item in text.split(NEXT).filter(|s| !s.is_empty()) {
            let parsed = item.split_once(XY).and_then(|(x, y)| Some([x.parse::<f32>().ok()?, y.parse::<f32>().ok()?]));
            match parsed.filter(|p| p[0].is_finite() && p[1].is_finite()) {
                Some(p) if points.len() < MAX_POINTS => points.push(p),
                _ => bad += 1,
            }
        }
        (UserPoints::new(points), bad)
    }

    /// The canvas the points are drawn on and the network's input domain: on each axis [−1, 1],
    /// unless the points reach beyond it, then their own range with a margin. So drawing keeps a
    /// fixed canvas, and uploaded data in any units are shown and fitted where they lie.
    pub fn frame(&self) -> ((f32, f32), (f32, f32)) {
        let axis = |i: usize| {
            let (lo, hi) = self.0.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), p| (lo.min(p[i]), hi.max(p[i])));
            if !(lo.is_finite() && hi.is_finite()) || (lo >= -1.0 && hi <= 1.0) {
                return (-1.0, 1.0);
            }
            let margin = if hi > lo { (hi - lo) * 0.05 } else { (hi.abs() * 0.05).max(0.05) };
            (lo - margin, hi + margin)
        };
        (axis(0), axis(1))
    }
}

/// A coordinate picked on a plot whose axis spans `span`, rounded to three significant digits of
/// the span (0.001 on the [−1, 1] canvas): a click has no more precision than that, and the
/// rounded number reads back from the link exactly.
pub fn snap(value: f32, span: f32) -> f32 {
    if !(value.is_finite() && span.is_finite() && span > 0.0) {
        return value;
    }
    let quantum = 10f64.powf((span as f64 / 1000.0).log10().floor());
    let snapped = ((value as f64 / quantum).round() * quantum) as f32;
    // Through text, so that the f32 is the one its shortest decimal spelling reads back as.
    format!("{snapped:.*}", (-quantum.log10()).max(0.0) as usize).parse().unwrap_or(snapped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_text_reads_back_exactly() {
        let p = UserPoints::new(vec![[0.1, -0.5], [1.0 / 3.0, 2.5e-7], [-1.0, 1.0], [1234.5, -0.0]]);
        let (back, bad) = UserPoints::parse(&p.to_text());
        assert_eq!((back, bad), (p, 0));
        assert_eq!(UserPoints::new(vec![[0.1, -0.5], [0.25, 0.0]]).to_text(), "0.1_-0.5*0.25_0");
        assert_eq!(UserPoints::parse(""), (UserPoints::default(), 0));
        let (some, bad) = UserPoints::parse("0.1_0.2*x_1*NaN_3*inf_1*5*0.3_0.4_9**");
        assert_eq!((some.as_slice(), bad), (&[[0.1, 0.2]][..], 5));
    }

    #[test]
    fn edits_keep_the_order_and_the_limits() {
        let p = UserPoints::default().with([0.0, 0.0]).with([0.5, 0.5]).with([f32::NAN, 1.0]);
        assert_eq!(p.as_slice(), &[[0.0, 0.0], [0.5, 0.5]]);
        assert_eq!(p.moved(0, [0.2, 0.1]).as_slice(), &[[0.2, 0.1], [0.5, 0.5]]);
        assert_eq!(p.without(0).as_slice(), &[[0.5, 0.5]]);
        assert_eq!(p.without(9), p);
        let full = UserPoints::new(vec![[0.0, 0.0]; MAX_POINTS + 5]);
        assert_eq!(full.len(), MAX_POINTS);
        assert_eq!(full.with([1.0, 1.0]).len(), MAX_POINTS);
        assert!(!full.fit_in_link() && p.fit_in_link());
    }

    #[test]
    fn the_frame_is_the_unit_canvas_unless_the_data_leave_it() {
        assert_eq!(UserPoints::default().frame(), ((-1.0, 1.0), (-1.0, 1.0)));
        assert_eq!(UserPoints::new(vec![[0.3, 0.3]]).frame(), ((-1.0, 1.0), (-1.0, 1.0)));
        let years = UserPoints::new(vec![[1990.0, 0.5], [2020.0, 0.7]]);
        let ((x0, x1), y) = years.frame();
        assert!(x0 < 1990.0 && x0 > 1988.0 && x1 > 2020.0 && x1 < 2022.0, "{x0} {x1}");
        assert_eq!(y, (-1.0, 1.0));
        // One value beyond the canvas: its own range with a margin, never an empty interval.
        let (_, (y0, y1)) = UserPoints::new(vec![[0.0, 5.0]]).frame();
        assert!(y0 < 5.0 && y1 > 5.0);
    }

    #[test]
    fn snapping_keeps_three_digits_of_the_span_and_reads_back() {
        assert_eq!(snap(0.123456, 2.0), 0.123);
        assert_eq!(snap(-0.98765, 2.0), -0.988);
        assert_eq!(snap(2005.37, 32.0), 2005.37);
        assert_eq!(snap(2005.376, 32.0), 2005.38);
        assert_eq!(snap(12345.6, 20000.0), 12350.0);
        for v in [0.1f32, 0.7, -0.35, 0.999] {
            let s = snap(v * 0.99991, 2.0);
            assert_eq!(s.to_string().parse::<f32>().unwrap(), s);
            assert!(s.to_string().len() <= 6, "{s}");
        }
    }
}
