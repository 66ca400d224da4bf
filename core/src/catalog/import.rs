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

use super::ean13::{self, Ean13Error};
use super::{Category, Item, Origin, Schedule, TaxCategory};
use crate::ids::{IdSource, ItemId};
use crate::money::{Money, MoneyParseError, parse_mad};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

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

/// Something the pharmacist should know, that did not stop the import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ImportWarning {
    /// CNOPS code failing the EAN-13 check: imported with `barcode_scannable = false`.
    LegacyBarcode { line: usize, code: String, expected: u8, found: u8 },
    /// CNOPS row without a PPV (hospital-only product): not imported.
    NoPublicPrice { line: usize, code: String, name: String },
    /// A header this import does not know; its values were not read.
    IgnoredColumn { column: usize, name: String },
}

impl ImportWarning {
    /// The file line concerned, if the warning is about a row.
    pub fn line(&self) -> Option<usize> {
        match self {
            ImportWarning::LegacyBarcode { line, .. } | ImportWarning::NoPublicPrice { line, .. } => {
                Some(*line)
            }
            ImportWarning::IgnoredColumn { .. } => None,
        }
    }
}

impl fmt::Display for ImportWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportWarning::LegacyBarcode { line, code, expected, found } => write!(
                f,
                "ligne {line} : code {code} gardé comme référence, non scannable \
                 (clé de contrôle {found} au lieu de {expected})"
            ),
            ImportWarning::NoPublicPrice { line, code, name } => {
                write!(f, "ligne {line} : {name} ({code}) non importé : pas de PPV (produit hospitalier)")
            }
            ImportWarning::IgnoredColumn { column, name } if name.is_empty() => {
                write!(f, "colonne {column} sans nom ignorée")
            }
            ImportWarning::IgnoredColumn { column, name } => {
                write!(f, "colonne {column} « {name} » inconnue, ignorée")
            }
        }
    }
}

/// Why the file as a whole was refused.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("fichier vide : aucun article à importer")]
    Empty,
    #[error("{0}")]
    TooLarge(SizeLimit),
    #[error(transparent)]
    Header(#[from] HeaderError),
    #[error("{}", rows_message(.0))]
    Rows(Vec<RowError>),
    /// The CSV reader failed. Not expected on in-memory UTF-8 text; kept for its cause.
    #[error("fichier CSV illisible : {0}")]
    Csv(#[source] csv::Error),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeLimit {
    Bytes(usize),
    Rows,
}

impl fmt::Display for SizeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SizeLimit::Bytes(n) => {
                write!(f, "fichier trop volumineux : {} Mo (50 Mo au plus)", n.div_ceil(1024 * 1024))
            }
            SizeLimit::Rows => write!(f, "fichier trop long : plus de 200 000 lignes"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error(
        "en-tête non reconnu : « {found} ». Attendu la liste CNOPS \
         (CODE,NOM,DCI1,…,PPV,PH,…) ou le format de la pharmacie \
         (barcode,name,active_substance,dosage,form,presentation,ppv,ph,\
         reimbursement_rate,princeps_generic)"
    )]
    Unrecognised { found: String },
    #[error("colonne(s) obligatoire(s) absente(s) de l'en-tête : {}", .missing.join(", "))]
    MissingColumns { missing: Vec<String> },
    #[error("colonne « {name} » présente deux fois dans l'en-tête")]
    DuplicateColumn { name: String },
}

/// One problem on one row. A row with several problems gives several `RowError`s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ligne {line} : {problem}")]
pub struct RowError {
    /// 1-based; the header is line 1.
    pub line: usize,
    pub problem: RowProblem,
}

/// Column names in messages are spelled as in the file's header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowProblem {
    #[error("{found} colonnes au lieu de {expected} (séparateur ou guillemet en trop ?)")]
    ColumnCount { expected: usize, found: usize },
    #[error("nom manquant")]
    MissingName,
    #[error("code manquant")]
    MissingBarcode,
    #[error("code-barres « {value} » invalide : {source}")]
    BadBarcode {
        value: String,
        #[source]
        source: Ean13Error,
    },
    #[error("code-barres {code} en double (déjà ligne {first_line})")]
    DuplicateBarcode { code: String, first_line: usize },
    #[error("prix {column} manquant")]
    MissingPrice { column: String },
    #[error("prix {column} illisible : {source}")]
    BadPrice {
        column: String,
        #[source]
        source: MoneyParseError,
    },
    #[error("prix {column} négatif : « {value} »")]
    NegativePrice { column: String, value: String },
    #[error("taux de remboursement illisible : « {value} » (entier de 0 à 100, p. ex. 70%)")]
    BadRate { value: String },
    #[error("princeps/générique illisible : « {value} » (P ou G)")]
    BadOrigin { value: String },
    #[error("catégorie inconnue : « {value} » (rx, otc, parapharmacy, preparation, consumable)")]
    BadCategory { value: String },
    #[error("catégorie de TVA inconnue : « {value} » (medicine, standard, reduced)")]
    BadTaxCategory { value: String },
    #[error("tableau inconnu : « {value} » (A, B, C ou vide)")]
    BadSchedule { value: String },
    #[error("conditionnement invalide : « {value} » (nombre entier d'au moins 1)")]
    BadPackSize { value: String },
}

