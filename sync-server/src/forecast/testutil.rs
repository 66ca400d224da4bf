//! Generators and scores shared by the forecasting tests.

use pharma_core::rng::SplitMix64;

/// A Poisson draw (Knuth's product of uniforms; fine for the small means used here).
pub fn poisson(rng: &mut SplitMix64, lambda: f64) -> f64 {
    let limit = (-lambda).exp();
    let mut k = 0.0;
    let mut p = rng.unit();
    while p > limit {
        k += 1.0;
        p *= rng.unit();
    }
    k
}

/// `days` of Bernoulli(`p`) × Poisson(`lambda`) demand: mean `p·lambda` per day.
pub fn bernoulli_poisson(rng: &mut SplitMix64, days: usize, p: f64, lambda: f64) -> Vec<f64> {
    (0..days).map(|_| if rng.chance(p) { poisson(rng, lambda) } else { 0.0 }).collect()
}

/// Mean absolute error between a forecast and what happened.
pub fn mae(forecast: &[f64], actual: &[f64]) -> f64 {
    forecast.iter().zip(actual).map(|(f, a)| (f - a).abs()).sum::<f64>() / actual.len().max(1) as f64
}
