//! Accuracy measures of one series' held-out forecast, pure.
//!
//! With training values `y_1 … y_n`, held-out values `a_1 … a_H`, point forecasts
//! `f_1 … f_H` and the season length `S` (`S = 1` gives the plain naive method):
//!
//! - scale for absolute errors: `d = 1/(n−S) · Σ_{t=S+1..n} |y_t − y_{t−S}|`, the in-sample
//!   mean absolute error of the seasonal naive forecast;
//! - scale for squared errors: `d² = 1/(n−S) · Σ_{t=S+1..n} (y_t − y_{t−S})²`, the same
//!   with squares. The M5 competition defined RMSSE with the lag-1 naive; here the lag is
//!   `S` for both measures, so MASE and RMSSE are relative to the same benchmark;
//! - `MASE = (1/H · Σ |a_h − f_h|) / d`;
//! - `RMSSE = √((1/H · Σ (a_h − f_h)²) / d²)`;
//! - pinball loss at level `τ` of the quantile forecasts `q_h`:
//!   `(1/H · Σ ρ_τ(a_h − q_h)) / d` with `ρ_τ(u) = max(τ·u, (τ−1)·u)`, scaled by the
//!   same `d` as MASE so that `2 ×` the pinball at 0.5 of the median equals its MASE;
//! - coverage of an interval `[lo_h, hi_h]`: the share of `h` with `lo_h ≤ a_h ≤ hi_h`
//!   (not scaled).
//!
//! A series whose scale is zero (training values constant at lag `S`) or undefined
//! (`n ≤ S`) has no scaled measure: [`Scales::of`] returns `None` and the caller leaves it
//! out of the scaled means, counting it. Means over series are unweighted.

/// The two in-sample scales of one training series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scales {
    /// Mean absolute seasonal-naive error `d`.
    pub mae: f64,
    /// Mean squared seasonal-naive error `d²`.
    pub mse: f64,
}

impl Scales {
    /// The scales of `train` at lag `season` (at least 1); `None` when zero or undefined.
    pub fn of(train: &[f64], season: usize) -> Option<Scales> {
        let season = season.max(1);
        if train.len() <= season {
            return None;
        }
        let (mut abs, mut sq) = (0.0, 0.0);
        for (now, before) in train[season..].iter().zip(train) {
            let e = now - before;
            abs += e.abs();
            sq += e * e;
        }
        let n = (train.len() - season) as f64;
        let scales = Scales { mae: abs / n, mse: sq / n };
        (scales.mae > 0.0 && scales.mae.is_finite() && scales.mse.is_finite()).then_some(scales)
    }
}

/// Mean absolute scaled error of point forecasts.
pub fn mase(actual: &[f64], forecast: &[f64], scales: Scales) -> f64 {
    mean(actual.iter().zip(forecast).map(|(a, f)| (a - f).abs())) / scales.mae
}

/// Root mean squared scaled error of point forecasts.
pub fn rmsse(actual: &[f64], forecast: &[f64], scales: Scales) -> f64 {
    (mean(actual.iter().zip(forecast).map(|(a, f)| (a - f) * (a - f))) / scales.mse).sqrt()
}

/// Pinball (quantile) loss at level `tau` of quantile forecasts, scaled like MASE.
pub fn pinball(actual: &[f64], quantile: &[f64], tau: f64, scales: Scales) -> f64 {
    mean(actual.iter().zip(quantile).map(|(a, q)| {
        let u = a - q;
        (tau * u).max((tau - 1.0) * u)
    })) / scales.mae
}

/// Share of held-out points inside `[lo, hi]`.
pub fn coverage(actual: &[f64], lo: &[f64], hi: &[f64]) -> f64 {
    mean(actual.iter().zip(lo.iter().zip(hi)).map(|(a, (l, h))| if l <= a && a <= h { 1.0 } else { 0.0 }))
}

/// Mean of the values; 0 for none (a zero horizon has no error).
fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { 0.0 } else { sum / n as f64 }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }

    #[test]
    fn scales_by_hand() {
        // Lag 1: differences 2, −1, 3 → d = 6/3 = 2, d² = (4+1+9)/3 = 14/3.
        let s = Scales::of(&[1.0, 3.0, 2.0, 5.0], 1).unwrap();
        close(s.mae, 2.0);
        close(s.mse, 14.0 / 3.0);
        // Lag 2: differences 1, 2 → d = 1.5, d² = 2.5.
        let s = Scales::of(&[1.0, 3.0, 2.0, 5.0], 2).unwrap();
        close(s.mae, 1.5);
        close(s.mse, 2.5);
        // Lag 0 is read as the naive lag 1.
        assert_eq!(Scales::of(&[1.0, 3.0], 0), Scales::of(&[1.0, 3.0], 1));
    }

    #[test]
    fn constant_or_short_training_has_no_scale() {
        assert_eq!(Scales::of(&[4.0; 10], 1), None);
        // Seasonal with period 2: constant at lag 2 even though it moves day to day.
        assert_eq!(Scales::of(&[1.0, 5.0, 1.0, 5.0, 1.0], 2), None);
        assert_eq!(Scales::of(&[1.0, 2.0], 2), None);
        assert_eq!(Scales::of(&[], 1), None);
    }

    #[test]
    fn mase_rmsse_pinball_coverage_by_hand() {
        let scales = Scales { mae: 2.0, mse: 4.0 };
        let actual = [3.0, 0.0, 5.0];
        let f = [1.0, 1.0, 5.0];
        // |e| = 2, 1, 0 → MAE 1 → MASE 0.5.
        close(mase(&actual, &f, scales), 0.5);
        // e² = 4, 1, 0 → MSE 5/3 → RMSSE √(5/12).
        close(rmsse(&actual, &f, scales), (5.0f64 / 12.0).sqrt());
        // τ = 0.9: u = 2 → 1.8; u = −1 → 0.1; u = 0 → 0 → mean 1.9/3, / 2.
        close(pinball(&actual, &f, 0.9, scales), 1.9 / 3.0 / 2.0);
        // At 0.5 the pinball loss is half the absolute error.
        close(2.0 * pinball(&actual, &f, 0.5, scales), mase(&actual, &f, scales));
        // Bounds inclusive: 3 ∈ [3,4], 0 ∉ [1,2], 5 ∈ [0,5].
        close(coverage(&actual, &[3.0, 1.0, 0.0], &[4.0, 2.0, 5.0]), 2.0 / 3.0);
    }

    #[test]
    fn perfect_forecast_scores_zero_and_empty_horizon_is_not_nan() {
        let scales = Scales { mae: 1.0, mse: 1.0 };
        close(mase(&[1.0, 2.0], &[1.0, 2.0], scales), 0.0);
        close(rmsse(&[], &[], scales), 0.0);
        close(coverage(&[], &[], &[]), 0.0);
    }
}