fn rows_message(rows: &[RowError]) -> String {
    let lines: std::collections::BTreeSet<usize> = rows.iter().map(|r| r.line).collect();
    let mut s = match lines.len() {
        1 => "1 ligne en erreur, rien n'a été importé :".to_owned(),
        n => format!("{n} lignes en erreur, rien n'a été importé :"),
    };
    for r in rows {
        s.push_str("\n  ");
        s.push_str(&r.to_string());
    }
    s
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

/// UTF-8 if it is valid UTF-8, Latin-1 (Windows-1252) otherwise: a Latin-1 file with
/// accents is almost never valid UTF-8, so the test does not misfire.
fn decode(bytes: &[u8]) -> (Cow<'_, str>, TextEncoding) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s), TextEncoding::Utf8),
        Err(_) => (Cow::Owned(bytes.iter().map(|b| windows_1252(*b)).collect()), TextEncoding::Latin1),
    }
}

fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
        '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// The separator used on the header line: `;` (French Excel), tab, or `,` by default.
fn sniff_delimiter(text: &str) -> u8 {
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
    let mut in_quotes = false;
    let (mut commas, mut semis, mut tabs) = (0, 0, 0);
    for c in first_line.chars() {
        match c {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => commas += 1,
            ';' if !in_quotes => semis += 1,
            '\t' if !in_quotes => tabs += 1,
            _ => {}
        }
    }
    if semis > commas && semis >= tabs {
        b';'
    } else if tabs > commas && tabs > semis {
        b'\t'
    } else {
        b','
    }
}

/// Line numbers from byte offsets. The csv reader's own line count is not usable: it is
/// one short after CRLF line ends and wrong after blank lines, and a person fixing the
/// file needs the line their editor shows.
#[derive(Debug)]
struct LineIndex<'t> {
    text: &'t [u8],
    /// Offsets just past each line break (`\n`, `\r\n` or a lone `\r`), ascending.
    breaks: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    fn new(text: &'t [u8]) -> Self {
        let breaks = text
            .iter()
            .enumerate()
            .filter(|(i, b)| **b == b'\n' || **b == b'\r' && text.get(i + 1) != Some(&b'\n'))
            .map(|(i, _)| i + 1)
            .collect();
        Self { text, breaks }
    }

    /// The 1-based line of the record the reader reports at `byte`. That offset is just
    /// past the previous record, before any line ends and blank lines the reader skipped;
    /// a record never starts with a line end, so it starts at the first other byte.
    fn line_of(&self, byte: u64) -> usize {
        let from = usize::try_from(byte).unwrap_or(usize::MAX).min(self.text.len());
        let start = self.text[from..]
            .iter()
            .position(|b| *b != b'\n' && *b != b'\r')
            .map_or(self.text.len(), |p| from + p);
        1 + self.breaks.partition_point(|end| *end <= start)
    }
}

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Field {
    Barcode,
    Name,
    Substance,
    Dosage,
    DosageUnit,
    Form,
    Presentation,
    Ppv,
    Ph,
    /// CNOPS reimbursement base price: known, deliberately not imported.
    PrixBr,
    Origin,
    Rate,
    Category,
    TaxCategory,
    Schedule,
    PackSize,
}

const CNOPS_COLUMNS: &[(&str, Field)] = &[
    ("code", Field::Barcode),
    ("nom", Field::Name),
    ("dci1", Field::Substance),
    ("dosage1", Field::Dosage),
    ("unite_dosage1", Field::DosageUnit),
    ("forme", Field::Form),
    ("presentation", Field::Presentation),
    ("ppv", Field::Ppv),
    ("ph", Field::Ph),
    ("prix_br", Field::PrixBr),
    ("princeps_generique", Field::Origin),
    ("taux_remboursement", Field::Rate),
];
const CNOPS_REQUIRED: &[Field] = &[Field::Barcode, Field::Name, Field::Ppv];

const PHARMACY_COLUMNS: &[(&str, Field)] = &[
    ("barcode", Field::Barcode),
    ("name", Field::Name),
    ("active_substance", Field::Substance),
    ("dosage", Field::Dosage),
    ("form", Field::Form),
    ("presentation", Field::Presentation),
    ("ppv", Field::Ppv),
    ("ph", Field::Ph),
    ("reimbursement_rate", Field::Rate),
    ("princeps_generic", Field::Origin),
    ("category", Field::Category),
    ("tax_category", Field::TaxCategory),
    ("schedule", Field::Schedule),
    ("pack_size", Field::PackSize),
];
const PHARMACY_REQUIRED: &[Field] = &[Field::Barcode, Field::Name, Field::Ppv];

/// The header, understood: which column holds which field.
#[derive(Debug)]
struct Columns {
    format: SourceFormat,
    /// Per field: column index and the header as written (for messages).
    index: HashMap<Field, (usize, String)>,
    width: usize,
}

fn normalise_header(h: &str) -> String {
    h.trim().trim_start_matches('\u{feff}').trim().to_lowercase().replace([' ', '-'], "_")
}

