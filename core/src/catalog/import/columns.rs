//! The header and the rows: which column holds what, and each row read and checked.

use super::fields::{
    parse_category, parse_origin, parse_pack_size, parse_rate, parse_schedule, parse_tax_category,
};
use super::{HeaderError, ImportWarning, RowProblem, SourceFormat};
use crate::catalog::ean13::{self, Ean13Error};
use crate::catalog::{Category, Item, Origin, Schedule, TaxCategory};
use crate::ids::ItemId;
use crate::money::{Money, parse_mad};
use std::collections::HashMap;

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
pub(super) struct Columns {
    pub(super) format: SourceFormat,
    /// Per field: column index and the header as written (for messages).
    index: HashMap<Field, (usize, String)>,
    width: usize,
}

fn normalise_header(h: &str) -> String {
    h.trim().trim_start_matches('\u{feff}').trim().to_lowercase().replace([' ', '-'], "_")
}

impl Columns {
    pub(super) fn from_header(
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
    pub(super) fn read_row(
        &self,
        record: &csv::StringRecord,
        problems: &mut Vec<RowProblem>,
    ) -> Option<RowValues> {
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
pub(super) struct RowValues {
    pub(super) name: String,
    active_substance: String,
    dosage: String,
    form: String,
    presentation: String,
    pub(super) barcode: Option<String>,
    /// `(expected, found)` check digits of a tolerated legacy CNOPS code.
    pub(super) legacy_check: Option<(u8, u8)>,
    pub(super) ppv: Option<Money>,
    ph: Option<Money>,
    reimbursement_pct: u8,
    origin: Option<Origin>,
    category: Category,
    tax_category: TaxCategory,
    schedule: Schedule,
    pack_size: i64,
}

impl RowValues {
    pub(super) fn into_item(self, id: ItemId) -> Item {
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
