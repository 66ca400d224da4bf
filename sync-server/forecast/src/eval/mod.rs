//! Measuring the forecasting engine: `forecast eval` and `forecast score`, a deterministic
//! synthetic data set ([`synth`]), and the metrics they share ([`metrics`]).
//!
//! `forecast eval --input SERIES.csv --horizon H --season S` reads series in the long
//! format statsforecast reads ([`series`]), holds out the last `H` points of each, forecasts
//! them with every method of the engine forced and with its per-item selection (`auto`),
//! and prints MASE, RMSSE, scaled pinball losses and the coverage of the 90 % interval,
//! overall and per demand class of the training part ([`mod@score`]). `--out FILE.csv` writes
//! every held-out forecast ([`forecasts`]); `forecast score` reads such a file, from this
//! engine or any other, and prints the same tables, so two engines are scored by one
//! implementation.
//!
//! With `--json`, the tables go to standard output as JSON and the text for people to
//! standard error.

pub mod fit;
pub mod forecasts;
pub mod metrics;
pub mod records;
pub mod score;
pub mod series;
pub mod synth;

use fit::Candidate;
use forecasts::{ForecastFile, ForecastFileError};
use metrics::Scales;
use score::{Evaluated, HeldOut, Table};
use serde::Serialize;
use series::{DsKind, Series, SeriesError};
use std::ffi::OsString;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// `forecast eval`.
#[derive(Debug, Clone, clap::Args)]
pub struct EvalArgs {
    /// Series in the long format `unique_id,ds,y` (header required).
    #[arg(long)]
    pub input: PathBuf,
    /// Points held out at the end of each series, and forecast.
    #[arg(long, value_parser = positive)]
    pub horizon: usize,
    /// Seasonal period (7 for daily data with a weekly pattern, 1 for none); also the lag
    /// of the naive forecast that scales MASE, RMSSE and the pinball loss.
    #[arg(long, value_parser = positive)]
    pub season: usize,
    /// Writes every held-out forecast to this file
    /// (`unique_id,ds,method,mean,q05,q50,q90,q95`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Methods to run, comma-separated (engine names and `auto`); all by default.
    #[arg(long, value_delimiter = ',', value_parser = candidate)]
    pub methods: Vec<Candidate>,
    /// Prints the tables as JSON on standard output (the text goes to standard error).
    #[arg(long)]
    pub json: bool,
}

/// `forecast score`.
#[derive(Debug, Clone, clap::Args)]
pub struct ScoreArgs {
    /// Series in the long format `unique_id,ds,y`, the same file the forecasts were made from.
    #[arg(long)]
    pub input: PathBuf,
    /// Held-out forecasts `unique_id,ds,method,mean[,q05,q50,q90,q95]`, from any engine.
    #[arg(long)]
    pub forecasts: PathBuf,
    /// Points held out at the end of each series.
    #[arg(long, value_parser = positive)]
    pub horizon: usize,
    /// Seasonal period, the lag of the scaling naive forecast.
    #[arg(long, value_parser = positive)]
    pub season: usize,
    /// Prints the tables as JSON on standard output (the text goes to standard error).
    #[arg(long)]
    pub json: bool,
}

fn positive(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("« {s} » : un entier strictement positif est attendu")),
    }
}

fn candidate(s: &str) -> Result<Candidate, String> {
    Candidate::parse(s.trim()).ok_or_else(|| {
        let names: Vec<&str> = Candidate::all().into_iter().map(Candidate::name).collect();
        format!("méthode « {s} » inconnue (connues : {})", names.join(", "))
    })
}

