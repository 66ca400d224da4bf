//! A deterministic synthetic data set of daily pharmacy sales, with the four demand
//! classes in equal shares, for benchmarks and the comparison with statsforecast.
//!
//! Day 0 is a Monday (the example writes it as 2024-01-01). Every class follows the week
//! of a pharmacy — Sunday low (on-duty opening only), Saturday high — with an amplitude
//! drawn per item:
//! - **smooth**: Poisson around a level between 3 and 40 a day (log-uniform), with a slow
//!   mean-reverting drift of the level and a yearly trend of up to ±25 %;
//! - **erratic**: sells on 85–97 % of days, `1 +` a negative binomial with a mean of 2–25
//!   and a shape of 0.5–1 (squared coefficient of variation of the quantities above 0.6);
//! - **intermittent**: sells on 5–50 % of days, `1 +` Poisson(0–1.2) units (steady sizes);
//! - **lumpy**: sells on 5–50 % of days, `1 +` a negative binomial with a mean of 2–15 and
//!   a shape of 0.3–0.8 (heavy-tailed sizes).
//!
//! Each item draws from its own generator seeded from `(seed, index)`, so item `i` is the
//! same whatever the number of items, and generating is cheap (10,000 × 730 in well
//! under a second in release builds).
//!
//! ```
//! use pharma_forecast::eval::synth::dataset;
//! let items = dataset(8, 365, 42);
//! assert_eq!(items.len(), 8);
//! assert_eq!(items, dataset(8, 365, 42));
//! assert!(items.iter().all(|s| s.values.len() == 365 && s.values.iter().all(|v| *v >= 0.0)));
//! ```

use crate::DemandClass;
use pharma_core::rng::SplitMix64;

/// One generated item.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthSeries {
    /// `item-00000`, `item-00001`, …
    pub id: String,
    /// The class its generating process was designed for (the ADI/CV² class of the
    /// values matches it for most items, not all: a sample can fall across a cut-off).
    pub intended: DemandClass,
    /// Units sold per day, oldest first.
    pub values: Vec<f64>,
}

/// The classes in the order items cycle through them.
pub const CLASSES: [DemandClass; 4] =
    [DemandClass::Smooth, DemandClass::Erratic, DemandClass::Intermittent, DemandClass::Lumpy];

/// Relative sales Monday … Sunday before the per-item amplitude.
const WEEK: [f64; 7] = [1.0, 0.95, 1.0, 1.0, 1.1, 1.3, 0.45];

/// `items` series of `days` days each, the classes cycling smooth, erratic, intermittent,
/// lumpy.
pub fn dataset(items: usize, days: usize, seed: u64) -> Vec<SynthSeries> {
    (0..items)
        .map(|i| {
            let mut rng = SplitMix64::new(mix(seed ^ mix(i as u64 ^ 0xA076_1D64_78BD_642F)));
            let intended = CLASSES[i % CLASSES.len()];
            let values = series(&mut rng, intended, days);
            SynthSeries { id: format!("item-{i:05}"), intended, values }
        })
        .collect()
}

fn series(rng: &mut SplitMix64, class: DemandClass, days: usize) -> Vec<f64> {
    let amplitude = uniform(rng, 0.5, 1.2);
    let raw: [f64; 7] = WEEK.map(|w| 1.0 + amplitude * (w - 1.0));
    let norm = raw.iter().sum::<f64>() / 7.0;
    let week = raw.map(|w| w / norm);
    match class {
        DemandClass::Smooth => {
            let level = log_uniform(rng, 3.0, 40.0);
            let trend = uniform(rng, -0.25, 0.25) / 365.0;
            let mut drift = 0.0;
            (0..days)
                .map(|d| {
                    drift = 0.995 * drift + 0.012 * normal(rng);
                    let growth = (1.0 + trend * d as f64).max(0.3);
                    poisson(rng, level * week[d % 7] * drift.exp() * growth)
                })
                .collect()
        }
        DemandClass::Erratic => {
            let p = uniform(rng, 0.85, 0.97);
            let mean = log_uniform(rng, 2.0, 25.0);
            let shape = uniform(rng, 0.5, 1.0);
            (0..days)
                .map(|d| if rng.chance(p) { 1.0 + neg_binomial(rng, mean * week[d % 7], shape) } else { 0.0 })
                .collect()
        }
        DemandClass::Intermittent => {
            let p = uniform(rng, 0.05, 0.5);
            let extra = uniform(rng, 0.0, 1.2);
            (0..days)
                .map(|d| if rng.chance((p * week[d % 7]).min(1.0)) { 1.0 + poisson(rng, extra) } else { 0.0 })
                .collect()
        }
        DemandClass::Lumpy => {
            let p = uniform(rng, 0.05, 0.5);
            let mean = log_uniform(rng, 2.0, 15.0);
            let shape = uniform(rng, 0.3, 0.8);
            (0..days)
                .map(|d| {
                    if rng.chance((p * week[d % 7]).min(1.0)) {
                        1.0 + neg_binomial(rng, mean, shape)
                    } else {
                        0.0
                    }
                })
                .collect()
        }
    }
}

/// The SplitMix64 finaliser: spreads neighbouring seeds far apart, so item streams do
/// not overlap.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn uniform(rng: &mut SplitMix64, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * rng.unit()
}

