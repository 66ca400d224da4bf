//! Forecast files: `unique_id,ds,method,mean,q05,q50,q90,q95`, one line per series,
//! held-out point and method. `forecast eval --out` writes them; `forecast score` reads
//! them from anyone, the quantile columns being optional (absent or empty).
//!
//! Numbers are written with Rust's shortest round-trip notation, so scoring a written file
//! reproduces `forecast eval`'s figures exactly.

use super::records::{self, RecordError, Records};
use super::score::HeldOut;
use super::series::{self, DsKind, Series};
use std::collections::HashMap;
use std::io::{Read, Write};

/// The header written and the columns read.
pub const HEADER: &str = "unique_id,ds,method,mean,q05,q50,q90,q95";

/// Writes the held-out forecasts of `series` (each forecast over its last `h` points),
/// `forecasts[s][m]` for `methods[m]`.
pub fn write<W: Write>(
    mut out: W,
    series: &[&Series],
    methods: &[&str],
    forecasts: &[Vec<HeldOut>],
    h: usize,
) -> std::io::Result<()> {
    writeln!(out, "{HEADER}")?;
    for (s, row) in series.iter().zip(forecasts) {
        let id = records::quote(&s.id);
        let ds = &s.ds[s.ds.len() - h..];
        for (method, f) in methods.iter().zip(row) {
            for (i, d) in ds.iter().enumerate() {
                let q = |v: &Option<Vec<f64>>| {
                    v.as_ref().and_then(|v| v.get(i)).map(f64::to_string).unwrap_or_default()
                };
                writeln!(
                    out,
                    "{id},{},{method},{},{},{},{},{}",
                    records::quote(d),
                    f.mean.get(i).copied().unwrap_or(f64::NAN),
                    q(&f.q05),
                    q(&f.q50),
                    q(&f.q90),
                    q(&f.q95)
                )?;
            }
        }
    }
    out.flush()
}

/// One line of a forecast file.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Line number.
    pub line: usize,
    /// `ds` as a key comparable with the series file's.
    pub key: i64,
    /// `ds` as read.
    pub ds: String,
    /// The point forecast.
    pub mean: f64,
    /// q05, q50, q90, q95 when present.
    pub quantiles: [Option<f64>; 4],
}

/// A forecast file's lines grouped by method (in order of first appearance) and series.
#[derive(Debug, Default)]
pub struct ForecastFile {
    /// Method names.
    pub methods: Vec<String>,
    /// `lines[method index][unique_id]`.
    pub lines: Vec<HashMap<String, Vec<Line>>>,
}

