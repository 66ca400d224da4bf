//! Series in the long CSV format that statsforecast reads: a header naming `unique_id`,
//! `ds` and `y` (in any order, other columns ignored), then one observation per line.
//!
//! `ds` is an integer, a date `YYYY-MM-DD`, or a date-time (`YYYY-MM-DD HH:MM:SS`, with
//! `T` or a space, or RFC 3339 with an offset); integers and dates cannot be mixed in one
//! file. Each series is sorted by `ds`; its step is the smallest gap between two points and
//! every gap must equal it: a missing point would silently shift every held-out day, so it
//! is an error, like a duplicate. `y` is any finite number (the engine clips negatives).
//!
//! The whole file is read before anything is computed, so a bad line stops a command before
//! it writes any output.

use super::records::{self, RecordError, Records};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime};
use std::collections::HashMap;
use std::io::Read;

/// Milliseconds in a day, the unit of date keys.
const DAY_MS: i64 = 86_400_000;

/// One series, sorted by `ds`.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// `unique_id` as read.
    pub id: String,
    /// Each point's `ds` exactly as read, so outputs can write it back unchanged.
    pub ds: Vec<String>,
    /// Each point's `ds` as a comparable key (see [`DsKind`]).
    pub keys: Vec<i64>,
    /// The observations.
    pub y: Vec<f64>,
}

/// What the `ds` column holds; its keys are only comparable within one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DsKind {
    /// Plain integers: the key is the integer.
    Integer,
    /// Dates or date-times: the key is milliseconds since 1970-01-01 UTC.
    Time,
}

impl DsKind {
    fn label(self) -> &'static str {
        match self {
            DsKind::Integer => "entier",
            DsKind::Time => "date",
        }
    }
}

/// Why a series file was refused. Line numbers count the header as line 1.
#[derive(Debug, thiserror::Error)]
pub enum SeriesError {
    /// Reading failed, or a record could not be read (an unclosed quote).
    #[error(transparent)]
    Record(#[from] RecordError),
    /// Nothing at all, not even a header.
    #[error("fichier vide : une ligne d'en-tête unique_id,ds,y est attendue")]
    Empty,
    /// A required column is not in the header.
    #[error("ligne 1 : colonne « {0} » absente de l'en-tête (colonnes requises : {1})")]
    MissingColumn(&'static str, &'static str),
    /// A column is named twice in the header.
    #[error("ligne 1 : colonne « {0} » en double dans l'en-tête")]
    DuplicateColumn(&'static str),
    /// A line has fewer fields than the columns it needs.
    #[error("ligne {line} : champ « {column} » manquant ({found} champs sur la ligne)")]
    ShortLine {
        /// Line number.
        line: usize,
        /// The first column not reached.
        column: &'static str,
        /// Fields on the line.
        found: usize,
    },
    /// An empty `unique_id`.
    #[error("ligne {line} : unique_id vide")]
    EmptyId {
        /// Line number.
        line: usize,
    },
    /// `ds` is not an integer, a date or a date-time.
    #[error(
        "ligne {line} : ds « {value} » illisible (attendu : entier, AAAA-MM-JJ, AAAA-MM-JJ HH:MM:SS ou RFC 3339)"
    )]
    BadDs {
        /// Line number.
        line: usize,
        /// The field.
        value: String,
    },
    /// `ds` is not of the kind the first line set.
    #[error("ligne {line} : ds « {value} » n'est pas du même type que les lignes précédentes ({expected})")]
    MixedDs {
        /// Line number.
        line: usize,
        /// The field.
        value: String,
        /// The kind of the first data line.
        expected: &'static str,
    },
    /// A value that is not a finite number.
    #[error("ligne {line} : {column} « {value} » n'est pas un nombre fini")]
    BadNumber {
        /// Line number.
        line: usize,
        /// The column.
        column: &'static str,
        /// The field.
        value: String,
    },
    /// The same `ds` twice in one series.
    #[error("série « {id} » : ds « {ds} » en double (lignes {first} et {second})")]
    Duplicate {
        /// Series.
        id: String,
        /// The repeated `ds`.
        ds: String,
        /// Its first line.
        first: usize,
        /// Its second line.
        second: usize,
    },
    /// A gap of several steps: points are missing.
    #[error(
        "série « {} » : point manquant à ds « {missing} » (entre « {} » et « {} », ligne {}) ; le pas de la série est {}",
        .gap.id, .gap.before, .gap.after, .gap.line, .gap.step
    )]
    Missing {
        /// The first missing `ds`.
        missing: String,
        /// Where.
        gap: Box<Gap>,
    },
    /// A gap that is not a multiple of the step.
    #[error(
        "série « {} » : pas irrégulier entre ds « {} » et « {} » (ligne {}) ; le pas de la série est {}",
        .0.id, .0.before, .0.after, .0.line, .0.step
    )]
    Irregular(Box<Gap>),
}