impl Columns {
    fn from_header(
        header: &csv::StringRecord,
        warnings: &mut Vec<ImportWarning>,
    ) -> Result<Self, HeaderError> {
        let names: Vec<String> = header.iter().map(normalise_header).collect();
        let hits =
            |table: &[(&str, Field)]| names.iter().filter(|n| table.iter().any(|(t, _)| t == n)).count();
        let (cnops, pharmacy) = (hits(CNOPS_COLUMNS), hits(PHARMACY_COLUMNS));
        let (format, table, required) = if cnops > pharmacy {
            (SourceFormat::Cnops, CNOPS_COLUMNS, CNOPS_REQUIRED)
        } else if pharmacy > cnops {
            (SourceFormat::Pharmacy, PHARMACY_COLUMNS, PHARMACY_REQUIRED)
        } else {
            let found: Vec<&str> = header.iter().map(str::trim).collect();
            return Err(HeaderError::Unrecognised { found: found.join(",") });
        };

        let mut index = HashMap::new();
        for (i, (name, raw)) in names.iter().zip(header.iter()).enumerate() {
            let raw = raw.trim().trim_start_matches('\u{feff}').trim();
            match table.iter().find(|(t, _)| t == name) {
                Some((_, field)) => {
                    if index.insert(*field, (i, raw.to_owned())).is_some() {
                        return Err(HeaderError::DuplicateColumn { name: raw.to_owned() });
                    }
                }
                None => warnings.push(ImportWarning::IgnoredColumn { column: i + 1, name: raw.to_owned() }),
            }
        }
        let missing: Vec<String> = required
            .iter()
            .filter(|f| !index.contains_key(*f))
            .filter_map(|f| table.iter().find(|(_, tf)| tf == f))
            .map(|(t, _)| match format {
                SourceFormat::Cnops => t.to_uppercase(),
                SourceFormat::Pharmacy => (*t).to_owned(),
            })
            .collect();
        if !missing.is_empty() {
            return Err(HeaderError::MissingColumns { missing });
        }
        Ok(Self { format, index, width: header.len() })
    }

    /// The trimmed value of a field (`""` if the column is absent); a lone `-` is the
    /// spreadsheet's "nothing".
    fn get<'r>(&self, record: &'r csv::StringRecord, f: Field) -> &'r str {
        let v = self.index.get(&f).and_then(|(i, _)| record.get(*i)).unwrap_or("").trim();
        if v == "-" { "" } else { v }
    }

    fn column_name(&self, f: Field) -> String {
        self.index.get(&f).map_or_else(String::new, |(_, name)| name.clone())
    }

    /// Reads one row; problems are pushed, and `None` means the row's shape was wrong.
    fn read_row(&self, record: &csv::StringRecord, problems: &mut Vec<RowProblem>) -> Option<RowValues> {
        // Trailing empty fields are an Excel habit, not an error.
        let extra_data = record.iter().skip(self.width).any(|f| !f.trim().is_empty());
        if record.len() < self.width || extra_data {
            problems.push(RowProblem::ColumnCount { expected: self.width, found: record.len() });
            return None;
        }
        let cnops = self.format == SourceFormat::Cnops;
        let get = |f| self.get(record, f);

        let name = get(Field::Name).to_owned();
        if name.is_empty() {
            problems.push(RowProblem::MissingName);
        }

        let code = get(Field::Barcode);
        let mut legacy_check = None;
        let barcode = if code.is_empty() {
            if cnops {
                problems.push(RowProblem::MissingBarcode);
            }
            None
        } else {
            match ean13::validate(code) {
                Ok(()) => {}
                Err(Ean13Error::BadCheckDigit { expected, found }) if cnops => {
                    legacy_check = Some((expected, found));
                }
                Err(source) => problems.push(RowProblem::BadBarcode { value: code.to_owned(), source }),
            }
            Some(code.to_owned())
        };

        // A CNOPS row without PPV is a hospital-only product, skipped with a warning later;
        // in the pharmacy's own file the price is required.
        if !cnops && get(Field::Ppv).is_empty() {
            problems.push(RowProblem::MissingPrice { column: self.column_name(Field::Ppv) });
        }
        let ppv = self.price(record, Field::Ppv, problems);
        let ph = self.price(record, Field::Ph, problems);

        let reimbursement_pct = parse_rate(get(Field::Rate)).unwrap_or_else(|| {
            problems.push(RowProblem::BadRate { value: get(Field::Rate).to_owned() });
            0
        });
        let origin = parse_origin(get(Field::Origin)).unwrap_or_else(|| {
            problems.push(RowProblem::BadOrigin { value: get(Field::Origin).to_owned() });
            None
        });
        let category = parse_category(get(Field::Category)).unwrap_or_else(|| {
            problems.push(RowProblem::BadCategory { value: get(Field::Category).to_owned() });
            Category::Rx
        });
        let tax_category = parse_tax_category(get(Field::TaxCategory), category).unwrap_or_else(|| {
            problems.push(RowProblem::BadTaxCategory { value: get(Field::TaxCategory).to_owned() });
            TaxCategory::Medicine
        });
        let schedule = parse_schedule(get(Field::Schedule)).unwrap_or_else(|| {
            problems.push(RowProblem::BadSchedule { value: get(Field::Schedule).to_owned() });
            Schedule::None
        });
        let pack_size = parse_pack_size(get(Field::PackSize)).unwrap_or_else(|| {
            problems.push(RowProblem::BadPackSize { value: get(Field::PackSize).to_owned() });
            1
        });

        let dosage = format!("{} {}", get(Field::Dosage), get(Field::DosageUnit)).trim().to_owned();
        Some(RowValues {
            name,
            active_substance: get(Field::Substance).to_owned(),
            dosage,
            form: get(Field::Form).to_owned(),
            presentation: get(Field::Presentation).to_owned(),
            barcode,
            legacy_check,
            ppv,
            ph,
            reimbursement_pct,
            origin,
            category,
            tax_category,
            schedule,
            pack_size,
        })
    }

    /// A price, if present and readable; a problem is pushed if present and wrong.
    fn price(&self, record: &csv::StringRecord, f: Field, problems: &mut Vec<RowProblem>) -> Option<Money> {
        let text = self.get(record, f);
        if text.is_empty() {
            return None;
        }
        match parse_mad(text) {
            Ok(m) if m.is_negative() => {
                problems
                    .push(RowProblem::NegativePrice { column: self.column_name(f), value: text.to_owned() });
                None
            }
            Ok(m) => Some(m),
            Err(source) => {
                problems.push(RowProblem::BadPrice { column: self.column_name(f), source });
                None
            }
        }
    }
}

