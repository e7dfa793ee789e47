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

/// Share of scores whose sign matches the ±1 label (a score of exactly 0 counts as wrong), in [0, 1].
pub fn accuracy(scores: &[f32], labels: &[f32]) -> f64 {
    if scores.is_empty() {
        return 0.0;
    }
    let right = scores.iter().zip(labels).filter(|(s, l)| **s * **l > 0.0).count();
    right as f64 / scores.len() as f64
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
    fn accuracy_counts_sign_agreement() {
        assert_eq!(accuracy(&[0.3, -0.2, 0.9, -0.1], &[1.0, -1.0, -1.0, 1.0]), 0.5);
        assert_eq!(accuracy(&[0.0], &[1.0]), 0.0);
        assert_eq!(accuracy(&[], &[]), 0.0);
        assert_eq!(accuracy(&[2.0, -3.0], &[1.0, -1.0]), 1.0);
    }
}