/// Why `forecast eval` or `forecast score` stopped. Nothing is written when it does.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A file could not be opened.
    #[error("« {path} » : ouverture impossible : {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The series file was refused.
    #[error("« {path} » : {source}")]
    Series {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: SeriesError,
    },
    /// The forecast file was refused.
    #[error("« {path} » : {source}")]
    Forecasts {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: ForecastFileError,
    },
    /// No series has `horizon + 1` points.
    #[error("« {path} » : aucune série n'a les {needed} points nécessaires (horizon + 1)")]
    NoSeries {
        /// The file.
        path: PathBuf,
        /// Points needed.
        needed: usize,
    },
    /// A forecast for a series the series file does not have.
    #[error("« {path} » : ligne {line} : série « {id} » absente du fichier des séries")]
    UnknownSeries {
        /// The forecast file.
        path: PathBuf,
        /// Line number.
        line: usize,
        /// The series.
        id: String,
    },
    /// A forecast for a point that is not among the last `horizon` of its series.
    #[error(
        "« {path} » : ligne {line} : ds « {ds} » n'est pas un des {horizon} derniers points de la série « {id} »"
    )]
    NotHeldOut {
        /// The forecast file.
        path: PathBuf,
        /// Line number.
        line: usize,
        /// The series.
        id: String,
        /// The `ds`.
        ds: String,
        /// The horizon.
        horizon: usize,
    },
    /// Two forecasts of one point by one method.
    #[error(
        "« {path} » : ligne {line} : prévision en double pour « {id} », ds « {ds} », méthode « {method} » (déjà ligne {first})"
    )]
    DuplicateForecast {
        /// The forecast file.
        path: PathBuf,
        /// Line number.
        line: usize,
        /// The first line.
        first: usize,
        /// The series.
        id: String,
        /// The `ds`.
        ds: String,
        /// The method.
        method: String,
    },
    /// A method forecast some but not all held-out points of a series.
    #[error("« {path} » : méthode « {method} », série « {id} » : prévision manquante pour ds « {ds} »")]
    Incomplete {
        /// The forecast file.
        path: PathBuf,
        /// The series.
        id: String,
        /// The method.
        method: String,
        /// The first point without a forecast.
        ds: String,
    },
    /// The forecast file could not be written.
    #[error("« {path} » : écriture impossible : {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// JSON output failed.
    #[error("sortie JSON impossible : {0}")]
    Json(#[from] serde_json::Error),
}

/// What `forecast eval` and `forecast score` print, as JSON with `--json`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `eval` or `score`.
    pub command: &'static str,
    /// Held-out points per series.
    pub horizon: usize,
    /// Seasonal period.
    pub season: usize,
    /// Series scored.
    pub series: usize,
    /// Series skipped for having fewer than `horizon + 1` points.
    pub skipped: Vec<String>,
    /// How long the fitting took (`eval` only).
    pub fit: Option<FitTimes>,
    /// The overall table, then one per demand class.
    pub tables: Vec<Table>,
}

/// Fitting times of `forecast eval`.
#[derive(Debug, Clone, Serialize)]
pub struct FitTimes {
    /// Wall time of the parallel fit of every method on every series.
    pub wall_seconds: f64,
    /// Threads.
    pub threads: usize,
    /// Time inside each method, summed over threads.
    pub busy_seconds: Vec<(String, f64)>,
}

impl Report {
    /// The report for people.
    pub fn render(&self, input: &Path) -> String {
        let mut out = format!(
            "forecast {} — « {} » : {} séries, horizon {}, saison {}\n",
            self.command,
            input.display(),
            self.series,
            self.horizon,
            self.season
        );
        if !self.skipped.is_empty() {
            let shown: Vec<&str> = self.skipped.iter().take(5).map(String::as_str).collect();
            let more = if self.skipped.len() > 5 { ", …" } else { "" };
            out.push_str(&format!(
                "{} séries ignorées (moins de {} points) : {}{more}\n",
                self.skipped.len(),
                self.horizon + 1,
                shown.join(", ")
            ));
        }
        if let Some(fit) = &self.fit {
            let busy: Vec<String> = fit.busy_seconds.iter().map(|(m, s)| format!("{m} {s:.2} s")).collect();
            out.push_str(&format!(
                "ajustement : {:.3} s de temps réel sur {} fils ; temps de calcul par méthode : {}\n",
                fit.wall_seconds,
                fit.threads,
                busy.join(", ")
            ));
        }
        out.push_str(&score::render(&self.tables));
        out
    }
}

