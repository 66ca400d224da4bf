//! Scores held-out forecasts and lays the results out as tables: one over all series, one
//! per demand class of the training part. `forecast eval` and `forecast score` both end
//! here, so a file written by one and read by the other gives the same figures.

use super::metrics::{self, Scales};
use crate::DemandClass;
use serde::Serialize;
use std::fmt::Write as _;

/// One method's forecast of one series' held-out points.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HeldOut {
    /// Point forecasts (means).
    pub mean: Vec<f64>,
    /// 5 % quantiles, if the method gave them.
    pub q05: Option<Vec<f64>>,
    /// Medians, if given.
    pub q50: Option<Vec<f64>>,
    /// 90 % quantiles, if given.
    pub q90: Option<Vec<f64>>,
    /// 95 % quantiles, if given.
    pub q95: Option<Vec<f64>>,
}

/// One series ready to score.
#[derive(Debug, Clone)]
pub struct Evaluated {
    /// ADI/CV² class of the training part.
    pub class: DemandClass,
    /// The training part's scales; `None` leaves the series out of scaled means.
    pub scales: Option<Scales>,
    /// The held-out values.
    pub actual: Vec<f64>,
    /// One entry per method (in the order of the method list); `None` when that method
    /// gave no forecast for this series.
    pub forecasts: Vec<Option<HeldOut>>,
}

/// One method's line of a table. `None` is printed "—": the method gave no quantile for
/// that measure, or no series has a scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Method name.
    pub method: String,
    /// Series with a forecast by this method.
    pub series: usize,
    /// Of those, series left out of the scaled means (scale zero or undefined).
    pub excluded: usize,
    /// Mean MASE.
    pub mase: Option<f64>,
    /// Mean RMSSE.
    pub rmsse: Option<f64>,
    /// Mean scaled pinball loss of the median.
    pub pinball_50: Option<f64>,
    /// Mean scaled pinball loss of the 90 % quantile.
    pub pinball_90: Option<f64>,
    /// Mean scaled pinball loss of the 95 % quantile.
    pub pinball_95: Option<f64>,
    /// Mean share of held-out points inside [q05, q95] (all series, scale or not).
    pub coverage_90: Option<f64>,
}

/// The rows of one group of series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// `all` or a demand class (`smooth`, `erratic`, `intermittent`, `lumpy`).
    pub class: &'static str,
    /// Series in the group.
    pub series: usize,
    /// Of those, series without a scale.
    pub excluded: usize,
    /// One row per method.
    pub rows: Vec<Row>,
}

const GROUPS: [(Option<DemandClass>, &str, &str); 5] = [
    (None, "all", "toutes classes"),
    (Some(DemandClass::Smooth), "smooth", "smooth (régulière)"),
    (Some(DemandClass::Erratic), "erratic", "erratic (erratique)"),
    (Some(DemandClass::Intermittent), "intermittent", "intermittent (intermittente)"),
    (Some(DemandClass::Lumpy), "lumpy", "lumpy (sporadique, à-coups)"),
];

/// The class name used in tables and JSON.
pub fn class_name(class: DemandClass) -> &'static str {
    GROUPS.iter().find(|g| g.0 == Some(class)).map_or("all", |g| g.1)
}

#[derive(Default)]
struct Mean {
    sum: f64,
    n: usize,
}

impl Mean {
    fn add(&mut self, v: f64) {
        self.sum += v;
        self.n += 1;
    }
    fn get(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }
}

/// A measure that needs quantiles is shown only if every series the method forecast has
/// them: a mean over a subset would not be comparable with the other rows.
#[derive(Default)]
struct Needs {
    mean: Mean,
    missing: bool,
}

impl Needs {
    fn get(&self) -> Option<f64> {
        if self.missing { None } else { self.mean.get() }
    }
}

#[derive(Default)]
struct Acc {
    series: usize,
    excluded: usize,
    mase: Mean,
    rmsse: Mean,
    pinball: [Needs; 3],
    coverage: Needs,
}

impl Acc {
    fn add(&mut self, s: &Evaluated, f: &HeldOut) {
        self.series += 1;
        let a = &s.actual;
        match s.scales {
            None => self.excluded += 1,
            Some(scales) => {
                self.mase.add(metrics::mase(a, &f.mean, scales));
                self.rmsse.add(metrics::rmsse(a, &f.mean, scales));
                for ((q, tau), acc) in
                    [(&f.q50, 0.5), (&f.q90, 0.9), (&f.q95, 0.95)].into_iter().zip(&mut self.pinball)
                {
                    match q {
                        Some(q) => acc.mean.add(metrics::pinball(a, q, tau, scales)),
                        None => acc.missing = true,
                    }
                }
            }
        }
        match (&f.q05, &f.q95) {
            (Some(lo), Some(hi)) => self.coverage.mean.add(metrics::coverage(a, lo, hi)),
            _ => self.coverage.missing = true,
        }
    }

    fn row(&self, method: &str) -> Row {
        Row {
            method: method.to_string(),
            series: self.series,
            excluded: self.excluded,
            mase: self.mase.get(),
            rmsse: self.rmsse.get(),
            pinball_50: self.pinball[0].get(),
            pinball_90: self.pinball[1].get(),
            pinball_95: self.pinball[2].get(),
            coverage_90: self.coverage.get(),
        }
    }
}