fn log_uniform(rng: &mut SplitMix64, lo: f64, hi: f64) -> f64 {
    uniform(rng, lo.ln(), hi.ln()).exp()
}

/// Standard normal (Box–Muller; the second value is dropped to keep the state simple).
pub fn normal(rng: &mut SplitMix64) -> f64 {
    // 1 − unit() is in (0, 1]: the logarithm stays finite.
    let u = 1.0 - rng.unit();
    let v = rng.unit();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// Poisson draw. Knuth's product of uniforms costs one uniform per unit of the mean, so
/// a large mean is drawn as a sum of Poisson draws of at most 30 each (exact: Poisson
/// variables add up).
pub fn poisson(rng: &mut SplitMix64, lambda: f64) -> f64 {
    if lambda.is_nan() || lambda <= 0.0 || lambda.is_infinite() {
        return 0.0;
    }
    let mut left = lambda;
    let mut total = 0.0;
    while left > 0.0 {
        let part = left.min(30.0);
        left -= part;
        let limit = (-part).exp();
        let mut product = rng.unit();
        while product > limit {
            total += 1.0;
            product *= rng.unit();
        }
    }
    total
}

/// Gamma draw with the given shape and scale (Marsaglia & Tsang 2000; a shape below 1 is
/// drawn at shape + 1 and scaled down by `U^(1/shape)`).
pub fn gamma(rng: &mut SplitMix64, shape: f64, scale: f64) -> f64 {
    if shape.is_nan() || scale.is_nan() || shape <= 0.0 || scale <= 0.0 {
        return 0.0;
    }
    if shape < 1.0 {
        let u = 1.0 - rng.unit();
        return gamma(rng, shape + 1.0, scale) * u.powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng);
        let v = (1.0 + c * x).powi(3);
        if v <= 0.0 {
            continue;
        }
        let u = 1.0 - rng.unit();
        if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return d * v * scale;
        }
    }
}

/// Negative binomial draw with the given mean and shape `r` (variance `mean + mean²/r`),
/// as a Poisson whose rate is gamma-distributed.
pub fn neg_binomial(rng: &mut SplitMix64, mean: f64, shape: f64) -> f64 {
    let rate = gamma(rng, shape, mean / shape);
    poisson(rng, rate)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::classify::classify;

    fn moments(xs: &[f64]) -> (f64, f64) {
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        (m, xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / xs.len() as f64)
    }

    #[test]
    fn draws_have_their_moments() {
        let mut rng = SplitMix64::new(1);
        for lambda in [0.3, 4.0, 75.0] {
            let xs: Vec<f64> = (0..20_000).map(|_| poisson(&mut rng, lambda)).collect();
            let (m, v) = moments(&xs);
            assert!((m - lambda).abs() < 0.05 * lambda.max(1.0), "poisson {lambda}: mean {m}");
            assert!((v - lambda).abs() < 0.1 * lambda.max(1.0), "poisson {lambda}: var {v}");
        }
        for (shape, scale) in [(0.5, 2.0), (3.0, 1.5)] {
            let xs: Vec<f64> = (0..20_000).map(|_| gamma(&mut rng, shape, scale)).collect();
            let (m, v) = moments(&xs);
            assert!((m - shape * scale).abs() < 0.05 * shape * scale, "gamma mean {m}");
            assert!((v - shape * scale * scale).abs() < 0.1 * shape * scale * scale, "gamma var {v}");
        }
        let xs: Vec<f64> = (0..20_000).map(|_| neg_binomial(&mut rng, 6.0, 0.8)).collect();
        let (m, v) = moments(&xs);
        assert!((m - 6.0).abs() < 0.3, "negbin mean {m}");
        assert!((v - (6.0 + 36.0 / 0.8)).abs() < 0.1 * 51.0, "negbin var {v}");
    }

    #[test]
    fn deterministic_and_independent_of_the_item_count() {
        let a = dataset(12, 100, 7);
        assert_eq!(a, dataset(12, 100, 7));
        assert_eq!(a[..4], dataset(4, 100, 7)[..]);
        assert_ne!(a, dataset(12, 100, 8));
        let shares: Vec<usize> =
            CLASSES.iter().map(|c| a.iter().filter(|s| s.intended == *c).count()).collect();
        assert_eq!(shares, [3, 3, 3, 3]);
    }

    #[test]
    fn classification_mostly_matches_the_intended_class() {
        let items = dataset(800, 730, 2024);
        for class in CLASSES {
            let of_class: Vec<_> = items.iter().filter(|s| s.intended == class).collect();
            let matching = of_class.iter().filter(|s| classify(&s.values).class == class).count();
            let share = matching as f64 / of_class.len() as f64;
            assert!(share >= 0.8, "{class:?}: {matching}/{} classified as intended", of_class.len());
        }
    }

    #[test]
    fn smooth_items_have_the_pharmacy_week() {
        let items = dataset(40, 728, 5);
        let mut by_day = [0.0; 7];
        for s in items.iter().filter(|s| s.intended == DemandClass::Smooth) {
            for (d, v) in s.values.iter().enumerate() {
                by_day[d % 7] += v;
            }
        }
        let saturday = by_day[5];
        let sunday = by_day[6];
        assert!(by_day.iter().all(|d| *d <= saturday) && by_day.iter().all(|d| *d >= sunday), "{by_day:?}");
    }
}
