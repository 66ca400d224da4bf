//! VAT: which rate applies to an item on a given day, and how much of a price is VAT.
//!
//! Moroccan shelf prices are VAT-inclusive (TTC), so VAT is never added on top: it is the
//! part of each line's TTC amount that belongs to the state, computed per line and summed
//! per rate on the receipt and in the journal ([`VatSummary`]). Rates change by law on a
//! given date (medicines went from 7% to exempt on 1 January 2024), so a rate comes from a
//! dated table and is looked up with the sale's business date: a ticket reprinted in 2030
//! for a 2023 sale still shows 7%.
//!
//! Rates are in basis points (2000 = 20%) and all arithmetic is on integers.
//!
//! ```
//! use chrono::NaiveDate;
//! use pharma_core::catalog::TaxCategory;
//! use pharma_core::catalog::vat::{VatSummary, rate_bp, vat_included};
//! use pharma_core::money::Money;
//!
//! let day = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
//! assert_eq!(rate_bp(TaxCategory::Medicine, day), 0);
//! assert_eq!(rate_bp(TaxCategory::Standard, day), 2000);
//! assert_eq!(vat_included(Money(12_000), 2000), Money(2_000));
//!
//! let mut receipt = VatSummary::new();
//! receipt.add_line(2000, Money(12_000));
//! receipt.add_line(0, Money(4_550));
//! assert_eq!(receipt.total().vat, Money(2_000));
//! assert_eq!(receipt.total().ttc, Money(16_550));
//! ```

use super::TaxCategory;
use crate::money::Money;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One line of a rate table: from `from` (inclusive; `None` = since always) until a later
/// rule of the same category takes over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateRule {
    pub category: TaxCategory,
    pub from: Option<NaiveDate>,
    pub rate_bp: u32,
}

/// The day medicines became VAT-exempt (finance law 2024).
pub const MEDICINE_EXEMPT_FROM: NaiveDate = match NaiveDate::from_ymd_opt(2024, 1, 1) {
    Some(d) => d,
    None => panic!("2024-01-01 is a valid date"),
};

/// Morocco's rates as known when this was written.
///
/// The reduced rate (10%) is not confirmed for pharmacy goods and reduced rates are being
/// merged: treat it as a setting. A pharmacy overrides it (or anything else) with
/// [`RateTable::with_rule`], not by editing this table.
pub const MOROCCO_RULES: &[RateRule] = &[
    RateRule { category: TaxCategory::Medicine, from: None, rate_bp: 700 },
    RateRule { category: TaxCategory::Medicine, from: Some(MEDICINE_EXEMPT_FROM), rate_bp: 0 },
    RateRule { category: TaxCategory::Standard, from: None, rate_bp: 2000 },
    RateRule { category: TaxCategory::Reduced, from: None, rate_bp: 1000 },
];

/// The rate for `cat` on `on` (the sale's business date), from [`MOROCCO_RULES`].
pub fn rate_bp(cat: TaxCategory, on: NaiveDate) -> u32 {
    // Every category has a rule "since always", so the fallback is never taken (tested).
    lookup(MOROCCO_RULES, cat, on).unwrap_or(0)
}

/// The latest rule of `cat` already in force on `on`; among rules with the same start, the
/// last one listed wins, so an override appended to a table replaces the default.
fn lookup(rules: &[RateRule], cat: TaxCategory, on: NaiveDate) -> Option<u32> {
    rules
        .iter()
        .filter(|r| r.category == cat && r.from.is_none_or(|f| f <= on))
        .max_by_key(|r| r.from)
        .map(|r| r.rate_bp)
}

/// A rate table a pharmacy can adjust (a setting), starting from Morocco's defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateTable {
    pub rules: Vec<RateRule>,
}

impl Default for RateTable {
    fn default() -> Self {
        Self::morocco()
    }
}

impl RateTable {
    pub fn morocco() -> Self {
        Self { rules: MOROCCO_RULES.to_vec() }
    }

    /// Adds a rule; it wins over earlier rules with the same start date.
    pub fn with_rule(mut self, category: TaxCategory, from: Option<NaiveDate>, rate_bp: u32) -> Self {
        self.rules.push(RateRule { category, from, rate_bp });
        self
    }

    /// `None` if the table has no rule for `cat` in force on `on`: a configuration error
    /// to report, never a silent 0%.
    pub fn rate_bp(&self, cat: TaxCategory, on: NaiveDate) -> Option<u32> {
        lookup(&self.rules, cat, on)
    }
}

