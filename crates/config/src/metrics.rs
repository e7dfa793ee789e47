//! Quality numbers shown to the user: PSNR for pictures, accuracy for classification fields.

/// Peak signal-to-noise ratio in dB of a mean squared error, for signals whose full range is
/// `peak_to_peak` (2 for our pictures, whose channels live in [−1, 1]; 1 for [0, 1]). The same
/// picture gives the same dB whichever of the two scales it was computed on.
pub fn psnr_db(mse: f64, peak_to_peak: f64) -> f64 {
    10.0 * (peak_to_peak * peak_to_peak / mse.max(1e-12)).log10()
}

/// Mean squared error of two equally long slices (0 for empty ones).
pub fn mse(a: &[f32], b: &[f32]) -> f64 {
    if a.is_empty() {
        return 0.0;
    }
    a.iter().zip(b).map(|(x, y)| ((x - y) as f64).powi(2)).sum::<f64>() / a.len().min(b.len()) as f64
}

/// The class each row of network outputs (`per_row` numbers each) names: with one output, the
/// sign of a ±1 score (positive → class 1, zero or negative → class 0); with several, the largest
/// (the first of equals).
pub fn predicted_classes(outputs: &[f32], per_row: usize) -> Vec<u32> {
    if per_row <= 1 {
        return outputs.iter().map(|s| u32::from(*s > 0.0)).collect();
    }
    outputs
        .chunks_exact(per_row)
        .map(|row| row.iter().enumerate().fold((0, f32::NEG_INFINITY), |best, (c, &v)| if v > best.1 { (c, v) } else { best }).0 as u32)
        .collect()
}

/// Share of points whose predicted class is their class, in [0, 1] (0 for none).
pub fn accuracy(predicted: &[u32], classes: &[u32]) -> f64 {
    if predicted.is_empty() {
        return 0.0;
    }
    predicted.iter().zip(classes).filter(|(p, c)| p == c).count() as f64 / predicted.len() as f64
}

/// For each of `k` classes, the share of its points predicted right (`None`: no point of it).
pub fn class_accuracy(predicted: &[u32], classes: &[u32], k: usize) -> Vec<Option<f64>> {
    (0..k as u32)
        .map(|c| {
            let mine: Vec<bool> = predicted.iter().zip(classes).filter(|(_, t)| **t == c).map(|(p, t)| p == t).collect();
            (!mine.is_empty()).then(|| mine.iter().filter(|r| **r).count() as f64 / mine.len() as f64)
        })
        .collect()
}

/// Mean softmax cross-entropy (natural log) of rows of `logits` against their classes, computed
/// in f64 with the log-sum-exp shift (0 for no rows).
pub fn cross_entropy(logits: &[f32], per_row: usize, classes: &[u32]) -> f64 {
    let rows: Vec<&[f32]> = logits.chunks_exact(per_row.max(1)).collect();
    if rows.is_empty() {
        return 0.0;
    }
    let total: f64 = rows
        .iter()
        .zip(classes)
        .map(|(row, &c)| {
            let max = row.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v as f64));
            let log_sum = max + row.iter().map(|&v| (v as f64 - max).exp()).sum::<f64>().ln();
            log_sum - row.get(c as usize).map_or(f64::NAN, |&v| v as f64)
        })
        .sum();
    total / rows.len() as f64
}

/// Softmax probabilities of one row of logits (f32; the largest is shifted to 0 first).
pub fn softmax(row: &[f32]) -> Vec<f32> {
    let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
    let exps: Vec<f32> = row.iter().map(|&v| (v - max).exp()).collect();
    let sum: f32 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psnr_matches_hand_computed_values() {
        // [0, 1] images: an error of 0.1 everywhere is MSE 0.01 → 10·log10(1/0.01) = 20 dB.
        assert!((psnr_db(0.01, 1.0) - 20.0).abs() < 1e-9);
        // The same picture on the [−1, 1] scale: errors double, MSE ×4, peak ×2 → still 20 dB.
        assert!((psnr_db(0.04, 2.0) - 20.0).abs() < 1e-9);
        // 8-bit convention: MSE of 1 grey level² on a 0..255 scale is 48.13 dB.
        assert!((psnr_db(1.0, 255.0) - 48.1308).abs() < 1e-3);
        // A perfect fit does not give infinity.
        assert!(psnr_db(0.0, 1.0).is_finite());
        assert!((mse(&[0.0, 1.0, 2.0], &[0.0, 0.0, 0.0]) - 5.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn accuracy_counts_the_named_class() {
        // One ±1 score: its sign; zero is class 0.
        let signs = predicted_classes(&[0.3, -0.2, 0.9, -0.1, 0.0], 1);
        assert_eq!(signs, vec![1, 0, 1, 0, 0]);
        assert_eq!(accuracy(&signs[..4], &[1, 0, 0, 1]), 0.5);
        assert_eq!(accuracy(&[], &[]), 0.0);
        // Several outputs: the largest, the first of equals.
        let argmax = predicted_classes(&[0.1, 0.7, 0.2, 3.0, -1.0, 0.0, 0.5, 0.5, 0.1], 3);
        assert_eq!(argmax, vec![1, 0, 0]);
        let per = class_accuracy(&[0, 0, 1, 2, 2], &[0, 1, 1, 2, 2], 4);
        assert_eq!(per, vec![Some(1.0), Some(0.5), Some(1.0), None]);
    }

    #[test]
    fn cross_entropy_matches_hand_values() {
        // Equal logits over 4 classes: ln 4 whatever the class.
        assert!((cross_entropy(&[0.0; 8], 4, &[0, 3]) - 4f64.ln()).abs() < 1e-12);
        // logits (2, 0): p(class 0) = e²/(e²+1); −ln of it = ln(1 + e⁻²).
        let want = (1.0 + (-2f64).exp()).ln();
        assert!((cross_entropy(&[2.0, 0.0], 2, &[0]) - want).abs() < 1e-9);
        assert!((cross_entropy(&[2.0, 0.0], 2, &[1]) - (want + 2.0)).abs() < 1e-9);
        // Huge logits do not overflow.
        assert!((cross_entropy(&[1000.0, 0.0], 2, &[0])).abs() < 1e-9);
        assert!((cross_entropy(&[1000.0, 0.0], 2, &[1]) - 1000.0).abs() < 1e-9);
        let p = softmax(&[1000.0, 1000.0, -1000.0]);
        assert!((p[0] - 0.5).abs() < 1e-6 && (p[1] - 0.5).abs() < 1e-6 && p[2] == 0.0);
    }
}
