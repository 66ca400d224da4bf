//! Catalog import from CSV: the CNOPS reference list as published, or the pharmacy's own
//! simple file. Pure: bytes in, items or a complete list of problems out; no file access.
//!
//! A pharmacist must be able to load the CNOPS list in one step, so its quirks are
//! absorbed here: Excel display prices (`" 2,882.00    "`, `-` for none), `P`/`G`,
//! `70%`, UTF-8 or Latin-1, `,` or `;` separators. Its legacy codes that fail the EAN-13
//! check are kept as references (not scan keys) and reported as warnings; rows without a
//! public price (hospital-only products) are skipped with a warning. In the pharmacy's
//! own file, which a person wrote, every such defect is an error.
//!
//! The import is all or nothing: if any row is wrong, nothing is imported and every bad
//! row is listed with its line number, so the file can be fixed in one pass.
//!
//! ```
//! use pharma_core::catalog::import::parse_catalog_csv;
//! use pharma_core::ids::SeededIds;
//!
//! let csv = "barcode,name,active_substance,dosage,form,presentation,ppv,ph,reimbursement_rate,princeps_generic\n\
//!            6118000120155,ZADRYL,CETIRIZINE,1 MG,SOLUTION BUVABLE,1 FLACON 60 ML,\"31,90\",,70%,G\n";
//! let batch = parse_catalog_csv(csv.as_bytes(), &mut SeededIds::new(1)).unwrap();
//! assert_eq!(batch.items[0].item.name, "ZADRYL");
//! assert_eq!(batch.items[0].ppv.centimes(), 3190);
//! ```

mod columns;
mod errors;
mod fields;
mod text;

pub use errors::{HeaderError, ImportError, ImportWarning, RowError, RowProblem, SizeLimit};

use super::Item;
use crate::ids::{IdSource, ItemId};
use crate::money::Money;
use columns::{Columns, RowValues};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use text::{LineIndex, decode, sniff_delimiter};

/// Largest file accepted (50 Mio; the CNOPS list is under 1 Mio).
pub const MAX_BYTES: usize = 50 * 1024 * 1024;
/// Most data rows accepted (the CNOPS list has about 5,900).
pub const MAX_ROWS: usize = 200_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceFormat {
    /// The CNOPS reference list (`CODE,NOM,DCI1,…`).
    Cnops,
    /// The pharmacy's own file (`barcode,name,active_substance,…`).
    Pharmacy,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextEncoding {
    Utf8,
    /// Not valid UTF-8, so read as Latin-1. Bytes 0x80–0x9F are read as Windows-1252 (its
    /// superset, which is what Excel writes: `’`, `œ`, `€`), never as control characters.
    Latin1,
}

/// What a successful import produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportBatch {
    pub format: SourceFormat,
    pub encoding: TextEncoding,
    /// The field separator found on the header line.
    pub delimiter: char,
    /// In file order.
    pub items: Vec<ImportedItem>,
    pub warnings: Vec<ImportWarning>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedItem {
    /// `hospital_price` holds the file's PH.
    pub item: Item,
    /// The official public price (PPV) in the file; dating it is the caller's job.
    pub ppv: Money,
    /// 1-based line of the row in the file (the header is line 1).
    pub line: usize,
}

/// Reads a catalog file, CNOPS or the pharmacy's own format (told apart by the header).
pub fn parse_catalog_csv(bytes: &[u8], ids: &mut dyn IdSource) -> Result<ImportBatch, ImportError> {
    if bytes.len() > MAX_BYTES {
        return Err(ImportError::TooLarge(SizeLimit::Bytes(bytes.len())));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (text, encoding) = decode(bytes);
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let lines = LineIndex::new(text.as_bytes());
    let mut records = reader.records();

    let header = match records.next() {
        Some(r) => r.map_err(ImportError::Csv)?,
        None => return Err(ImportError::Empty),
    };
    let mut warnings = Vec::new();
    let columns = Columns::from_header(&header, &mut warnings)?;

    let mut parsed: Vec<(usize, RowValues)> = Vec::new();
    let mut errors: Vec<RowError> = Vec::new();
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    let mut data_rows = 0usize;
    for record in records {
        let record = record.map_err(ImportError::Csv)?;
        // Spreadsheets export empty rows as a line of separators.
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        data_rows += 1;
        if data_rows > MAX_ROWS {
            return Err(ImportError::TooLarge(SizeLimit::Rows));
        }
        let line = record.position().map_or(0, |p| lines.line_of(p.byte()));
        let mut problems = Vec::new();
        if let Some(row) = columns.read_row(&record, &mut problems) {
            if let Some(code) = &row.barcode {
                match first_seen.get(code) {
                    Some(first) => {
                        problems.push(RowProblem::DuplicateBarcode { code: code.clone(), first_line: *first })
                    }
                    None => {
                        first_seen.insert(code.clone(), line);
                    }
                }
            }
            if problems.is_empty() {
                parsed.push((line, row));
            }
        }
        errors.extend(problems.into_iter().map(|problem| RowError { line, problem }));
    }
    if data_rows == 0 {
        return Err(ImportError::Empty);
    }
    if !errors.is_empty() {
        return Err(ImportError::Rows(errors));
    }

    // Ids are drawn only once the whole file is known good, in file order.
    let mut items = Vec::with_capacity(parsed.len());
    for (line, row) in parsed {
        if let Some(check) = row.legacy_check {
            warnings.push(ImportWarning::LegacyBarcode {
                line,
                code: row.barcode.clone().unwrap_or_default(),
                expected: check.0,
                found: check.1,
            });
        }
        match row.ppv {
            Some(ppv) => items.push(ImportedItem { item: row.into_item(ItemId::new(ids)), ppv, line }),
            None => warnings.push(ImportWarning::NoPublicPrice {
                line,
                code: row.barcode.unwrap_or_default(),
                name: row.name,
            }),
        }
    }
    Ok(ImportBatch { format: columns.format, encoding, delimiter: char::from(delimiter), items, warnings })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