/// The VAT contained in a VAT-inclusive amount: `ttc × rate / (10 000 + rate)`, rounded to
/// the nearest centime, halves away from zero. Rounding is symmetric so a refund's VAT is
/// exactly the opposite of the sale's.
pub fn vat_included(total_ttc: Money, rate_bp: u32) -> Money {
    if rate_bp == 0 {
        return Money::ZERO;
    }
    // i128: |ttc| × rate can exceed i64 for large amounts.
    let rate = i128::from(rate_bp);
    let num = i128::from(total_ttc.0.unsigned_abs()) * rate;
    let den = 10_000 + rate;
    let rounded = (2 * num + den) / (2 * den);
    // rounded <= |ttc| × rate / (10 000 + rate) + 1/2 < |ttc| + 1, and it is < 2^63 because
    // the ratio is below 1 and |ttc| <= 2^63: always fits.
    let vat = i64::try_from(rounded).unwrap_or(i64::MAX);
    Money(if total_ttc.0 < 0 { -vat } else { vat })
}

/// `20 %`, `7 %`, `5,5 %`: a rate as printed on a receipt.
pub fn rate_label_fr(rate_bp: u32) -> String {
    let whole = rate_bp / 100;
    let frac = rate_bp % 100;
    if frac == 0 {
        format!("{whole} %")
    } else {
        let frac = format!("{frac:02}");
        format!("{whole},{} %", frac.trim_end_matches('0'))
    }
}

/// Amounts at one rate: base before tax (HT), VAT and the VAT-inclusive total (TTC).
/// Always `base_ht + vat == ttc`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatTotals {
    pub base_ht: Money,
    pub vat: Money,
    pub ttc: Money,
}

impl VatTotals {
    /// Splits one line's TTC amount.
    pub fn of_line(rate_bp: u32, ttc: Money) -> Self {
        let vat = vat_included(ttc, rate_bp);
        Self { base_ht: ttc - vat, vat, ttc }
    }

    fn add(&mut self, o: VatTotals) {
        self.base_ht += o.base_ht;
        self.vat += o.vat;
        self.ttc += o.ttc;
    }
}

/// VAT summed per rate over lines (a receipt) or over receipts (the journal, a Z closing).
/// VAT is computed on each line, then added: the sum of the lines' VAT is what the
/// receipts showed, so the journal always agrees with them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatSummary {
    /// Keyed by rate in basis points, lowest rate first.
    pub by_rate: BTreeMap<u32, VatTotals>,
}

impl VatSummary {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a line (negative for a refund) and returns its own split, for the line record.
    pub fn add_line(&mut self, rate_bp: u32, ttc: Money) -> VatTotals {
        let line = VatTotals::of_line(rate_bp, ttc);
        self.by_rate.entry(rate_bp).or_default().add(line);
        line
    }

    /// Adds another summary (receipts into a day, days into a period).
    pub fn merge(&mut self, other: &VatSummary) {
        for (rate, totals) in &other.by_rate {
            self.by_rate.entry(*rate).or_default().add(*totals);
        }
    }

    pub fn get(&self, rate_bp: u32) -> Option<&VatTotals> {
        self.by_rate.get(&rate_bp)
    }

