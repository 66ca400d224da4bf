//! Values as written in a cell: rates, princeps/generic, categories, schedules, pack sizes.

use crate::catalog::{Category, Origin, Schedule, TaxCategory};

/// `70%`, `70 %`, `70`, `70.00%`; empty is 0. `None` if unreadable or above 100.
pub(super) fn parse_rate(s: &str) -> Option<u8> {
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
pub(super) fn parse_origin(s: &str) -> Option<Option<Origin>> {
    match s.to_lowercase().as_str() {
        "" => Some(None),
        "p" | "princeps" => Some(Some(Origin::Princeps)),
        "g" | "generique" | "générique" | "generic" => Some(Some(Origin::Generic)),
        _ => None,
    }
}

/// Empty is Rx: the reference lists are medicines.
pub(super) fn parse_category(s: &str) -> Option<Category> {
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
pub(super) fn parse_tax_category(s: &str, category: Category) -> Option<TaxCategory> {
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

pub(super) fn parse_schedule(s: &str) -> Option<Schedule> {
    match s.to_lowercase().as_str() {
        "aucun" | "aucune" => Some(Schedule::None),
        _ => Schedule::parse(s),
    }
}

/// Empty is 1.
pub(super) fn parse_pack_size(s: &str) -> Option<i64> {
    if s.is_empty() {
        return Some(1);
    }
    s.parse::<i64>().ok().filter(|n| *n >= 1)
}