/// Where a series' step breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// Series.
    pub id: String,
    /// The point before the gap, as read.
    pub before: String,
    /// The point after it, as read.
    pub after: String,
    /// The line of the point after the gap.
    pub line: usize,
    /// The series' step, for people.
    pub step: String,
}

/// A parsed `ds`.
pub(crate) fn parse_ds(field: &str) -> Option<(DsKind, i64)> {
    let s = field.trim();
    if let Ok(n) = s.parse::<i64>() {
        return Some((DsKind::Integer, n));
    }
    if s.len() == 10 {
        return parse_date(s.as_bytes()).map(|date| (DsKind::Time, days_since_epoch(date) * DAY_MS));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some((DsKind::Time, t.timestamp_millis()));
    }
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .map(|t| (DsKind::Time, t.and_utc().timestamp_millis()))
}

/// `YYYY-MM-DD` by hand: chrono's format-string parser is most of the reading time of a
/// large daily file.
fn parse_date(b: &[u8]) -> Option<NaiveDate> {
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(5..7)?, digits(8..10)?)
}

fn days_since_epoch(date: NaiveDate) -> i64 {
    // 719_163 days from 0001-01-01 (day 1 of the common era) to 1970-01-01.
    i64::from(date.num_days_from_ce()) - 719_163
}

/// A key written for people: dates as dates, date-times as date-times.
fn format_key(kind: DsKind, key: i64, like_date: bool) -> String {
    match kind {
        DsKind::Integer => key.to_string(),
        DsKind::Time => match DateTime::from_timestamp_millis(key) {
            Some(t) if like_date && key % DAY_MS == 0 => t.format("%Y-%m-%d").to_string(),
            Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => key.to_string(),
        },
    }
}

fn format_step(kind: DsKind, step: i64) -> String {
    match kind {
        DsKind::Integer => step.to_string(),
        DsKind::Time if step % DAY_MS == 0 => match step / DAY_MS {
            1 => "1 jour".to_string(),
            n => format!("{n} jours"),
        },
        DsKind::Time if step % 1000 == 0 => format!("{} s", step / 1000),
        DsKind::Time => format!("{step} ms"),
    }
}

/// Each point's month number (year × 12 + month) when every point falls on the same day
/// of its month (or every one on its month's last day) at the same time of day; `None`
/// otherwise, and for a single point.
fn calendar_months(points: &[Point]) -> Option<Vec<i64>> {
    let times: Vec<DateTime<chrono::Utc>> =
        points.iter().map(|p| DateTime::from_timestamp_millis(p.key)).collect::<Option<_>>()?;
    let first = times.first()?;
    let same_time = times.iter().all(|t| t.time() == first.time());
    let month_end = |t: &DateTime<chrono::Utc>| t.date_naive().succ_opt().is_some_and(|d| d.day() == 1);
    let same_day = times.iter().all(|t| t.day() == first.day()) || times.iter().all(month_end);
    (same_time && same_day && times.len() > 1)
        .then(|| times.iter().map(|t| i64::from(t.year()) * 12 + i64::from(t.month0())).collect())
}

/// `key` (milliseconds) moved `months` later, on the same day (or the month's last day,
/// when it was one), written as a date.
fn add_months(key: i64, months: i64) -> Option<String> {
    let t = DateTime::from_timestamp_millis(key)?;
    let date = t.date_naive();
    let was_end = date.succ_opt().is_some_and(|d| d.day() == 1);
    let moved = date.checked_add_months(chrono::Months::new(u32::try_from(months).ok()?))?;
    let moved = if was_end {
        let next = moved.checked_add_months(chrono::Months::new(1))?;
        NaiveDate::from_ymd_opt(next.year(), next.month(), 1)?.pred_opt()?
    } else {
        moved
    };
    Some(moved.format("%Y-%m-%d").to_string())
}

