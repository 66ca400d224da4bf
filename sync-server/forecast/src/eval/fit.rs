//! Runs the engine on every series' training part, each method forced and the per-item
//! selection, in parallel over series. The only place this module calls the engine.

use super::score::HeldOut;
use crate as forecast;
use crate::{Forecast, Method, Options};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The name the per-item selection is reported under.
pub const AUTO: &str = "auto";

/// What `forecast eval` can run: one method forced, or the per-item selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Candidate {
    /// [`forecast::forecast_with`] with this method.
    Forced(Method),
    /// [`forecast::forecast_item`].
    Auto,
}

impl Candidate {
    /// Every method forced, then the selection.
    pub fn all() -> Vec<Candidate> {
        Method::ALL.into_iter().map(Candidate::Forced).chain([Candidate::Auto]).collect()
    }

    /// The name in tables and files.
    pub fn name(self) -> &'static str {
        match self {
            Candidate::Forced(m) => m.name(),
            Candidate::Auto => AUTO,
        }
    }

    /// The candidate of a name, if any.
    pub fn parse(name: &str) -> Option<Candidate> {
        if name == AUTO { Some(Candidate::Auto) } else { Method::parse(name).map(Candidate::Forced) }
    }

    fn run(self, train: &[f64], opts: &Options) -> Forecast {
        match self {
            Candidate::Forced(m) => forecast::forecast_with(m, train, &[], opts),
            Candidate::Auto => forecast::forecast_item(train, &[], opts),
        }
    }
}

/// Every series' forecasts, one per candidate in order, and the time it took.
#[derive(Debug)]
pub struct Fitted {
    /// `forecasts[series][candidate]`.
    pub forecasts: Vec<Vec<HeldOut>>,
    /// Wall time of the whole parallel fit.
    pub wall: Duration,
    /// Time spent in each candidate, summed over threads.
    pub busy: Vec<Duration>,
    /// Threads used.
    pub threads: usize,
}

/// What one thread did: `(series index, forecasts)` and its time per candidate.
type WorkerResult = (Vec<(usize, Vec<HeldOut>)>, Vec<Duration>);

/// Fits every candidate on every training series. Series are handed out one at a time
/// from a shared counter: their cost varies (a lumpy item is cheaper than a smooth one),
/// so fixed chunks would leave a thread idle at the end.
pub fn fit_all(trains: &[&[f64]], candidates: &[Candidate], opts: &Options) -> Fitted {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(trains.len().max(1));
    let next = AtomicUsize::new(0);
    let start = Instant::now();
    let per_thread: Vec<WorkerResult> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    let mut busy = vec![Duration::ZERO; candidates.len()];
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(train) = trains.get(i) else { break };
                        let row = candidates
                            .iter()
                            .zip(busy.iter_mut())
                            .map(|(c, spent)| {
                                let t = Instant::now();
                                let f = c.run(train, opts);
                                *spent += t.elapsed();
                                held_out(&f)
                            })
                            .collect();
                        done.push((i, row));
                    }
                    (done, busy)
                })
            })
            .collect();
        // A panic in the engine is a bug: let it surface with its message.
        workers.into_iter().map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    let wall = start.elapsed();
    let mut forecasts = vec![Vec::new(); trains.len()];
    let mut busy = vec![Duration::ZERO; candidates.len()];
    for (done, spent) in per_thread {
        for (i, row) in done {
            forecasts[i] = row;
        }
        for (total, s) in busy.iter_mut().zip(spent) {
            *total += s;
        }
    }
    Fitted { forecasts, wall, busy, threads }
}

fn held_out(f: &Forecast) -> HeldOut {
    let q = |pick: fn(&forecast::Quantiles) -> f64| Some(f.daily_quantiles.iter().map(pick).collect());
    HeldOut {
        mean: f.daily.clone(),
        q05: q(|q| q.q05),
        q50: q(|q| q.q50),
        q90: q(|q| q.q90),
        q95: q(|q| q.q95),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_auto_comes_last() {
        let all = Candidate::all();
        assert_eq!(all.last(), Some(&Candidate::Auto));
        for c in all {
            assert_eq!(Candidate::parse(c.name()), Some(c));
        }
        assert_eq!(Candidate::parse("nope"), None);
    }

    #[test]
    fn every_series_gets_every_candidate_in_order() {
        let a: Vec<f64> = (0..60).map(|d| f64::from(d % 7)).collect();
        let b = vec![0.0; 40];
        let trains = [&a[..], &b[..], &a[..20]];
        let candidates = Candidate::all();
        let fitted = fit_all(&trains, &candidates, &Options { horizon: 5, season: 7, prior: None });
        assert_eq!(fitted.forecasts.len(), 3);
        for row in &fitted.forecasts {
            assert_eq!(row.len(), candidates.len());
            assert!(row.iter().all(|f| f.mean.len() == 5));
        }
    }
}