/// Runs `forecast eval` and prints its report.
pub fn eval(args: &EvalArgs) -> Result<(), EvalError> {
    let report = eval_report(args)?;
    print(&report, &args.input, args.json)
}

/// Runs `forecast score` and prints its report.
pub fn score(args: &ScoreArgs) -> Result<(), EvalError> {
    let report = score_report(args)?;
    print(&report, &args.input, args.json)
}

fn print(report: &Report, input: &Path, json: bool) -> Result<(), EvalError> {
    let text = report.render(input);
    if json {
        eprint!("{text}");
        println!("{}", serde_json::to_string_pretty(report)?);
    } else {
        print!("{text}");
    }
    Ok(())
}

/// `forecast eval` without printing: fits, writes `--out` if asked, and scores.
pub fn eval_report(args: &EvalArgs) -> Result<Report, EvalError> {
    let (all, _) = read_series_file(&args.input)?;
    let (kept, skipped) = split(&all, args.horizon, &args.input)?;
    let candidates = if args.methods.is_empty() { Candidate::all() } else { args.methods.clone() };
    let trains: Vec<&[f64]> = kept.iter().map(|s| &s.y[..s.y.len() - args.horizon]).collect();
    let opts = crate::Options { horizon: args.horizon, season: args.season, prior: None };
    let fitted = fit::fit_all(&trains, &candidates, &opts);
    let names: Vec<&str> = candidates.iter().map(|c| c.name()).collect();
    if let Some(path) = &args.out {
        write_atomically(path, |w| forecasts::write(w, &kept, &names, &fitted.forecasts, args.horizon))?;
    }
    let evaluated: Vec<Evaluated> = kept
        .iter()
        .zip(fitted.forecasts)
        .map(|(s, row)| evaluated(s, args.horizon, args.season, row.into_iter().map(Some).collect()))
        .collect();
    let methods: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    Ok(Report {
        command: "eval",
        horizon: args.horizon,
        season: args.season,
        series: evaluated.len(),
        skipped,
        fit: Some(FitTimes {
            wall_seconds: fitted.wall.as_secs_f64(),
            threads: fitted.threads,
            busy_seconds: names
                .iter()
                .zip(&fitted.busy)
                .map(|(n, d)| (n.to_string(), d.as_secs_f64()))
                .collect(),
        }),
        tables: score::tables(&methods, &evaluated),
    })
}

/// `forecast score` without printing.
pub fn score_report(args: &ScoreArgs) -> Result<Report, EvalError> {
    let (all, kind) = read_series_file(&args.input)?;
    let (kept, skipped) = split(&all, args.horizon, &args.input)?;
    let file = File::open(&args.forecasts)
        .map_err(|source| EvalError::Open { path: args.forecasts.clone(), source })?;
    let file = forecasts::read(file, kind.or(Some(DsKind::Integer)))
        .map_err(|source| EvalError::Forecasts { path: args.forecasts.clone(), source })?;
    let (methods, forecasts) = assemble(file, &kept, &skipped, args.horizon, &args.forecasts)?;
    let evaluated: Vec<Evaluated> =
        kept.iter().zip(forecasts).map(|(s, row)| evaluated(s, args.horizon, args.season, row)).collect();
    Ok(Report {
        command: "score",
        horizon: args.horizon,
        season: args.season,
        series: evaluated.len(),
        skipped,
        fit: None,
        tables: score::tables(&methods, &evaluated),
    })
}

fn read_series_file(path: &Path) -> Result<(Vec<Series>, Option<DsKind>), EvalError> {
    let file = File::open(path).map_err(|source| EvalError::Open { path: path.to_path_buf(), source })?;
    series::read_series(file).map_err(|source| EvalError::Series { path: path.to_path_buf(), source })
}

/// The series long enough to hold out `h` points and train on at least one, and the ids
/// of the others.
fn split<'a>(all: &'a [Series], h: usize, path: &Path) -> Result<(Vec<&'a Series>, Vec<String>), EvalError> {
    let (kept, short): (Vec<&Series>, Vec<&Series>) = all.iter().partition(|s| s.y.len() > h);
    if kept.is_empty() {
        return Err(EvalError::NoSeries { path: path.to_path_buf(), needed: h + 1 });
    }
    Ok((kept, short.into_iter().map(|s| s.id.clone()).collect()))
}