/// Why a forecast file was refused. Line numbers count the header as line 1.
#[derive(Debug, thiserror::Error)]
pub enum ForecastFileError {
    /// Reading failed, or a record could not be read (an unclosed quote).
    #[error(transparent)]
    Record(#[from] RecordError),
    /// Not even a header.
    #[error("fichier vide : une ligne d'en-tête {HEADER} est attendue")]
    Empty,
    /// A required column is absent.
    #[error(
        "ligne 1 : colonne « {0} » absente de l'en-tête (colonnes requises : unique_id, ds, method, mean)"
    )]
    MissingColumn(&'static str),
    /// A column named twice.
    #[error("ligne 1 : colonne « {0} » en double dans l'en-tête")]
    DuplicateColumn(&'static str),
    /// Fewer fields than needed.
    #[error("ligne {line} : champ « {column} » manquant ({found} champs sur la ligne)")]
    ShortLine {
        /// Line number.
        line: usize,
        /// The first column not reached.
        column: &'static str,
        /// Fields on the line.
        found: usize,
    },
    /// An empty method name.
    #[error("ligne {line} : method vide")]
    EmptyMethod {
        /// Line number.
        line: usize,
    },
    /// `ds` unreadable or of another kind than the series file's.
    #[error("ligne {line} : ds « {value} » illisible ou d'un autre type que dans le fichier des séries")]
    BadDs {
        /// Line number.
        line: usize,
        /// The field.
        value: String,
    },
    /// A number that is not finite (or an empty `mean`).
    #[error("ligne {line} : {column} « {value} » n'est pas un nombre fini")]
    BadNumber {
        /// Line number.
        line: usize,
        /// The column.
        column: &'static str,
        /// The field.
        value: String,
    },
}

/// Reads a forecast file whose `ds` must be of `kind` (the series file's).
pub fn read<R: Read>(reader: R, kind: Option<DsKind>) -> Result<ForecastFile, ForecastFileError> {
    const COLUMNS: [&str; 8] = ["unique_id", "ds", "method", "mean", "q05", "q50", "q90", "q95"];
    let mut records = Records::new(reader)?;
    let cols = {
        let Some((line, header)) = records.next_record(false)? else {
            return Err(ForecastFileError::Empty);
        };
        // A blank first line is a header without columns, as it was before the `csv` crate.
        let found = if line == 1 { records::find_columns(header, COLUMNS) } else { Ok([None; 8]) };
        let found = found.map_err(ForecastFileError::DuplicateColumn)?;
        for (name, col) in COLUMNS.iter().zip(found).take(4) {
            if col.is_none() {
                return Err(ForecastFileError::MissingColumn(name));
            }
        }
        found
    };
    let mut file = ForecastFile::default();
    let mut method_index: HashMap<String, usize> = HashMap::new();
    while let Some((line, fields)) = records.next_record(true)? {
        let mut values: [Option<&str>; 8] = [None; 8];
        for (k, col) in cols.iter().enumerate() {
            if let Some(col) = *col {
                let Some(v) = fields.get(col) else {
                    return Err(ForecastFileError::ShortLine {
                        line,
                        column: COLUMNS[k],
                        found: fields.len(),
                    });
                };
                values[k] = Some(v);
            }
        }
        let [Some(id), Some(ds), Some(method), Some(mean), q05, q50, q90, q95] = values else {
            // The four required columns were checked in the header.
            return Err(ForecastFileError::MissingColumn("unique_id"));
        };
        if method.trim().is_empty() {
            return Err(ForecastFileError::EmptyMethod { line });
        }
        let key = match series::parse_ds(ds) {
            Some((k, key)) if kind.is_none_or(|kind| kind == k) => key,
            _ => return Err(ForecastFileError::BadDs { line, value: ds.to_string() }),
        };
        let number = |column: &'static str, v: &str| {
            series::parse_number(v).ok_or_else(|| ForecastFileError::BadNumber {
                line,
                column,
                value: v.to_string(),
            })
        };
        let mean = number("mean", mean)?;
        let mut quantiles = [None; 4];
        for (k, (slot, v)) in quantiles.iter_mut().zip([q05, q50, q90, q95]).enumerate() {
            if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
                *slot = Some(number(COLUMNS[4 + k], v)?);
            }
        }
        let m = match method_index.get(method) {
            Some(&m) => m,
            None => {
                method_index.insert(method.to_string(), file.methods.len());
                file.methods.push(method.to_string());
                file.lines.push(HashMap::new());
                file.methods.len() - 1
            }
        };
        file.lines[m].entry(id.to_string()).or_default().push(Line {
            line,
            key,
            ds: ds.to_string(),
            mean,
            quantiles,
        });
    }
    Ok(file)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn written_files_read_back_exactly() {
        let s = Series {
            id: "a,b".into(),
            ds: vec!["1".into(), "2".into(), "3".into()],
            keys: vec![1, 2, 3],
            y: vec![1.0, 2.0, 3.0],
        };
        let f = HeldOut {
            mean: vec![0.1 + 0.2, 1.0 / 3.0],
            q05: Some(vec![0.0, 0.0]),
            q50: None,
            q90: Some(vec![1.5, 2.5]),
            q95: Some(vec![2.0, 1e-300]),
        };
        let mut buf = Vec::new();
        write(&mut buf, &[&s], &["x"], &[vec![f]], 2).unwrap();
        let file = read(&buf[..], Some(DsKind::Integer)).unwrap();
        assert_eq!(file.methods, ["x"]);
        let lines = &file.lines[0]["a,b"];
        assert_eq!(lines.len(), 2);
        assert_eq!((lines[0].ds.as_str(), lines[0].key, lines[0].mean), ("2", 2, 0.1 + 0.2));
        assert_eq!(lines[1].quantiles, [Some(0.0), None, Some(2.5), Some(1e-300)]);
        assert_eq!(lines[1].line, 3);
    }

    #[test]
    fn errors_name_the_line() {
        let msg = |t: &str| read(t.as_bytes(), Some(DsKind::Integer)).unwrap_err().to_string();
        assert!(msg("").contains("fichier vide"));
        assert!(msg("unique_id,ds,mean\n").contains("colonne « method » absente"));
        assert!(msg("unique_id,ds,method,mean\na,1,m\n").contains("ligne 2 : champ « mean » manquant"));
        assert!(msg("unique_id,ds,method,mean\na,1,m,1\na,2024-01-01,m,1\n").contains("ligne 3 : ds"));
        assert!(msg("unique_id,ds,method,mean\na,1,m,\n").contains("ligne 2 : mean «  »"));
        assert!(msg("unique_id,ds,method,mean,q05\na,1,m,1,x\n").contains("ligne 2 : q05 « x »"));
        assert!(msg("unique_id,ds,method,mean\na,1,,1\n").contains("ligne 2 : method vide"));
        // Empty and absent quantiles are both fine.
        let f = read("unique_id,ds,method,mean,q95\na,1,m,1,\n".as_bytes(), None).unwrap();
        assert_eq!(f.lines[0]["a"][0].quantiles, [None; 4]);
    }
}