/// Parses a `y`-like number: finite, surrounding spaces allowed.
pub(crate) fn parse_number(field: &str) -> Option<f64> {
    field.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

struct Point {
    key: i64,
    y: f64,
    line: usize,
    ds: String,
}

/// Reads every series of a long-format file, in the order each first appears.
pub fn read_series<R: Read>(reader: R) -> Result<(Vec<Series>, Option<DsKind>), SeriesError> {
    const REQUIRED: &str = "unique_id, ds, y";
    let mut records = Records::new(reader)?;
    let (id_col, ds_col, y_col) = {
        let Some((line, header)) = records.next_record(false)? else {
            return Err(SeriesError::Empty);
        };
        // A blank first line is a header without columns, as it was before the `csv` crate.
        let columns =
            if line == 1 { records::find_columns(header, ["unique_id", "ds", "y"]) } else { Ok([None; 3]) };
        match columns {
            Err(name) => return Err(SeriesError::DuplicateColumn(name)),
            Ok([None, _, _]) => return Err(SeriesError::MissingColumn("unique_id", REQUIRED)),
            Ok([_, None, _]) => return Err(SeriesError::MissingColumn("ds", REQUIRED)),
            Ok([_, _, None]) => return Err(SeriesError::MissingColumn("y", REQUIRED)),
            Ok([Some(i), Some(d), Some(y)]) => (i, d, y),
        }
    };
    let mut order: Vec<(String, Vec<Point>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut kind: Option<DsKind> = None;
    // Long files list one series' rows together: remembering the last one skips the hash.
    let mut last: Option<usize> = None;
    while let Some((line, fields)) = records.next_record(true)? {
        let get = |col: usize, column: &'static str| {
            fields.get(col).ok_or(SeriesError::ShortLine { line, column, found: fields.len() })
        };
        let (id, ds, y) = (get(id_col, "unique_id")?, get(ds_col, "ds")?, get(y_col, "y")?);
        if id.is_empty() {
            return Err(SeriesError::EmptyId { line });
        }
        let Some((k, key)) = parse_ds(ds) else {
            return Err(SeriesError::BadDs { line, value: ds.to_string() });
        };
        match kind {
            None => kind = Some(k),
            Some(expected) if expected != k => {
                return Err(SeriesError::MixedDs { line, value: ds.to_string(), expected: expected.label() });
            }
            Some(_) => {}
        }
        let Some(y) = parse_number(y) else {
            return Err(SeriesError::BadNumber { line, column: "y", value: y.to_string() });
        };
        let slot = match last {
            Some(s) if order[s].0 == id => s,
            _ => match index.get(id) {
                Some(&s) => s,
                None => {
                    index.insert(id.to_string(), order.len());
                    order.push((id.to_string(), Vec::new()));
                    order.len() - 1
                }
            },
        };
        last = Some(slot);
        order[slot].1.push(Point { key, y, line, ds: ds.to_string() });
    }
    let kind_or_int = kind.unwrap_or(DsKind::Integer);
    let series = order
        .into_iter()
        .map(|(id, points)| regular(id, points, kind_or_int))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((series, kind))
}

/// Sorts one series and checks that its step is regular.
fn regular(id: String, mut points: Vec<Point>, kind: DsKind) -> Result<Series, SeriesError> {
    // Stable and linear on the usual already-sorted input.
    points.sort_by_key(|p| p.key);
    for w in points.windows(2) {
        if w[0].key == w[1].key {
            let (first, second) = (w[0].line.min(w[1].line), w[0].line.max(w[1].line));
            return Err(SeriesError::Duplicate { id, ds: w[1].ds.clone(), first, second });
        }
    }
    let step = points.windows(2).map(|w| w[1].key - w[0].key).min();
    // Months, quarters and years have no fixed length in days: such a series is regular
    // in calendar months (statsforecast's `MS`, `ME`, `QS`, `YS`… frequencies).
    let calendar = match (kind, step) {
        (DsKind::Time, Some(step)) if points.windows(2).any(|w| w[1].key - w[0].key != step) => {
            calendar_months(&points)
        }
        _ => None,
    };
    if let Some(months) = calendar {
        let step = months.windows(2).map(|w| w[1] - w[0]).min().unwrap_or(1);
        for (i, w) in months.windows(2).enumerate() {
            let gap = w[1] - w[0];
            if gap == step {
                continue;
            }
            let (a, b) = (&points[i], &points[i + 1]);
            let unit = match step {
                1 => "1 mois".to_string(),
                12 => "1 an".to_string(),
                n => format!("{n} mois"),
            };
            let detail =
                Box::new(Gap { id, before: a.ds.clone(), after: b.ds.clone(), line: b.line, step: unit });
            if gap % step == 0 {
                let missing = add_months(a.key, step).unwrap_or_else(|| a.ds.clone());
                return Err(SeriesError::Missing { missing, gap: detail });
            }
            return Err(SeriesError::Irregular(detail));
        }
    } else if let Some(step) = step {
        for w in points.windows(2) {
            let gap = w[1].key - w[0].key;
            if gap == step {
                continue;
            }
            let like_date = w[0].ds.trim().len() == 10;
            let detail = Box::new(Gap {
                id,
                before: w[0].ds.clone(),
                after: w[1].ds.clone(),
                line: w[1].line,
                step: format_step(kind, step),
            });
            if gap % step == 0 {
                let missing = format_key(kind, w[0].key + step, like_date);
                return Err(SeriesError::Missing { missing, gap: detail });
            }
            return Err(SeriesError::Irregular(detail));
        }
    }
    let mut series = Series {
        id,
        ds: Vec::with_capacity(points.len()),
        keys: Vec::with_capacity(points.len()),
        y: Vec::with_capacity(points.len()),
    };
    for p in points {
        series.ds.push(p.ds);
        series.keys.push(p.key);
        series.y.push(p.y);
    }
    Ok(series)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<Series>, SeriesError> {
        read_series(text.as_bytes()).map(|(s, _)| s)
    }

    fn message(text: &str) -> String {
        read(text).unwrap_err().to_string()
    }

    #[test]
    fn monthly_quarterly_and_month_end_series_are_regular() {
        let monthly = "unique_id,ds,y\nA,2024-01-01,1\nA,2024-02-01,2\nA,2024-03-01,3\nA,2025-01-01,4\n";
        let e = message(monthly);
        assert!(e.contains("2024-04-01"), "{e}");
        let ok = "unique_id,ds,y\nA,2023-12-01,1\nA,2024-01-01,2\nA,2024-02-01,3\nA,2024-03-01,4\n";
        assert_eq!(read(ok).unwrap()[0].y.len(), 4);
        let ends = "unique_id,ds,y\nQ,2024-03-31,1\nQ,2024-06-30,2\nQ,2024-09-30,3\nQ,2024-12-31,4\n";
        assert_eq!(read(ends).unwrap()[0].y, [1.0, 2.0, 3.0, 4.0]);
        let missing_quarter = "unique_id,ds,y\nQ,2024-03-31,1\nQ,2024-06-30,2\nQ,2024-12-31,4\n";
        assert!(message(missing_quarter).contains("2024-09-30"), "{}", message(missing_quarter));
        let mixed_days = "unique_id,ds,y\nA,2024-01-01,1\nA,2024-02-03,2\nA,2024-03-01,3\n";
        assert!(read(mixed_days).is_err());
    }

    #[test]
    fn columns_by_name_in_any_order_extra_ignored_quotes_tolerated() {
        let text = "\u{feff}y,extra,ds,unique_id\r\n2,x,2024-01-02,\"A, inc\"\r\n1,x,2024-01-01,\"A, inc\"\r\n\n5,,2024-01-01,B\n";
        let s = read(text).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].id, "A, inc");
        assert_eq!(s[0].y, [1.0, 2.0]);
        assert_eq!(s[0].ds, ["2024-01-01", "2024-01-02"]);
        assert_eq!(s[0].keys[1] - s[0].keys[0], DAY_MS);
        assert_eq!(s[1].y, [5.0]);
    }

    #[test]
    fn integer_datetime_and_rfc3339_ds_any_regular_step() {
        let s = read("unique_id,ds,y\na,10,1\na,13,-2\na,16,3.5\n").unwrap();
        assert_eq!(s[0].keys, [10, 13, 16]);
        assert_eq!(s[0].y, [1.0, -2.0, 3.5]);
        let s = read("unique_id,ds,y\na,2024-01-01 00:00:00,1\na,2024-01-01 01:00:00,2\n").unwrap();
        assert_eq!(s[0].keys[1] - s[0].keys[0], 3_600_000);
        let s = read("unique_id,ds,y\na,2024-01-01T00:00:00+01:00,1\na,2024-01-01T00:00:00Z,2\n").unwrap();
        assert_eq!(s[0].ds, ["2024-01-01T00:00:00+01:00", "2024-01-01T00:00:00Z"]);
        let (_, kind) = read_series("unique_id,ds,y\n".as_bytes()).unwrap();
        assert_eq!(kind, None);
    }

    #[test]
    fn every_error_names_its_line() {
        assert_eq!(message(""), SeriesError::Empty.to_string());
        assert!(message("unique_id,ds\n").contains("ligne 1 : colonne « y » absente"));
        assert!(message("id,ds,y\n").contains("colonne « unique_id » absente"));
        assert!(message("unique_id,y,y\n").contains("colonne « y » en double"));
        assert!(message("unique_id,ds,y\na,1,1\na,\"2,1\n").contains("ligne 3 : guillemet ouvert"));
        assert!(message("unique_id,ds,y\na,1\n").contains("ligne 2 : champ « y » manquant"));
        assert!(message("unique_id,ds,y\na,1,1\n,2,1\n").contains("ligne 3 : unique_id vide"));
        let m = message("unique_id,ds,y\na,1,1\na,2024-13-01,1\n");
        assert!(m.contains("ligne 3 : ds « 2024-13-01 » illisible"), "{m}");
        for bad in ["2024-02-30", "2024-1-01", "20x4-01-01", "2024/01/01"] {
            let m = message(&format!("unique_id,ds,y\na,{bad},1\n"));
            assert!(m.contains(&format!("ligne 2 : ds « {bad} » illisible")), "{m}");
        }
        let m = message("unique_id,ds,y\na,1,1\na,2024-01-01,1\n");
        assert!(m.contains("ligne 3 : ds « 2024-01-01 » n'est pas du même type"), "{m}");
        for bad in ["abc", "NaN", "inf", ""] {
            let m = message(&format!("unique_id,ds,y\na,1,1\na,2,{bad}\n"));
            assert!(m.contains(&format!("ligne 3 : y « {bad} » n'est pas un nombre fini")), "{m}");
        }
    }

    #[test]
    fn duplicates_missing_points_and_irregular_steps_are_refused() {
        let m = message("unique_id,ds,y\na,2024-01-01,1\nb,2024-01-01,1\na,2024-01-01,2\n");
        assert!(m.contains("série « a » : ds « 2024-01-01 » en double (lignes 2 et 4)"), "{m}");
        let m = message("unique_id,ds,y\na,2024-01-01,1\na,2024-01-02,1\na,2024-01-05,1\n");
        assert!(m.contains("série « a » : point manquant à ds « 2024-01-03 »"), "{m}");
        assert!(m.contains("ligne 4") && m.contains("1 jour"), "{m}");
        let m = message("unique_id,ds,y\na,0,1\na,2,1\na,5,1\n");
        assert!(m.contains("série « a » : pas irrégulier entre ds « 2 » et « 5 » (ligne 4)"), "{m}");
        let m = message(
            "unique_id,ds,y\na,2024-01-01 00:00:00,1\na,2024-01-01 01:00:00,1\na,2024-01-01 03:00:00,1\n",
        );
        assert!(m.contains("point manquant à ds « 2024-01-01 02:00:00 »"), "{m}");
    }

    /// 1,000 series × 730 days, the size of the benchmark, parses in well under a second
    /// (the bound is loose for debug builds on a busy machine).
    #[test]
    fn a_large_file_parses_fast() {
        let mut text = String::from("unique_id,ds,y\n");
        let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let dates: Vec<String> =
            (0..730).map(|d| (start + chrono::Days::new(d)).format("%Y-%m-%d").to_string()).collect();
        for item in 0..1000 {
            for (d, date) in dates.iter().enumerate() {
                text.push_str(&format!("item-{item:05},{date},{}\n", (item + d) % 7));
            }
        }
        let t = std::time::Instant::now();
        let s = read(&text).unwrap();
        let took = t.elapsed();
        assert_eq!(s.len(), 1000);
        assert!(s.iter().all(|s| s.y.len() == 730));
        assert!(took.as_secs_f64() < 3.0, "{took:?}");
    }
}