fn evaluated(s: &Series, h: usize, season: usize, forecasts: Vec<Option<HeldOut>>) -> Evaluated {
    let (train, actual) = s.y.split_at(s.y.len() - h);
    Evaluated {
        class: crate::classify::classify(train).class,
        scales: Scales::of(train, season),
        actual: actual.to_vec(),
        forecasts,
    }
}

type Assembled = (Vec<String>, Vec<Vec<Option<HeldOut>>>);

/// Matches a forecast file's lines with the held-out points of the series, by `ds`.
fn assemble(
    mut file: ForecastFile,
    kept: &[&Series],
    skipped: &[String],
    h: usize,
    path: &Path,
) -> Result<Assembled, EvalError> {
    let mut rows: Vec<Vec<Option<HeldOut>>> = vec![vec![None; file.methods.len()]; kept.len()];
    for (m, method) in file.methods.iter().enumerate() {
        let by_id = &mut file.lines[m];
        for (s, row) in kept.iter().zip(rows.iter_mut()) {
            let Some(lines) = by_id.remove(&s.id) else { continue };
            let n = s.keys.len();
            let keys = &s.keys[n - h..];
            let mut slots: Vec<Option<&forecasts::Line>> = vec![None; h];
            for l in &lines {
                let Ok(pos) = keys.binary_search(&l.key) else {
                    return Err(EvalError::NotHeldOut {
                        path: path.to_path_buf(),
                        line: l.line,
                        id: s.id.clone(),
                        ds: l.ds.clone(),
                        horizon: h,
                    });
                };
                if let Some(first) = slots[pos] {
                    return Err(EvalError::DuplicateForecast {
                        path: path.to_path_buf(),
                        line: l.line.max(first.line),
                        first: l.line.min(first.line),
                        id: s.id.clone(),
                        ds: l.ds.clone(),
                        method: method.clone(),
                    });
                }
                slots[pos] = Some(l);
            }
            let mut points = Vec::with_capacity(h);
            for (i, slot) in slots.into_iter().enumerate() {
                match slot {
                    Some(l) => points.push(l),
                    None => {
                        return Err(EvalError::Incomplete {
                            path: path.to_path_buf(),
                            id: s.id.clone(),
                            method: method.clone(),
                            ds: s.ds[n - h + i].clone(),
                        });
                    }
                }
            }
            let quantile = |k: usize| points.iter().map(|l| l.quantiles[k]).collect::<Option<Vec<f64>>>();
            row[m] = Some(HeldOut {
                mean: points.iter().map(|l| l.mean).collect(),
                q05: quantile(0),
                q50: quantile(1),
                q90: quantile(2),
                q95: quantile(3),
            });
        }
        // What is left is either a short series (ignored, like in `eval`) or unknown.
        let unknown = by_id
            .iter()
            .filter(|(id, _)| !skipped.contains(id))
            .flat_map(|(id, lines)| lines.iter().map(move |l| (l.line, id)))
            .min();
        if let Some((line, id)) = unknown {
            return Err(EvalError::UnknownSeries { path: path.to_path_buf(), line, id: id.clone() });
        }
    }
    Ok((file.methods, rows))
}

/// Writes through a temporary file renamed at the end, so a failure never leaves a
/// half-written forecast file behind.
fn write_atomically(
    path: &Path,
    write: impl FnOnce(BufWriter<&File>) -> std::io::Result<()>,
) -> Result<(), EvalError> {
    let mut tmp = OsString::from(path.as_os_str());
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let result = File::create(&tmp)
        .and_then(|file| write(BufWriter::with_capacity(1 << 16, &file)).and_then(|()| file.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    result.map_err(|source| {
        let _ = std::fs::remove_file(&tmp);
        EvalError::Write { path: path.to_path_buf(), source }
    })
}
