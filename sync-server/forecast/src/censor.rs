//! Turning recorded sales into the series the methods fit on.
//!
//! **Stock-outs.** A day with no stock recorded no sales because nothing could be sold,
//! not because nobody asked: such a day is censored. Dropping it would shift the weekday
//! of every later day and break weekly seasonality, so it is *imputed* instead, with the
//! mean of the last [`RECENT_SAME_POSITION`] in-stock days at the same position of the
//! season (the same weekday for daily data) before it: recent, so an item whose demand
//! grew is imputed at its current rate, and earlier, so the backtest's forecast at an
//! origin owes nothing to later days. A stock-out before any in-stock day at that
//! position takes that position's in-stock mean over the whole history, or the mean of
//! all in-stock days. Either way a stock-out neither depresses nor inflates the forecast.
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
/// In-stock days at the same seasonal position averaged to impute a stock-out day.
pub const RECENT_SAME_POSITION: usize = 8;

/// The series to fit, with how many days were actually observed in stock.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// One value per day of the history, censored days imputed, outliers clipped.
    pub series: Vec<f64>,
    /// Days that were in stock (observed demand).
    pub observed: usize,
}

/// Prepares `demand` for fitting, with seasonal period `season` (7 for daily sales; 0
/// reads as 1). `in_stock[i]` says whether day `i` had stock; a flag
/// missing at the end of a shorter `in_stock` counts as in stock. Negative and non-finite
/// quantities (returns, bad rows) count as 0, quantities above [`MAX_QUANTITY`] as that. With no in-stock day at all, the series is
/// all zeros and `observed` is 0: the caller decides what that means.
pub fn prepare(demand: &[f64], in_stock: &[bool], season: usize) -> Prepared {
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
    let m = season.max(1);
    let (mut sums, mut counts) = (vec![0.0; m], vec![0usize; m]);
    for (i, &y) in clipped.iter().enumerate() {
        if stocked(i) {
            sums[i % m] += y;
            counts[i % m] += 1;
        }
    }
    let overall = sums.iter().sum::<f64>() / observed as f64;
    // The last in-stock values at each position, as ring buffers side by side.
    let mut recent = vec![0.0; m * RECENT_SAME_POSITION];
    let mut seen = vec![0usize; m];
    let series = clipped
        .iter()
        .enumerate()
        .map(|(i, &y)| {
            let p = i % m;
            let ring = &mut recent[p * RECENT_SAME_POSITION..(p + 1) * RECENT_SAME_POSITION];
            if stocked(i) {
                ring[seen[p] % RECENT_SAME_POSITION] = y;
                seen[p] += 1;
                y
            } else if seen[p] > 0 {
                let k = seen[p].min(RECENT_SAME_POSITION);
                ring[..k].iter().sum::<f64>() / k as f64
            } else if counts[p] > 0 {
                sums[p] / counts[p] as f64
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
        let p = prepare(&demand, &in_stock, 7);
        assert_eq!(p.observed, 21);
        for i in 21..28 {
            assert!((p.series[i] - ((i % 7) as f64 + 1.0)).abs() < 1e-12, "day {i}: {}", p.series[i]);
        }
    }

    #[test]
    fn stock_outs_take_the_recent_rate_not_the_old_one() {
        // 10 weeks at 2 a day, 10 weeks at 10 a day, then a week out of stock.
        let demand: Vec<f64> = (0..147)
            .map(|i| {
                if i < 70 {
                    2.0
                } else if i < 140 {
                    10.0
                } else {
                    0.0
                }
            })
            .collect();
        let in_stock: Vec<bool> = (0..147).map(|i| i < 140).collect();
        let p = prepare(&demand, &in_stock, 7);
        assert!(p.series[140..].iter().all(|y| *y == 10.0), "{:?}", &p.series[140..]);
    }

    #[test]
    fn a_stock_out_before_any_sale_at_its_weekday_takes_the_weekday_mean() {
        let demand = [0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 4.0, 1.0];
        let in_stock = [false, true, true, true, true, true, true, true, true];
        assert_eq!(prepare(&demand, &in_stock, 7).series[0], 4.0);
    }

    #[test]
    fn never_in_stock_is_all_zero_and_unobserved() {
        let p = prepare(&[0.0; 10], &[false; 10], 7);
        assert_eq!(p.observed, 0);
        assert!(p.series.iter().all(|y| *y == 0.0));
    }

    #[test]
    fn one_huge_day_is_clipped_ordinary_days_are_not() {
        let mut demand: Vec<f64> = (0..30).map(|i| [1.0, 2.0, 1.0, 3.0, 1.0][i % 5]).collect();
        demand[12] = 500.0;
        let p = prepare(&demand, &[], 7);
        assert!(p.series[12] <= 1.0 + 5.0 * 1.4826_f64.max(1.0) + 1e-9, "{}", p.series[12]);
        assert_eq!(p.series[3], 3.0);
        assert_eq!(p.series[1], 2.0);
    }

    #[test]
    fn a_single_sale_is_never_clipped() {
        let mut demand = vec![0.0; 40];
        demand[5] = 50.0;
        assert_eq!(prepare(&demand, &[], 7).series[5], 50.0);
    }

    #[test]
    fn negative_and_nan_quantities_count_as_zero() {
        let p = prepare(&[f64::NAN, -3.0, 2.0, f64::INFINITY], &[], 7);
        assert_eq!(p.series, vec![0.0, 0.0, 2.0, 0.0]);
    }
}
