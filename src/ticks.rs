//! Axis ticks for the page's plots: round values ("nice numbers": 1, 2 or 5 × a power of ten) and
//! labels that stay distinct (15,000 and 20,000 must not both read "2e4"). Pure arithmetic, so it
//! is tested natively although only the page draws with it.

/// About `target` round values covering [lo, hi].
pub fn ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let span = hi - lo;
    if !(span > 0.0) || !span.is_finite() {
        return vec![lo];
    }
    let raw = span / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// Ticks with their labels, each label as short as it can be while no two are equal.
pub fn labelled_ticks(lo: f64, hi: f64, target: usize) -> Vec<(f64, String)> {
    let values = ticks(lo, hi, target);
    let labels = labels(&values);
    values.into_iter().zip(labels).collect()
}

/// Labels for `values`: the fewest digits with which every label reads back as its value (so
/// distinct ticks never share a label, and 15,000 never reads "2e4").
pub fn labels(values: &[f64]) -> Vec<String> {
    let with = |digits: usize| values.iter().map(|&v| label(v, digits)).collect::<Vec<_>>();
    let exact = |labels: &[String]| {
        labels.iter().zip(values).all(|(l, v)| l.parse::<f64>().is_ok_and(|back| (back - v).abs() <= 1e-9 * v.abs().max(1e-300)))
    };
    (0..6).map(with).find(|l| exact(l)).unwrap_or_else(|| with(6))
}

/// Large and tiny values in exponent form with `digits` decimals of mantissa (trailing zeros
/// dropped), others as plain decimals.
fn label(v: f64, digits: usize) -> String {
    if v == 0.0 {
        return "0".into();
    }
    if v.abs() >= 1e4 || v.abs() < 1e-3 {
        let s = format!("{v:.digits$e}");
        let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = if mantissa.contains('.') { mantissa.trim_end_matches('0').trim_end_matches('.') } else { mantissa };
        return format!("{mantissa}e{exponent}");
    }
    let s = format!("{v:.*}", digits.max(3));
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks() {
        assert_eq!(ticks(0.0, 10.0, 5), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(ticks(-1.0, 1.0, 4), vec![-1.0, -0.5, 0.0, 0.5, 1.0]);
        assert_eq!(ticks(3.0, 3.0, 4), vec![3.0], "an empty range has one tick");
    }

    #[test]
    fn labels_are_short_and_never_repeat() {
        assert_eq!(labels(&[0.0, 0.5, 1.0, 2.5]), vec!["0", "0.5", "1", "2.5"]);
        assert_eq!(labels(&[0.0, 10_000.0, 20_000.0]), vec!["0", "1e4", "2e4"]);
        // The loss axis past 15,000 steps once read "2e4 2e4".
        let steps: Vec<String> = labelled_ticks(0.0, 17_500.0, 6).into_iter().map(|(_, l)| l).collect();
        assert_eq!(steps, vec!["0", "5000", "1e4", "1.5e4"]);
        assert_eq!(labels(&[1.25e-4, 2.5e-4]), vec!["1.25e-4", "2.5e-4"]);
        for (lo, hi) in [(0.0, 15_000.0), (0.0, 123_456.0), (1e-5, 9e-5), (0.0, 1e6)] {
            let labels: Vec<String> = labelled_ticks(lo, hi, 6).into_iter().map(|(_, l)| l).collect();
            let mut unique = labels.clone();
            unique.dedup();
            assert_eq!(unique, labels, "{lo}..{hi}: {labels:?}");
        }
    }
}
