//! Generators and scores shared by the forecasting tests.

use pharma_core::rng::SplitMix64;

/// A Poisson draw (Knuth's product of uniforms below 30, a rounded normal above).
pub fn poisson(rng: &mut SplitMix64, lambda: f64) -> f64 {
    if lambda > 30.0 {
        return (lambda + lambda.sqrt() * normal(rng)).round().max(0.0);
    }
    let limit = (-lambda).exp();
    let mut k = 0.0;
    let mut p = rng.unit();
    while p > limit {
        k += 1.0;
        p *= rng.unit();
    }
    k
}

/// A standard normal draw (Box–Muller).
pub fn normal(rng: &mut SplitMix64) -> f64 {
    let u = 1.0 - rng.unit();
    let v = rng.unit();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

/// `days` of Bernoulli(`p`) × Poisson(`lambda`) demand: mean `p·lambda` per day.
pub fn bernoulli_poisson(rng: &mut SplitMix64, days: usize, p: f64, lambda: f64) -> Vec<f64> {
    (0..days).map(|_| if rng.chance(p) { poisson(rng, lambda) } else { 0.0 }).collect()
}

/// `days` of Poisson demand with a weekly profile: `level × pattern[day mod 7]`.
pub fn weekly_poisson(rng: &mut SplitMix64, days: usize, level: f64, pattern: &[f64; 7]) -> Vec<f64> {
    (0..days).map(|i| poisson(rng, level * pattern[i % 7])).collect()
}

/// The four simulated demand classes of the experiments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Poisson around a drifting level, with a random weekly profile.
    Smooth,
    /// Sells nearly every day, in log-normal quantities.
    Erratic,
    /// Sells on 10–50 % of days, 1 + Poisson(≤ 2) units.
    Intermittent,
    /// Sells on 5–40 % of days, in log-normal quantities.
    Lumpy,
}

impl Kind {
    /// All four, in the table order.
    pub const ALL: [Kind; 4] = [Kind::Smooth, Kind::Erratic, Kind::Intermittent, Kind::Lumpy];
}

/// One simulated daily series of `kind`: a level drifting as a slow multiplicative random
/// walk, a weekly profile of random strength, and the class's arrival and size process.
pub fn simulate(kind: Kind, rng: &mut SplitMix64, days: usize) -> Vec<f64> {
    let amplitude = 0.6 * rng.unit();
    let quiet_day = rng.below(7) as usize;
    let profile: [f64; 7] =
        std::array::from_fn(|d| if d == quiet_day { 1.0 - amplitude } else { 1.0 + amplitude / 6.0 });
    let drift = 0.01 * rng.unit();
    let mut walk = 1.0_f64;
    let (level, p, sigma) = match kind {
        Kind::Smooth => (3.0 + 27.0 * rng.unit(), 1.0, 0.0),
        Kind::Erratic => (1.0 + 4.0 * rng.unit(), 0.97, 1.0 + 0.3 * rng.unit()),
        Kind::Intermittent => (2.0 * rng.unit(), 0.1 + 0.4 * rng.unit(), 0.0),
        Kind::Lumpy => (1.0 + 3.0 * rng.unit(), 0.05 + 0.35 * rng.unit(), 1.0 + 0.3 * rng.unit()),
    };
    (0..days)
        .map(|i| {
            walk = (walk * (drift * normal(rng)).exp()).clamp(0.3, 3.0);
            let w = profile[i % 7] * walk;
            match kind {
                Kind::Smooth => poisson(rng, level * w),
                Kind::Intermittent => {
                    if rng.chance((p * w).min(1.0)) {
                        1.0 + poisson(rng, level)
                    } else {
                        0.0
                    }
                }
                Kind::Erratic | Kind::Lumpy => {
                    if rng.chance((p * w).min(1.0)) {
                        (level * (sigma * normal(rng) - sigma * sigma / 2.0).exp()).ceil()
                    } else {
                        0.0
                    }
                }
            }
        })
        .collect()
}

/// `method`'s real forecast (the last origin of its one pass) for `y`, `h` days ahead.
pub fn final_forecast(method: super::Method, y: &[f64], h: usize, season: usize) -> Vec<f64> {
    let plan = super::backtest::Plan::new(y.len(), h, season);
    super::methods::fit(y, &plan, &[method]).pop().map(|f| f.table.forecast().to_vec()).unwrap_or_default()
}

/// The generating processes the coverage measurements use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Process {
    /// Poisson(5) every day.
    Poisson,
    /// Poisson around 10 × a weekly profile from ×1.4 down to ×0.2.
    Weekly,
    /// Bernoulli(0.25) × Poisson(3).
    Intermittent,
    /// One of the simulated classes of [`simulate`].
    Simulated(Kind),
}

/// Coverage of `[q05, q95]` over `trials` series of `process`, 365 days of history then
/// `h` held out: (share of horizon totals inside, share of single days inside).
pub fn coverage(process: Process, trials: u64, h: usize, seed: u64) -> (f64, f64) {
    use super::{Options, forecast_item};
    let (mut totals_in, mut days_in) = (0usize, 0usize);
    for t in 0..trials {
        let mut rng = SplitMix64::new(seed + t);
        let days = 365 + h;
        let series = match process {
            Process::Poisson => (0..days).map(|_| poisson(&mut rng, 5.0)).collect(),
            Process::Weekly => weekly_poisson(&mut rng, days, 10.0, &[1.4, 1.2, 1.2, 1.0, 1.0, 1.0, 0.2]),
            Process::Intermittent => bernoulli_poisson(&mut rng, days, 0.25, 3.0),
            Process::Simulated(kind) => simulate(kind, &mut rng, days),
        };
        let (history, future) = series.split_at(365);
        let f = forecast_item(history, &[], &Options::daily(h));
        let actual: f64 = future.iter().sum();
        totals_in += usize::from(f.total.q05 <= actual && actual <= f.total.q95);
        days_in +=
            future.iter().zip(&f.daily_quantiles).filter(|(a, q)| q.q05 <= **a && **a <= q.q95).count();
    }
    (totals_in as f64 / trials as f64, days_in as f64 / (trials as usize * h) as f64)
}
