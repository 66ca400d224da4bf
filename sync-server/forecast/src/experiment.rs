//! Measurements behind the engine's tuning, on simulated series (see
//! [`super::testutil::simulate`]): per-item selection against every single method per
//! demand class, interval coverage by kind and horizon, and intermittent rates by path.
//! Ignored by default (they measure, they do not check); run them in release:
//! `cargo test -p pharma-sync-server --release --lib forecast::experiment -- --ignored --nocapture --test-threads 1`.
//!
//! The selection rule was chosen here. On 1,000 series per class, plain argmin over the
//! methods lost to the best single method on three classes out of four (noise in picking
//! the best of nine); a mean of ETS and SBA as an extra candidate helped little; seasonal
//! SBA as a candidate and as the default kept unless beaten by 2 % was best overall
//! (figures in [`super::select`]).

use super::testutil::{Kind, simulate};
use super::{Method, Options, forecast_item, forecast_with};
use pharma_core::rng::SplitMix64;

/// Series per class, days per series, held-out horizon.
const ITEMS: u64 = 1000;
const DAYS: usize = 730;
const H: usize = 28;

/// RMSSE and MASE of `forecast` on `actual`, scaled by the in-sample one-step naive
/// errors of `train` (M5's RMSSE, Hyndman's MASE with lag 1).
fn scores(train: &[f64], actual: &[f64], forecast: &[f64]) -> (f64, f64) {
    let diffs = train.windows(2).map(|w| w[1] - w[0]);
    let n = (train.len().max(2) - 1) as f64;
    let sq_scale = diffs.clone().map(|d| d * d).sum::<f64>() / n;
    let abs_scale = diffs.map(f64::abs).sum::<f64>() / n;
    let h = actual.len() as f64;
    let mse = actual.iter().zip(forecast).map(|(a, f)| (a - f) * (a - f)).sum::<f64>() / h;
    let mae = actual.iter().zip(forecast).map(|(a, f)| (a - f).abs()).sum::<f64>() / h;
    let safe = |s: f64| if s > 0.0 { s } else { 1.0 };
    ((mse / safe(sq_scale)).sqrt(), mae / safe(abs_scale))
}

#[test]
#[ignore = "a measurement: run in release with --ignored --nocapture"]
fn selection_against_single_methods_per_class() {
    let opts = Options::daily(H);
    for kind in Kind::ALL {
        let mut sel = (0.0, 0.0);
        let mut single = [(0.0, 0.0); Method::ALL.len()];
        let mut chosen = [0usize; Method::ALL.len()];
        for seed in 0..ITEMS {
            let mut rng = SplitMix64::new(seed * 7919 + kind as u64);
            let series = simulate(kind, &mut rng, DAYS + H);
            let (train, test) = series.split_at(DAYS);
            let f = forecast_item(train, &[], &opts);
            let s = scores(train, test, &f.daily);
            sel = (sel.0 + s.0, sel.1 + s.1);
            if let Some(i) = Method::ALL.iter().position(|m| *m == f.method) {
                chosen[i] += 1;
            }
            for (i, m) in Method::ALL.into_iter().enumerate() {
                let s = scores(train, test, &forecast_with(m, train, &[], &opts).daily);
                single[i] = (single[i].0 + s.0, single[i].1 + s.1);
            }
        }
        let n = ITEMS as f64;
        println!("{kind:?}: selection RMSSE {:.4} MASE {:.4}", sel.0 / n, sel.1 / n);
        for (i, m) in Method::ALL.into_iter().enumerate() {
            println!(
                "    {:15} RMSSE {:.4} MASE {:.4} chosen {:3}",
                m.name(),
                single[i].0 / n,
                single[i].1 / n,
                chosen[i]
            );
        }
    }
}

/// Coverage of the 90 % interval `[q05, q95]`, of the horizon total and of daily points,
/// on the three kinds of data the coverage tests use, for several horizons.
#[test]
#[ignore = "a measurement: run in release with --ignored --nocapture"]
fn interval_coverage_by_kind_and_horizon() {
    use super::testutil::{Process, coverage};
    let processes = [
        Process::Poisson,
        Process::Weekly,
        Process::Intermittent,
        Process::Simulated(Kind::Smooth),
        Process::Simulated(Kind::Lumpy),
    ];
    for h in [7, 14, 28] {
        for process in processes {
            let (total, daily) = coverage(process, 400, h, 9_000);
            println!("h {h:2} {:30} total {total:.3} daily {daily:.3}", format!("{process:?}"));
        }
    }
}

#[test]
#[ignore = "a measurement"]
fn intermittent_rates_by_seed() {
    use super::testutil::{bernoulli_poisson, final_forecast};
    for seed in 1..=10 {
        let mut rng = SplitMix64::new(seed);
        let y = bernoulli_poisson(&mut rng, 730, 0.2, 4.0);
        let tail: f64 = y[730 - 60..].iter().sum::<f64>() / 60.0;
        let rates: Vec<String> =
            [Method::Croston, Method::Sba, Method::Tsb, Method::Adida, Method::Imapa, Method::Ses]
                .iter()
                .map(|m| format!("{} {:.3}", m.name(), final_forecast(*m, &y, 7, 7)[0]))
                .collect();
        println!("seed {seed}: last 60 days {tail:.3}; {}", rates.join(", "));
    }
}
