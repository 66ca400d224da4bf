//! Turning recorded sales into the series the methods fit on.
//!
//! **Stock-outs.** A day with no stock recorded no sales because nothing could be sold,
//! not because nobody asked: such a day is censored. Dropping it would shift the weekday
//! of every later day and break weekly seasonality, so it is *imputed* instead, with the
//! mean of the in-stock days falling on the same weekday position (index mod 7), or with
//! the mean of all in-stock days when that weekday was never in stock. The mean keeps the
//! in-stock rate, so a stock-out neither depresses nor inflates the forecast.
//!
//! **Outliers.** A bulk order or an entry error must not swing the forecast. Among the
//! in-stock non-zero days, values above `median + K·max(1.4826·MAD, median)` are clipped
//! to that cap (MAD: median absolute deviation; 1.4826·MAD estimates a standard deviation
//! under normality; the `median` floor keeps integer series whose MAD is 0, e.g. mostly
//! ones, from clipping an ordinary 2). Zero days are left out of the statistics so
//! intermittent series are not all flagged. Clipping needs [`MIN_FOR_CLIPPING`] non-zero
//! days: with fewer there is no telling an outlier from the demand.

/// Largest daily quantity taken at face value; larger ones (entry errors, overflowed
/// imports) are read as this, so sums and squares of a whole history stay finite.
pub const MAX_QUANTITY: f64 = 1e12;
/// Multiplier of the robust spread above which a day is clipped.
pub const K: f64 = 5.0;
/// Non-zero in-stock days needed before any clipping happens.
pub const MIN_FOR_CLIPPING: usize = 5;
/// Weekly seasonality: imputation follows the weekday position.
const WEEK: usize = 7;

/// The series to fit, with how many days were actually observed in stock.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// One value per day of the history, censored days imputed, outliers clipped.
    pub series: Vec<f64>,
    /// Days that were in stock (observed demand).
    pub observed: usize,
}

/// Prepares `demand` for fitting. `in_stock[i]` says whether day `i` had stock; a flag
/// missing at the end of a shorter `in_stock` counts as in stock. Negative and non-finite
/// quantities (returns, bad rows) count as 0, quantities above [`MAX_QUANTITY`] as that. With no in-stock day at all, the series is
/// all zeros and `observed` is 0: the caller decides what that means.
pub fn prepare(demand: &[f64], in_stock: &[bool]) -> Prepared {
    let clean: Vec<f64> =
        demand.iter().map(|&y| if y.is_finite() && y > 0.0 { y.min(MAX_QUANTITY) } else { 0.0 }).collect();
    let stocked = |i: usize| in_stock.get(i).copied().unwrap_or(true);
    let observed_values: Vec<f64> = (0..clean.len()).filter(|&i| stocked(i)).map(|i| clean[i]).collect();
    let observed = observed_values.len();
    let cap = clip_cap(&observed_values);
    let clipped: Vec<f64> = clean.iter().map(|&y| cap.map_or(y, |c| y.min(c))).collect();
    if observed == 0 {
        return Prepared { series: vec![0.0; clean.len()], observed };
    }
    let mut sums = [0.0; WEEK];
    let mut counts = [0usize; WEEK];
    for (i, &y) in clipped.iter().enumerate() {
        if stocked(i) {
            sums[i % WEEK] += y;
            counts[i % WEEK] += 1;
        }
    }
    let overall = sums.iter().sum::<f64>() / observed as f64;
    let series = clipped
        .iter()
        .enumerate()
        .map(|(i, &y)| {
            if stocked(i) {
                y
            } else if counts[i % WEEK] > 0 {
                sums[i % WEEK] / counts[i % WEEK] as f64
            } else {
                overall
            }
        })
        .collect();
    Prepared { series, observed }
}

/// The clipping cap for these observed values, if there are enough non-zero ones.
pub fn clip_cap(observed: &[f64]) -> Option<f64> {
    let mut nonzero: Vec<f64> = observed.iter().copied().filter(|y| *y > 0.0).collect();
    if nonzero.len() < MIN_FOR_CLIPPING {
        return None;
    }
    let med = median(&mut nonzero);
    let mut dev: Vec<f64> = nonzero.iter().map(|y| (y - med).abs()).collect();
    let mad = median(&mut dev);
    Some(med + K * (1.4826 * mad).max(med))
}

/// Median of a non-empty slice (sorted in place).
fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 { xs[n / 2] } else { (xs[n / 2 - 1] + xs[n / 2]) / 2.0 }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn stock_out_days_take_the_same_weekday_in_stock_mean() {
        let demand: Vec<f64> = (0..28).map(|i| if i >= 21 { 0.0 } else { (i % 7) as f64 + 1.0 }).collect();
        let in_stock: Vec<bool> = (0..28).map(|i| i < 21).collect();
        let p = prepare(&demand, &in_stock);
        assert_eq!(p.observed, 21);
        for i in 21..28 {
            assert!((p.series[i] - ((i % 7) as f64 + 1.0)).abs() < 1e-12, "day {i}: {}", p.series[i]);
        }
    }

    #[test]
    fn never_in_stock_is_all_zero_and_unobserved() {
        let p = prepare(&[0.0; 10], &[false; 10]);
        assert_eq!(p.observed, 0);
        assert!(p.series.iter().all(|y| *y == 0.0));
    }

    #[test]
    fn one_huge_day_is_clipped_ordinary_days_are_not() {
        let mut demand: Vec<f64> = (0..30).map(|i| [1.0, 2.0, 1.0, 3.0, 1.0][i % 5]).collect();
        demand[12] = 500.0;
        let p = prepare(&demand, &[]);
        assert!(p.series[12] <= 1.0 + 5.0 * 1.4826_f64.max(1.0) + 1e-9, "{}", p.series[12]);
        assert_eq!(p.series[3], 3.0);
        assert_eq!(p.series[1], 2.0);
    }

    #[test]
    fn a_single_sale_is_never_clipped() {
        let mut demand = vec![0.0; 40];
        demand[5] = 50.0;
        assert_eq!(prepare(&demand, &[]).series[5], 50.0);
    }

    #[test]
    fn negative_and_nan_quantities_count_as_zero() {
        let p = prepare(&[f64::NAN, -3.0, 2.0, f64::INFINITY], &[]);
        assert_eq!(p.series, vec![0.0, 0.0, 2.0, 0.0]);
    }
}