/// A row's values, read and checked, before it gets an id.
#[derive(Debug)]
struct RowValues {
    name: String,
    active_substance: String,
    dosage: String,
    form: String,
    presentation: String,
    barcode: Option<String>,
    /// `(expected, found)` check digits of a tolerated legacy CNOPS code.
    legacy_check: Option<(u8, u8)>,
    ppv: Option<Money>,
    ph: Option<Money>,
    reimbursement_pct: u8,
    origin: Option<Origin>,
    category: Category,
    tax_category: TaxCategory,
    schedule: Schedule,
    pack_size: i64,
}

impl RowValues {
    fn into_item(self, id: ItemId) -> Item {
        Item {
            id,
            name: self.name,
            active_substance: self.active_substance,
            dosage: self.dosage,
            form: self.form,
            presentation: self.presentation,
            category: self.category,
            tax_category: self.tax_category,
            barcode: self.barcode,
            barcode_scannable: self.legacy_check.is_none(),
            schedule: self.schedule,
            reimbursement_pct: self.reimbursement_pct,
            origin: self.origin,
            hospital_price: self.ph,
            unit_cost: Money::ZERO,
            reorder_point: 0,
            reorder_quantity: 0,
            pack_size: self.pack_size,
            expiry_tracked: true,
            active: true,
        }
    }
}