/// The overall table, then one per class (present even when empty, so the layout is
/// always the same).
pub fn tables(methods: &[String], evaluated: &[Evaluated]) -> Vec<Table> {
    GROUPS
        .iter()
        .map(|&(class, name, _)| {
            let members: Vec<&Evaluated> =
                evaluated.iter().filter(|s| class.is_none_or(|c| s.class == c)).collect();
            let rows = methods
                .iter()
                .enumerate()
                .map(|(m, method)| {
                    let mut acc = Acc::default();
                    for s in &members {
                        if let Some(Some(f)) = s.forecasts.get(m) {
                            acc.add(s, f);
                        }
                    }
                    acc.row(method)
                })
                .collect();
            Table {
                class: name,
                series: members.len(),
                excluded: members.iter().filter(|s| s.scales.is_none()).count(),
                rows,
            }
        })
        .collect()
}

fn cell(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{v:.3}"))
}

fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{:.1} %", 100.0 * v))
}

/// The tables for people.
pub fn render(tables: &[Table]) -> String {
    let width =
        tables.iter().flat_map(|t| &t.rows).map(|r| r.method.chars().count()).max().unwrap_or(0).max(7);
    let mut out = String::new();
    for t in tables {
        let label = GROUPS.iter().find(|g| g.1 == t.class).map_or(t.class, |g| g.2);
        let _ = writeln!(
            out,
            "\n{label} — {} séries, {} exclues des mesures mises à l'échelle (échelle nulle)",
            t.series, t.excluded
        );
        if t.series == 0 {
            continue;
        }
        let _ = writeln!(
            out,
            "{:<width$}  {:>6}  {:>7}  {:>7}  {:>11}  {:>11}  {:>12}  {:>15}",
            "méthode",
            "séries",
            "MASE",
            "RMSSE",
            "pinball 0.5",
            "pinball 0.9",
            "pinball 0.95",
            "couverture 90 %"
        );
        for r in &t.rows {
            let _ = writeln!(
                out,
                "{:<width$}  {:>6}  {:>7}  {:>7}  {:>11}  {:>11}  {:>12}  {:>15}",
                r.method,
                r.series,
                cell(r.mase),
                cell(r.rmsse),
                cell(r.pinball_50),
                cell(r.pinball_90),
                cell(r.pinball_95),
                percent(r.coverage_90)
            );
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn held(mean: &[f64], quantiles: bool) -> HeldOut {
        let q = |d: f64| quantiles.then(|| mean.iter().map(|m| m + d).collect());
        HeldOut { mean: mean.to_vec(), q05: q(-1.0), q50: q(0.0), q90: q(1.0), q95: q(2.0) }
    }

    #[test]
    fn unweighted_mean_over_series_and_exclusions_counted() {
        let scales = Some(Scales { mae: 1.0, mse: 1.0 });
        let series = vec![
            Evaluated {
                class: DemandClass::Smooth,
                scales,
                actual: vec![1.0, 1.0],
                forecasts: vec![Some(held(&[1.0, 1.0], true)), Some(held(&[0.0, 0.0], false))],
            },
            Evaluated {
                class: DemandClass::Lumpy,
                scales,
                actual: vec![0.0, 4.0],
                forecasts: vec![Some(held(&[1.0, 1.0], true)), None],
            },
            Evaluated {
                class: DemandClass::Lumpy,
                scales: None,
                actual: vec![2.0, 2.0],
                forecasts: vec![Some(held(&[2.0, 2.0], true)), Some(held(&[2.0, 2.0], false))],
            },
        ];
        let methods = ["a".to_string(), "b".to_string()];
        let t = tables(&methods, &series);
        assert_eq!(t.len(), 5);
        let all = &t[0];
        assert_eq!((all.series, all.excluded), (3, 1));
        let a = &all.rows[0];
        assert_eq!((a.series, a.excluded), (3, 1));
        // MASE: series 1 → 0, series 2 → (1 + 3)/2 = 2; mean 1.
        assert_eq!(a.mase, Some(1.0));
        // Coverage counts every series: [0,3] ∋ 1,1 → 1; [0,3] ∌ 4 → 0.5; 1 → mean 2.5/3.
        assert!((a.coverage_90.unwrap() - 2.5 / 3.0).abs() < 1e-12);
        let b = &all.rows[1];
        assert_eq!((b.series, b.mase, b.pinball_50, b.coverage_90), (2, Some(1.0), None, None));
        let lumpy = &t[4];
        assert_eq!((lumpy.class, lumpy.series, lumpy.excluded), ("lumpy", 2, 1));
        assert_eq!(lumpy.rows[0].mase, Some(2.0));
        let erratic = &t[2];
        assert_eq!((erratic.series, erratic.rows[0].mase), (0, None));
        let text = render(&t);
        assert!(text.contains("toutes classes — 3 séries, 1 exclues"), "{text}");
        assert!(text.contains("—"), "{text}");
    }
}