    /// `(rate_bp, totals)`, lowest rate first.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &VatTotals)> + '_ {
        self.by_rate.iter().map(|(r, t)| (*r, t))
    }

    pub fn is_empty(&self) -> bool {
        self.by_rate.is_empty()
    }

    /// `(rate_bp, base_ht, vat)` per rate, lowest rate first: the compact form a Z closing
    /// stores (the TTC is their sum).
    pub fn rows(&self) -> Vec<(u32, Money, Money)> {
        self.iter().map(|(r, t)| (r, t.base_ht, t.vat)).collect()
    }

    /// All rates together.
    pub fn total(&self) -> VatTotals {
        let mut t = VatTotals::default();
        for totals in self.by_rate.values() {
            t.add(*totals);
        }
        t
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dated_rates() {
        assert_eq!(rate_bp(TaxCategory::Medicine, d(2023, 12, 31)), 700);
        assert_eq!(rate_bp(TaxCategory::Medicine, d(2024, 1, 1)), 0);
        assert_eq!(rate_bp(TaxCategory::Medicine, d(2026, 6, 1)), 0);
        assert_eq!(rate_bp(TaxCategory::Medicine, d(1990, 1, 1)), 700);
        for day in [d(2000, 1, 1), d(2023, 12, 31), d(2024, 1, 1), d(2040, 1, 1)] {
            assert_eq!(rate_bp(TaxCategory::Standard, day), 2000);
            assert_eq!(rate_bp(TaxCategory::Reduced, day), 1000);
        }
    }

    #[test]
    fn every_category_has_a_rule_since_always() {
        for cat in [TaxCategory::Medicine, TaxCategory::Standard, TaxCategory::Reduced] {
            assert!(lookup(MOROCCO_RULES, cat, NaiveDate::MIN).is_some(), "{cat:?}");
            assert_eq!(RateTable::morocco().rate_bp(cat, d(2025, 1, 1)), Some(rate_bp(cat, d(2025, 1, 1))));
        }
    }

    #[test]
    fn a_setting_overrides_the_default() {
        let table = RateTable::morocco().with_rule(TaxCategory::Reduced, None, 1400).with_rule(
            TaxCategory::Reduced,
            Some(d(2026, 1, 1)),
            2000,
        );
        assert_eq!(table.rate_bp(TaxCategory::Reduced, d(2025, 12, 31)), Some(1400));
        assert_eq!(table.rate_bp(TaxCategory::Reduced, d(2026, 1, 1)), Some(2000));
        assert_eq!(table.rate_bp(TaxCategory::Standard, d(2026, 1, 1)), Some(2000));
        let empty = RateTable { rules: vec![] };
        assert_eq!(empty.rate_bp(TaxCategory::Standard, d(2026, 1, 1)), None);
    }

    #[test]
    fn vat_included_exact_values() {
        let cases = [
            // (ttc centimes, rate bp, vat centimes)
            (12_000, 2000, 2_000), // 120,00 TTC at 20% = 100 HT + 20 VAT
            (1_000, 2000, 167),    // 1,6666… → 1,67
            (3, 2000, 1),          // exactly 0,5 centime → rounds up
            (9, 2000, 2),          // 1,5 → 2
            (2, 2000, 0),          // 0,333… → 0
            (1_070, 700, 70),      // 10,70 TTC at 7% = 10 HT + 0,70 VAT
            (100, 700, 7),         // 6,54… → 7
            (4_550, 700, 298),     // 297,66… → 298
            (1_100, 1000, 100),    // 11,00 at 10%
            (15, 1000, 1),         // 1,36… → 1
            (4_550, 0, 0),
            (0, 2000, 0),
        ];
        for (ttc, rate, vat) in cases {
            assert_eq!(vat_included(Money(ttc), rate), Money(vat), "{ttc} at {rate}");
            assert_eq!(vat_included(Money(-ttc), rate), Money(-vat), "refund {ttc} at {rate}");
        }
    }

    #[test]
    fn vat_included_does_not_overflow() {
        let big = vat_included(Money(i64::MAX), 2000);
        assert_eq!(big, Money(1_537_228_672_809_129_301));
        assert_eq!(vat_included(Money(i64::MIN), 2000), Money(-1_537_228_672_809_129_301));
        assert!(vat_included(Money(i64::MAX), u32::MAX) < Money(i64::MAX));
    }

    #[test]
    fn labels() {
        assert_eq!(rate_label_fr(2000), "20 %");
        assert_eq!(rate_label_fr(0), "0 %");
        assert_eq!(rate_label_fr(550), "5,5 %");
        assert_eq!(rate_label_fr(725), "7,25 %");
    }

    #[test]
    fn summary_sums_per_rate_line_by_line() {
        let mut s = VatSummary::new();
        // Three 10,00 lines at 20%: each line's VAT is 1,67, so 5,01 — not 5,00 as the
        // VAT of 30,00 would be. The receipt and the journal agree line by line.
        for _ in 0..3 {
            let line = s.add_line(2000, Money(1_000));
            assert_eq!(line, VatTotals { base_ht: Money(833), vat: Money(167), ttc: Money(1_000) });
        }
        s.add_line(0, Money(4_550));
        s.add_line(700, Money(1_070));
        assert_eq!(
            s.get(2000),
            Some(&VatTotals { base_ht: Money(2_499), vat: Money(501), ttc: Money(3_000) })
        );
        assert_eq!(s.get(0), Some(&VatTotals { base_ht: Money(4_550), vat: Money(0), ttc: Money(4_550) }));
        assert_eq!(s.iter().map(|(r, _)| r).collect::<Vec<_>>(), vec![0, 700, 2000]);
        assert_eq!(s.total(), VatTotals { base_ht: Money(8_049), vat: Money(571), ttc: Money(8_620) });

        // A refund of one line reverses it exactly.
        s.add_line(2000, Money(-1_000));
        assert_eq!(s.get(2000).unwrap().vat, Money(334));

        assert_eq!(
            s.rows(),
            vec![
                (0, Money(4_550), Money(0)),
                (700, Money(1_000), Money(70)),
                (2000, Money(1_666), Money(334)),
            ]
        );

        let mut day = VatSummary::new();
        day.merge(&s);
        day.merge(&s);
        assert_eq!(day.get(2000).unwrap().ttc, Money(4_000));
        assert_eq!(day.total().ttc, s.total().ttc + s.total().ttc);
        for (_, t) in day.iter() {
            assert_eq!(t.base_ht + t.vat, t.ttc);
        }

        let json = serde_json::to_string(&day).unwrap();
        assert_eq!(serde_json::from_str::<VatSummary>(&json).unwrap(), day);
    }
}