/// `70%`, `70 %`, `70`, `70.00%`; empty is 0. `None` if unreadable or above 100.
fn parse_rate(s: &str) -> Option<u8> {
    let s = s.strip_suffix('%').unwrap_or(s).trim();
    if s.is_empty() {
        return Some(0);
    }
    let (whole, frac) = s.split_once(['.', ',']).unwrap_or((s, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.bytes().any(|b| b != b'0') {
        return None;
    }
    whole.parse::<u8>().ok().filter(|r| *r <= 100)
}

/// `Some(None)` when empty.
fn parse_origin(s: &str) -> Option<Option<Origin>> {
    match s.to_lowercase().as_str() {
        "" => Some(None),
        "p" | "princeps" => Some(Some(Origin::Princeps)),
        "g" | "generique" | "générique" | "generic" => Some(Some(Origin::Generic)),
        _ => None,
    }
}

/// Empty is Rx: the reference lists are medicines.
fn parse_category(s: &str) -> Option<Category> {
    let s = s.to_lowercase();
    Category::parse(&s).or(match s.as_str() {
        "" => Some(Category::Rx),
        "parapharmacie" => Some(Category::Parapharmacy),
        "préparation" => Some(Category::Preparation),
        "consommable" => Some(Category::Consumable),
        _ => None,
    })
}

/// Empty follows the category: parapharmacy is taxed at the standard rate, the rest are
/// medicines. A wrong 0% on a cosmetic is a tax error, so the default leans on what is
/// known rather than on "medicine" everywhere.
fn parse_tax_category(s: &str, category: Category) -> Option<TaxCategory> {
    let s = s.to_lowercase();
    TaxCategory::parse(&s).or(match s.as_str() {
        "" if category == Category::Parapharmacy => Some(TaxCategory::Standard),
        "" => Some(TaxCategory::Medicine),
        "médicament" | "medicament" => Some(TaxCategory::Medicine),
        "normal" | "normale" => Some(TaxCategory::Standard),
        "réduit" | "reduit" | "réduite" | "reduite" => Some(TaxCategory::Reduced),
        _ => None,
    })
}

fn parse_schedule(s: &str) -> Option<Schedule> {
    match s.to_lowercase().as_str() {
        "aucun" | "aucune" => Some(Schedule::None),
        _ => Schedule::parse(s),
    }
}

/// Empty is 1.
fn parse_pack_size(s: &str) -> Option<i64> {
    if s.is_empty() {
        return Some(1);
    }
    s.parse::<i64>().ok().filter(|n| *n >= 1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::ids::SeededIds;

    const CNOPS_HEADER: &str = "CODE,NOM,DCI1,DOSAGE1,UNITE_DOSAGE1,FORME,PRESENTATION,PPV,PH,\
                                PRIX_BR,PRINCEPS_GENERIQUE,TAUX_REMBOURSEMENT";
    const OWN_HEADER: &str = "barcode,name,active_substance,dosage,form,presentation,ppv,ph,\
                              reimbursement_rate,princeps_generic";

    fn import(bytes: &[u8]) -> Result<ImportBatch, ImportError> {
        parse_catalog_csv(bytes, &mut SeededIds::new(42))
    }

    fn row_errors(bytes: &[u8]) -> Vec<RowError> {
        match import(bytes) {
            Err(ImportError::Rows(rows)) => rows,
            other => panic!("expected row errors, got {other:?}"),
        }
    }

    fn cnops(rows: &[&str]) -> String {
        let mut s = CNOPS_HEADER.to_owned();
        for r in rows {
            s.push('\n');
            s.push_str(r);
        }
        s.push('\n');
        s
    }

    fn own(rows: &[&str]) -> String {
        cnops(rows).replacen(CNOPS_HEADER, OWN_HEADER, 1)
    }

    #[test]
    fn cnops_list_as_published() {
        let file = cnops(&[
            // Excel display prices, quoted because of the thousands comma.
            r#"6118010116230,ELOXATINE 5 MG/ML,OXALIPLATINE,200,MG,SOLUTION A DILUER POUR PERFUSION,1 BOITE 1 FLACON 40 ML," 2,882.00    "," 2,555.00    "," 2,882.00    ",P,70%"#,
            // Several substances, no PH.
            "6118000100225,PRETERAX,INDAPAMIDE / PERINDOPRIL,0.625 / 2,MG / MG,COMPRIME SECABLE,1 BOITE 30 COMPRIME, 239.00    ,-, 239.00    ,P,70%",
            // Legacy code failing the check digit: kept, not scannable.
            "6118000140213,LEGACY,AMOXICILLINE,500,MG,GELULE,1 BOITE 12 GELULE, 34.60 , 21.50 , 34.60 ,G,0%",
            // Hospital-only: no PPV.
            r#"6118001184187,REVLIMID 25 MG,LENALIDOMIDE,25,MG,GELULE,1 BOITE 21 GELULE,-," 58,465.00 "," 58,465.00 ",P,0%"#,
        ]);
        let batch = import(file.as_bytes()).unwrap();
        assert_eq!(batch.format, SourceFormat::Cnops);
        assert_eq!(batch.encoding, TextEncoding::Utf8);
        assert_eq!(batch.delimiter, ',');
        assert_eq!(batch.items.len(), 3);

        let elox = &batch.items[0];
        assert_eq!(elox.line, 2);
        assert_eq!(elox.ppv, Money(288_200));
        let item = &elox.item;
        assert_eq!(item.name, "ELOXATINE 5 MG/ML");
        assert_eq!(item.active_substance, "OXALIPLATINE");
        assert_eq!(item.dosage, "200 MG");
        assert_eq!(item.form, "SOLUTION A DILUER POUR PERFUSION");
        assert_eq!(item.presentation, "1 BOITE 1 FLACON 40 ML");
        assert_eq!(item.barcode.as_deref(), Some("6118010116230"));
        assert!(item.barcode_scannable);
        assert_eq!(item.hospital_price, Some(Money(255_500)));
        assert_eq!(item.origin, Some(Origin::Princeps));
        assert_eq!(item.reimbursement_pct, 70);
        assert_eq!(item.category, Category::Rx);
        assert_eq!(item.tax_category, TaxCategory::Medicine);
        assert_eq!(item.schedule, Schedule::None);
        assert_eq!(item.pack_size, 1);
        assert_eq!(item.unit_cost, Money::ZERO);
        assert_eq!((item.reorder_point, item.reorder_quantity), (0, 0));
        assert!(item.expiry_tracked && item.active);

        let preterax = &batch.items[1].item;
        assert_eq!(preterax.active_substance, "INDAPAMIDE / PERINDOPRIL");
        assert_eq!(preterax.dosage, "0.625 / 2 MG / MG");
        assert_eq!(preterax.hospital_price, None);
        assert_eq!(batch.items[1].ppv, Money(23_900));

        let legacy = &batch.items[2];
        assert_eq!(legacy.item.barcode.as_deref(), Some("6118000140213"));
        assert!(!legacy.item.barcode_scannable);
        assert_eq!(legacy.item.origin, Some(Origin::Generic));
        assert_eq!(legacy.item.reimbursement_pct, 0);

        assert_eq!(
            batch.warnings,
            vec![
                ImportWarning::LegacyBarcode { line: 4, code: "6118000140213".into(), expected: 4, found: 3 },
                ImportWarning::NoPublicPrice {
                    line: 5,
                    code: "6118001184187".into(),
                    name: "REVLIMID 25 MG".into()
                },
            ]
        );
        assert_eq!(
            batch.warnings[0].to_string(),
            "ligne 4 : code 6118000140213 gardé comme référence, non scannable \
             (clé de contrôle 3 au lieu de 4)"
        );
        assert_eq!(batch.warnings[1].line(), Some(5));
    }

    #[test]
    fn cnops_latin1_semicolon_copy() {
        // A French-Excel copy: Latin-1, `;`, BOM-less, CRLF, French decimal commas.
        let mut file: Vec<u8> = Vec::new();
        file.extend_from_slice(CNOPS_HEADER.replace(',', ";").as_bytes());
        file.extend_from_slice(b"\r\n6118000032182;HYDROXO 5000;HYDROXOCOBALAMINE;5000;\xb5G;");
        file.extend_from_slice(b"SOLUTION INJECTABLE;1 BOITE 4 AMPOULE;58,50;38,70;58,50;P;0%\r\n");
        file.extend_from_slice(b"6118000120155;ZADRYL \xc9T\xc9 \x92S;CETIRIZINE;1;MG;SOLUTION BUVABLE;");
        file.extend_from_slice(b"1 FLACON 60 ML;\" 2 882,00 \";19,90;31,90;G;70 %\r\n");
        assert!(std::str::from_utf8(&file).is_err());

        let batch = import(&file).unwrap();
        assert_eq!(batch.encoding, TextEncoding::Latin1);
        assert_eq!(batch.delimiter, ';');
        assert_eq!(batch.format, SourceFormat::Cnops);
        assert_eq!(batch.items[0].item.dosage, "5000 µG");
        assert_eq!(batch.items[0].ppv, Money(5_850));
        assert_eq!(batch.items[1].item.name, "ZADRYL ÉTÉ ’S");
        assert_eq!(batch.items[1].ppv, Money(288_200));
        assert_eq!(batch.items[1].item.reimbursement_pct, 70);
        assert_eq!(batch.items[1].line, 3);
        assert!(batch.warnings.is_empty());
    }

    #[test]
    fn header_is_found_case_insensitively_with_bom_and_extra_columns() {
        // A pandas copy of the list adds an unnamed index column; headers trimmed/mixed case.
        let file = "\u{feff} , Code ,nom,Dci1,DOSAGE1,unite_dosage1,FORME,PRESENTATION,ppv,PH,PRIX_BR,\
                    PRINCEPS_GENERIQUE,TAUX_REMBOURSEMENT\n\
                    0,6118000120155,ZADRYL,CETIRIZINE,1,MG,SOLUTION BUVABLE,1 FLACON 60 ML,31.90,19.90,31.90,G,70%\n";
        let batch = import(file.as_bytes()).unwrap();
        assert_eq!(batch.items.len(), 1);
        assert_eq!(batch.items[0].item.name, "ZADRYL");
        assert_eq!(batch.warnings, vec![ImportWarning::IgnoredColumn { column: 1, name: String::new() }]);
        assert_eq!(batch.warnings[0].to_string(), "colonne 1 sans nom ignorée");
    }

    #[test]
    fn pharmacy_own_format() {
        let file = "barcode,name,active_substance,dosage,form,presentation,ppv,ph,reimbursement_rate,\
                    princeps_generic,category,tax_category,schedule,pack_size,notes\n\
                    6118000120155,ZADRYL,CETIRIZINE,1 MG,SOLUTION BUVABLE,1 FLACON 60 ML,\"31,90\",19.90,70,G,otc,,,,à garder\n\
                    6118000100225,CREME SOLAIRE SPF50,,,CREME,1 TUBE 50 ML,\"1 234,50\",,,,parapharmacy,,none,1,\n\
                    6118000031079,SIROP X,CODEINE,,SIROP,1 FLACON,12.5 DH,,0%,P,rx,medicine,B,12,\n\
                    ,PREPARATION MAISON,,,,,\"4,00\",,,,Préparation,Réduit,c,,\n";
        let batch = import(file.as_bytes()).unwrap();
        assert_eq!(batch.format, SourceFormat::Pharmacy);
        assert_eq!(batch.warnings, vec![ImportWarning::IgnoredColumn { column: 15, name: "notes".into() }]);
        let [zadryl, creme, sirop, prep] = &batch.items[..] else {
            panic!("4 items expected: {:?}", batch.items);
        };
        assert_eq!(zadryl.ppv, Money(3_190));
        assert_eq!(zadryl.item.hospital_price, Some(Money(1_990)));
        assert_eq!(zadryl.item.dosage, "1 MG");
        assert_eq!(zadryl.item.category, Category::Otc);
        assert_eq!(zadryl.item.tax_category, TaxCategory::Medicine);
        assert_eq!(zadryl.item.reimbursement_pct, 70);

        assert_eq!(creme.ppv, Money(123_450));
        assert_eq!(creme.item.category, Category::Parapharmacy);
        assert_eq!(creme.item.tax_category, TaxCategory::Standard);
        assert_eq!(creme.item.origin, None);

        assert_eq!(sirop.ppv, Money(1_250));
        assert_eq!(sirop.item.schedule, Schedule::B);
        assert_eq!(sirop.item.pack_size, 12);
        assert_eq!(sirop.item.origin, Some(Origin::Princeps));

        assert_eq!(prep.item.barcode, None);
        assert!(prep.item.barcode_scannable);
        assert_eq!(prep.item.category, Category::Preparation);
        assert_eq!(prep.item.tax_category, TaxCategory::Reduced);
        assert_eq!(prep.item.schedule, Schedule::C);
        assert_eq!(prep.line, 5);
    }

    #[test]
    fn ids_are_deterministic_and_distinct() {
        let file = own(&["6118000120155,A,,,,,1,,,", "6118000100225,B,,,,,2,,,"]);
        let a = import(file.as_bytes()).unwrap();
        let b = import(file.as_bytes()).unwrap();
        assert_eq!(a, b);
        assert_ne!(a.items[0].item.id, a.items[1].item.id);
    }

    #[test]
    fn each_error_is_reported_with_its_line() {
        let cases: &[(&str, RowProblem)] = &[
            ("6118000120155,,,,,,1,,,", RowProblem::MissingName),
            ("6118000120155,A,,,,,,,,", RowProblem::MissingPrice { column: "ppv".into() }),
            (
                "6118000120155,A,,,,,abc,,,",
                RowProblem::BadPrice {
                    column: "ppv".into(),
                    source: MoneyParseError::Invalid { input: "abc".into() },
                },
            ),
            (
                "6118000120155,A,,,,,\"12,345\",,,",
                RowProblem::BadPrice {
                    column: "ppv".into(),
                    source: MoneyParseError::TooManyDecimals { input: "12,345".into() },
                },
            ),
            (
                "6118000120155,A,,,,,-3,,,",
                RowProblem::NegativePrice { column: "ppv".into(), value: "-3".into() },
            ),
            (
                "6118000120155,A,,,,,3,-1,,",
                RowProblem::NegativePrice { column: "ph".into(), value: "-1".into() },
            ),
            (
                "6118000120156,A,,,,,3,,,",
                RowProblem::BadBarcode {
                    value: "6118000120156".into(),
                    source: Ean13Error::BadCheckDigit { expected: 5, found: 6 },
                },
            ),
            (
                "611800012015,A,,,,,3,,,",
                RowProblem::BadBarcode {
                    value: "611800012015".into(),
                    source: Ean13Error::WrongLength { len: 12 },
                },
            ),
            ("6118000120155,A,,,,,3,,150%,", RowProblem::BadRate { value: "150%".into() }),
            ("6118000120155,A,,,,,3,,,X", RowProblem::BadOrigin { value: "X".into() }),
            ("6118000120155,A,,,,,3,,", RowProblem::ColumnCount { expected: 10, found: 9 }),
            ("6118000120155,A,,,,,3,,,,oops", RowProblem::ColumnCount { expected: 10, found: 11 }),
        ];
        for (row, problem) in cases {
            // A good row first, so the bad one is on line 3.
            let file = own(&["6118000100225,GOOD,,,,,1,,,", row]);
            assert_eq!(
                row_errors(file.as_bytes()),
                vec![RowError { line: 3, problem: problem.clone() }],
                "{row}"
            );
        }
    }

    #[test]
    fn optional_columns_are_checked() {
        let head = "barcode,name,ppv,category,tax_category,schedule,pack_size\n";
        let file = format!(
            "{head}6118000120155,A,1,cosmetic,,,\n6118000100225,B,1,,vat20,,\n\
             6118000031079,C,1,,,D,\n6118010116230,D,1,,,,0\n"
        );
        let problems: Vec<_> = row_errors(file.as_bytes()).into_iter().map(|e| (e.line, e.problem)).collect();
        assert_eq!(
            problems,
            vec![
                (2, RowProblem::BadCategory { value: "cosmetic".into() }),
                (3, RowProblem::BadTaxCategory { value: "vat20".into() }),
                (4, RowProblem::BadSchedule { value: "D".into() }),
                (5, RowProblem::BadPackSize { value: "0".into() }),
            ]
        );
    }

    #[test]
    fn every_bad_row_is_reported_and_nothing_imported() {
        let file = own(&[
            "6118000120155,A,,,,,1,,,",
            "6118000120156,B,,,,,1,,,", // line 3: check digit
            "6118000100225,,,,,,x,,,",  // line 4: name and price
            "6118000031079,D,,,,,2,,,",
            "6118000120155,E,,,,,1,,,", // line 6: duplicate of line 2
        ]);
        let errors = row_errors(file.as_bytes());
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 4, 6]);
        assert_eq!(
            errors[3].problem,
            RowProblem::DuplicateBarcode { code: "6118000120155".into(), first_line: 2 }
        );
        let message = import(file.as_bytes()).unwrap_err().to_string();
        assert_eq!(
            message,
            "3 lignes en erreur, rien n'a été importé :\n  \
             ligne 3 : code-barres « 6118000120156 » invalide : clé de contrôle incorrecte : \
             le dernier chiffre devrait être 5, pas 6\n  \
             ligne 4 : nom manquant\n  \
             ligne 4 : prix ppv illisible : montant illisible : « x » (exemples : 12,50 ; 1 234,50 ; 12 DH)\n  \
             ligne 6 : code-barres 6118000120155 en double (déjà ligne 2)"
        );
    }

    #[test]
    fn cnops_errors() {
        let file = cnops(&[
            "6118000120155,ZADRYL,CETIRIZINE,1,MG,SOLUTION BUVABLE,1 FLACON 60 ML,31.90,19.90,31.90,G,70%",
            ",SANS CODE,X,1,MG,F,P,1.00,-,-,P,0%",
            "6118000120155,ZADRYL BIS,CETIRIZINE,1,MG,SOLUTION BUVABLE,1 FLACON 60 ML,31.90,19.90,31.90,G,70%",
            "6118O00120155,LETTRE,X,1,MG,F,P,1.00,-,-,P,0%",
            "6118000100225,PRIX,X,1,MG,F,P,\" 2,882.000 \",-,-,Q,abc",
        ]);
        let problems: Vec<_> =
            row_errors(file.as_bytes()).into_iter().map(|e| (e.line, e.problem.to_string())).collect();
        assert_eq!(
            problems,
            vec![
                (3, "code manquant".to_owned()),
                (4, "code-barres 6118000120155 en double (déjà ligne 2)".to_owned()),
                (
                    5,
                    "code-barres « 6118O00120155 » invalide : caractère « O » en position 5 : \
                     un code EAN-13 ne contient que des chiffres"
                        .to_owned()
                ),
                (
                    6,
                    "prix PPV illisible : trop de décimales dans « 2,882.000 » : 2 au plus (les centimes)"
                        .to_owned()
                ),
                (6, "taux de remboursement illisible : « abc » (entier de 0 à 100, p. ex. 70%)".to_owned()),
                (6, "princeps/générique illisible : « Q » (P ou G)".to_owned()),
            ]
        );
    }

    #[test]
    fn line_numbers_follow_the_file_not_the_records() {
        // A quoted name spanning two lines, then a blank spreadsheet row: the bad row is on
        // line 6 of the file even though it is the third record.
        let file = own(&[
            "6118000120155,\"NOM SUR\nDEUX LIGNES\",,,,,1,,,",
            ",,,,,,,,,",
            "6118000100225,B,,,,,1,,,",
            "6118000031079,C,,,,,zz,,,",
        ]);
        let errors = row_errors(file.as_bytes());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 6);
        let ok = own(&["6118000120155,\"NOM SUR\nDEUX LIGNES\",,,,,1,,,", "6118000100225,B,,,,,1,,,"]);
        let batch = import(ok.as_bytes()).unwrap();
        assert_eq!(batch.items[0].item.name, "NOM SUR\nDEUX LIGNES");
        assert_eq!(batch.items[1].line, 4);
    }

    #[test]
    fn line_numbers_with_crlf_blank_lines_and_lone_cr() {
        for eol in ["\n", "\r\n", "\r"] {
            let file = [
                "barcode,name,ppv",
                "",
                "6118000120155,A,1",
                ",,",
                "",
                "6118000100225,B,x",
                "\"6118000031079\",\"C",
                "\",-1",
            ]
            .join(eol);
            let lines: Vec<usize> = row_errors(file.as_bytes()).iter().map(|e| e.line).collect();
            assert_eq!(lines, vec![6, 7], "{eol:?}");
        }
    }

    #[test]
    fn trailing_empty_fields_are_tolerated() {
        let file = own(&["6118000120155,A,,,,,1,,,,,,"]);
        assert_eq!(import(file.as_bytes()).unwrap().items.len(), 1);
    }

    #[test]
    fn header_errors() {
        let err = import(b"foo,bar\n1,2\n").unwrap_err();
        assert!(matches!(err, ImportError::Header(HeaderError::Unrecognised { .. })), "{err:?}");
        assert!(err.to_string().starts_with("en-tête non reconnu : « foo,bar »"));

        let err = import(b"CODE,NOM,DCI1\n6118000120155,A,B\n").unwrap_err();
        assert_eq!(err.to_string(), "colonne(s) obligatoire(s) absente(s) de l'en-tête : PPV");
        let err = import(b"name,dosage\nA,1\n").unwrap_err();
        assert!(matches!(
            err,
            ImportError::Header(HeaderError::MissingColumns { ref missing })
                if missing == &vec!["barcode".to_owned(), "ppv".to_owned()]
        ));
        let err = import(b"barcode,name,ppv,Name\n").unwrap_err();
        assert_eq!(err.to_string(), "colonne « Name » présente deux fois dans l'en-tête");
    }

    #[test]
    fn empty_files() {
        for file in [&b""[..], b"\xEF\xBB\xBF", b"  \n\n", b"barcode,name,ppv\n", b"barcode,name,ppv\n,,\n"] {
            let err = import(file).unwrap_err();
            assert!(matches!(err, ImportError::Empty), "{file:?}: {err:?}");
            assert_eq!(err.to_string(), "fichier vide : aucun article à importer");
        }
    }

    #[test]
    fn too_large() {
        let big = vec![b' '; MAX_BYTES + 1];
        let err = import(&big).unwrap_err();
        assert!(matches!(err, ImportError::TooLarge(SizeLimit::Bytes(_))));
        assert_eq!(err.to_string(), "fichier trop volumineux : 51 Mo (50 Mo au plus)");

        let mut rows = String::from("barcode,name,ppv\n");
        for _ in 0..=MAX_ROWS {
            rows.push_str(",A,1\n");
        }
        let err = import(rows.as_bytes()).unwrap_err();
        assert!(matches!(err, ImportError::TooLarge(SizeLimit::Rows)));
    }

    #[test]
    fn value_parsers() {
        assert_eq!(parse_rate("70%"), Some(70));
        assert_eq!(parse_rate("70 "), Some(70));
        assert_eq!(parse_rate("100.00"), Some(100));
        assert_eq!(parse_rate(""), Some(0));
        assert_eq!(parse_rate("0.7"), None);
        assert_eq!(parse_rate("101"), None);
        assert_eq!(parse_rate("%"), Some(0));
        assert_eq!(parse_rate("-5"), None);
        assert_eq!(sniff_delimiter("a;b;\"c,d,e\"\n1,2"), b';');
        assert_eq!(sniff_delimiter("a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter("a,b;c"), b',');
        assert_eq!(windows_1252(0xe9), 'é');
        assert_eq!(windows_1252(0x9c), 'œ');
        assert_eq!(windows_1252(0x80), '€');
        assert_eq!(windows_1252(0x81), '\u{81}');
    }
}
