//! Speed of the demand-forecasting engine: every candidate backtested, the selection and
//! the intervals, for simulated items of the four demand classes, on one thread.
//!
//! `cargo bench -p pharma-forecast --bench forecast_engine` (2,000 items per class ×
//! 730 days, horizon 28); `FORECAST_ITEMS`, `FORECAST_DAYS` and `FORECAST_HORIZON`
//! override. Under `cargo test --all-targets` (no `--bench` argument) it is a smoke run of
//! a few items.

use pharma_core::rng::SplitMix64;
use pharma_forecast::{Options, forecast_item};
use std::time::Instant;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|s| s.trim().parse().ok()).unwrap_or(default)
}

fn poisson(rng: &mut SplitMix64, lambda: f64) -> f64 {
    let limit = (-lambda).exp();
    let mut k = 0.0;
    let mut p = rng.unit();
    while p > limit {
        k += 1.0;
        p *= rng.unit();
    }
    k
}

fn normal(rng: &mut SplitMix64) -> f64 {
    let u = 1.0 - rng.unit();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * rng.unit()).cos()
}

/// One simulated series: class 0 smooth (Poisson with a weekly profile), 1 erratic
/// (log-normal sizes nearly every day), 2 intermittent (1 + Poisson on 10–50 % of days),
/// 3 lumpy (log-normal sizes on 5–40 % of days).
fn series(class: usize, rng: &mut SplitMix64, days: usize) -> Vec<f64> {
    let quiet = rng.below(7) as usize;
    let amplitude = 0.6 * rng.unit();
    let level =
        [3.0 + 27.0 * rng.unit(), 1.0 + 4.0 * rng.unit(), 2.0 * rng.unit(), 1.0 + 3.0 * rng.unit()][class];
    let p = [1.0, 0.97, 0.1 + 0.4 * rng.unit(), 0.05 + 0.35 * rng.unit()][class];
    (0..days)
        .map(|i| {
            let w = if i % 7 == quiet { 1.0 - amplitude } else { 1.0 };
            match class {
                0 => poisson(rng, level * w),
                2 if rng.chance(p * w) => 1.0 + poisson(rng, level),
                1 | 3 if rng.chance(p * w) => (level * (normal(rng) - 0.5).exp()).ceil(),
                _ => 0.0,
            }
        })
        .collect()
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let items: usize = env_or("FORECAST_ITEMS", if full { 2_000 } else { 5 });
    let days: usize = env_or("FORECAST_DAYS", 730);
    let horizon: usize = env_or("FORECAST_HORIZON", 28);
    let opts = Options::daily(horizon);
    let names = ["smooth", "erratic", "intermittent", "lumpy"];
    println!("forecast_engine: {items} items per class × {days} days, horizon {horizon}, 1 thread");
    let mut all_secs = 0.0;
    let mut checksum = 0.0;
    for (class, name) in names.iter().enumerate() {
        let mut rng = SplitMix64::new(1 + class as u64);
        let data: Vec<Vec<f64>> = (0..items).map(|_| series(class, &mut rng, days)).collect();
        let started = Instant::now();
        for s in &data {
            let f = forecast_item(s, &[], &opts);
            checksum += f.horizon_total + f.high;
        }
        let secs = started.elapsed().as_secs_f64();
        all_secs += secs;
        println!("{name:>13}: {:8.1} µs per item", 1e6 * secs / items.max(1) as f64);
    }
    let total = 4 * items.max(1);
    println!(
        "{:>13}: {:8.1} µs per item, {:.0} items/s (checksum {checksum:.1})",
        "overall",
        1e6 * all_secs / total as f64,
        total as f64 / all_secs
    );
}
