//! Moroccan notes and coins, and a cash count by denomination.
//!
//! A till is closed by a blind count: the cashier enters how many of each note and coin is
//! in the drawer, and the total is derived from that, never typed. The counts are kept
//! (not just the total) so a variance can be explained later ("one 200 DH note short").
//!
//! Each denomination has a stable code used on the wire and in storage (`b200` for the
//! 200 DH note, `c50c` for the 50 centimes coin): codes never change even if labels do.
//!
//! ```
//! use pharma_core::money::{Denomination, DenominationCount, Money};
//!
//! let count = DenominationCount::parse("200x3, 100x2, 0,50x4").unwrap();
//! assert_eq!(count.total(), Money::from_dirhams(802));
//! assert_eq!(count.get(Denomination::B200), 3);
//! assert_eq!("0,50".parse::<Denomination>(), Ok(Denomination::C50c));
//! ```

use super::{Money, parse_mad};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// A note or coin in circulation. Declared from the highest value to the lowest, so the
/// derived order (and a [`DenominationCount`]'s iteration) goes high to low, as on a count
/// sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Denomination {
    #[serde(rename = "b200")]
    B200,
    #[serde(rename = "b100")]
    B100,
    #[serde(rename = "b50")]
    B50,
    #[serde(rename = "b20")]
    B20,
    #[serde(rename = "c10")]
    C10,
    #[serde(rename = "c5")]
    C5,
    #[serde(rename = "c2")]
    C2,
    #[serde(rename = "c1")]
    C1,
    #[serde(rename = "c50c")]
    C50c,
    #[serde(rename = "c20c")]
    C20c,
    #[serde(rename = "c10c")]
    C10c,
    /// Rare, but legal tender.
    #[serde(rename = "c5c")]
    C5c,
    /// Rare, but legal tender.
    #[serde(rename = "c1c")]
    C1c,
}

impl Denomination {
    /// Every denomination, highest value first.
    pub const ALL: [Denomination; 13] = [
        Denomination::B200,
        Denomination::B100,
        Denomination::B50,
        Denomination::B20,
        Denomination::C10,
        Denomination::C5,
        Denomination::C2,
        Denomination::C1,
        Denomination::C50c,
        Denomination::C20c,
        Denomination::C10c,
        Denomination::C5c,
        Denomination::C1c,
    ];

    /// Face value in centimes, as a plain number (usable in `const` context).
    pub const fn centimes(self) -> i64 {
        match self {
            Denomination::B200 => 20_000,
            Denomination::B100 => 10_000,
            Denomination::B50 => 5_000,
            Denomination::B20 => 2_000,
            Denomination::C10 => 1_000,
            Denomination::C5 => 500,
            Denomination::C2 => 200,
            Denomination::C1 => 100,
            Denomination::C50c => 50,
            Denomination::C20c => 20,
            Denomination::C10c => 10,
            Denomination::C5c => 5,
            Denomination::C1c => 1,
        }
    }

    pub const fn value(self) -> Money {
        Money(self.centimes())
    }

    pub fn is_note(self) -> bool {
        matches!(self, Denomination::B200 | Denomination::B100 | Denomination::B50 | Denomination::B20)
    }

    /// The stable code (same as the serde form).
    pub fn code(self) -> &'static str {
        match self {
            Denomination::B200 => "b200",
            Denomination::B100 => "b100",
            Denomination::B50 => "b50",
            Denomination::B20 => "b20",
            Denomination::C10 => "c10",
            Denomination::C5 => "c5",
            Denomination::C2 => "c2",
            Denomination::C1 => "c1",
            Denomination::C50c => "c50c",
            Denomination::C20c => "c20c",
            Denomination::C10c => "c10c",
            Denomination::C5c => "c5c",
            Denomination::C1c => "c1c",
        }
    }

    /// `200 DH`, `50 c`: for narrow columns.
    pub fn short_label_fr(self) -> String {
        let c = self.centimes();
        if c >= 100 { format!("{} DH", c / 100) } else { format!("{c} c") }
    }

    /// `Billet de 200 DH`, `Pièce de 10 DH`, `Pièce de 50 c`: for the count screen.
    pub fn label_fr(self) -> String {
        let kind = if self.is_note() { "Billet" } else { "Pièce" };
        format!("{kind} de {}", self.short_label_fr())
    }

    /// The denomination with exactly this face value, if any.
    pub fn from_value(m: Money) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.value() == m)
    }
}

impl fmt::Display for Denomination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.short_label_fr())
    }
}

/// Why a denomination or a count could not be read. Messages are shown as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DenominationParseError {
    #[error("coupure inconnue : « {0} » (exemples : 200, 0,50, 50c, b200, c50c)")]
    Unknown(String),
    #[error("nombre manquant pour « {0} » (écrire p. ex. 200x3)")]
    MissingCount(String),
    #[error("nombre invalide dans « {0} » : un entier positif est attendu")]
    BadCount(String),
    #[error("nombre trop grand pour « {0} »")]
    CountOverflow(String),
}

impl FromStr for Denomination {
    type Err = DenominationParseError;

    /// Accepts a code (`b200`, `c50c`), a value in dirhams as [`parse_mad`] reads it
    /// (`200`, `0.5`, `0,50`, `10 DH`) or a value in centimes (`50c`, `5 c`, `20 cts`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let unknown = || DenominationParseError::Unknown(t.to_owned());
        let lower = t.to_ascii_lowercase();
        if let Some(d) = Self::ALL.into_iter().find(|d| d.code() == lower) {
            return Ok(d);
        }
        let centimes_text =
            ["cts", "ct", "c"].iter().find_map(|suffix| lower.strip_suffix(suffix)).map(str::trim_end);
        let value = match centimes_text {
            Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                n.parse::<i64>().map(Money).map_err(|_| unknown())?
            }
            _ => parse_mad(t).map_err(|_| unknown())?,
        };
        Self::from_value(value).ok_or_else(unknown)
    }
}

/// How many of each note and coin: a drawer, a float, a deposit.
///
/// Entries with a zero count are not stored by [`DenominationCount::add`] or
/// [`DenominationCount::set`], so two counts of the same cash compare equal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DenominationCount(pub BTreeMap<Denomination, u32>);

impl DenominationCount {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `n` pieces. Saturates rather than wrapping: four billion notes is not a count.
    pub fn add(&mut self, d: Denomination, n: u32) {
        if n == 0 {
            return;
        }
        let slot = self.0.entry(d).or_insert(0);
        *slot = slot.saturating_add(n);
    }

    /// Replaces the count of one denomination (zero removes it).
    pub fn set(&mut self, d: Denomination, n: u32) {
        if n == 0 {
            self.0.remove(&d);
        } else {
            self.0.insert(d, n);
        }
    }

    pub fn get(&self, d: Denomination) -> u32 {
        self.0.get(&d).copied().unwrap_or(0)
    }

    /// Highest value first.
    pub fn iter(&self) -> impl Iterator<Item = (Denomination, u32)> + '_ {
        self.0.iter().map(|(d, n)| (*d, *n))
    }

    pub fn is_empty(&self) -> bool {
        self.0.values().all(|n| *n == 0)
    }

    /// The counted amount. Cannot overflow: 13 denominations × `u32::MAX` × 20 000
    /// centimes is about 1.1e15, far below `i64::MAX`.
    pub fn total(&self) -> Money {
        Money(self.0.iter().map(|(d, n)| d.centimes() * i64::from(*n)).sum())
    }

    /// Reads a count typed as `200x3,100x2,0.5x4`.
    ///
    /// Each entry is a denomination (anything [`Denomination::from_str`] reads), then `x`,
    /// `X`, `×`, `*` or `:`, then a whole number. Entries are separated by `,`, `;`, a
    /// newline or spaces; since the count always ends an entry, a decimal comma inside a
    /// denomination (`0,50x4`) is not mistaken for a separator. The same denomination
    /// given twice is added up (a cashier counting in batches). An empty text is an empty
    /// drawer.
    pub fn parse(s: &str) -> Result<Self, DenominationParseError> {
        let mut count = Self::new();
        let mut rest = s.trim_start_matches(is_separator);
        while !rest.is_empty() {
            let Some(times) = rest.find(is_times) else {
                return Err(DenominationParseError::MissingCount(
                    rest.trim_end_matches(is_separator).to_owned(),
                ));
            };
            let denom_text = rest[..times].trim();
            let after = rest[times..].trim_start_matches(is_times).trim_start_matches(char::is_whitespace);
            let digits_len = after.find(|c: char| !c.is_ascii_digit()).unwrap_or(after.len());
            let (digits, tail) = after.split_at(digits_len);
            // `after` is a suffix of `rest`: the entry runs up to the end of the digits.
            let entry_end = rest.len() - after.len() + digits_len;
            let entry = || rest[..entry_end].trim().to_owned();
            // The count must be followed by a separator or the end: `200x3a`, `200x-3`.
            let next_ok = tail.is_empty() || tail.starts_with(is_separator);
            if digits.is_empty() || !next_ok {
                let shown = rest.split(is_separator).next().unwrap_or(rest).trim();
                return Err(DenominationParseError::BadCount(shown.to_owned()));
            }
            let d: Denomination = denom_text.parse()?;
            let n: u32 = digits.parse().map_err(|_| DenominationParseError::CountOverflow(entry()))?;
            let total =
                count.get(d).checked_add(n).ok_or_else(|| DenominationParseError::CountOverflow(entry()))?;
            count.set(d, total);
            rest = tail.trim_start_matches(is_separator);
        }
        Ok(count)
    }
}

fn is_separator(c: char) -> bool {
    c == ',' || c == ';' || c.is_whitespace()
}

fn is_times(c: char) -> bool {
    matches!(c, 'x' | 'X' | '×' | '*' | ':')
}

impl fmt::Display for DenominationCount {
    /// `200x3, 100x2, 0,50x4`-like, in codes: `b200x3, b100x2, c50cx4`. Parses back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (d, n) in self.iter() {
            if !first {
                f.write_str(", ")?;
            }
            first = false;
            write!(f, "{}x{n}", d.code())?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn all_is_ordered_high_to_low_and_matches_ord() {
        let values: Vec<i64> = Denomination::ALL.iter().map(|d| d.centimes()).collect();
        assert!(values.windows(2).all(|w| w[0] > w[1]));
        let mut sorted = Denomination::ALL;
        sorted.sort();
        assert_eq!(sorted, Denomination::ALL);
        assert_eq!(Denomination::ALL.iter().filter(|d| d.is_note()).count(), 4);
    }

    #[test]
    fn labels_are_french() {
        assert_eq!(Denomination::B200.label_fr(), "Billet de 200 DH");
        assert_eq!(Denomination::C10.label_fr(), "Pièce de 10 DH");
        assert_eq!(Denomination::C50c.label_fr(), "Pièce de 50 c");
        assert_eq!(Denomination::C1c.label_fr(), "Pièce de 1 c");
        assert_eq!(Denomination::B20.to_string(), "20 DH");
    }

    #[test]
    fn serde_uses_stable_codes() {
        for d in Denomination::ALL {
            let json = serde_json::to_string(&d).unwrap();
            assert_eq!(json, format!("\"{}\"", d.code()));
            assert_eq!(serde_json::from_str::<Denomination>(&json).unwrap(), d);
        }
        let mut c = DenominationCount::new();
        c.add(Denomination::B200, 3);
        c.add(Denomination::C50c, 4);
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, r#"{"b200":3,"c50c":4}"#);
        assert_eq!(serde_json::from_str::<DenominationCount>(&json).unwrap(), c);
    }

    #[test]
    fn parses_denominations() {
        use Denomination::*;
        let cases = [
            ("200", B200),
            ("b200", B200),
            ("B200", B200),
            ("200 DH", B200),
            ("10", C10),
            ("c10", C10),
            ("1", C1),
            ("0.5", C50c),
            ("0,50", C50c),
            ("50c", C50c),
            ("50 c", C50c),
            ("c50c", C50c),
            ("20 cts", C20c),
            ("0,01", C1c),
            ("c1c", C1c),
        ];
        for (text, d) in cases {
            assert_eq!(text.parse::<Denomination>(), Ok(d), "{text}");
        }
        for bad in ["", "3", "25", "0,25", "b201", "abc", "c", "1000"] {
            assert_eq!(
                bad.parse::<Denomination>(),
                Err(DenominationParseError::Unknown(bad.to_owned())),
                "{bad}"
            );
        }
    }

    #[test]
    fn parses_counts() {
        let c = DenominationCount::parse("200x3,100x2,0.5x4").unwrap();
        assert_eq!(c.get(Denomination::B200), 3);
        assert_eq!(c.get(Denomination::B100), 2);
        assert_eq!(c.get(Denomination::C50c), 4);
        assert_eq!(c.total(), Money(80_200));

        let same = DenominationCount::parse(" 200:3 ; 100 x 2\n0,50x4 ").unwrap();
        assert_eq!(same, c);
        let same = DenominationCount::parse("b200x1 200x2 b100×2 c50c*4,").unwrap();
        assert_eq!(same, c);
        assert_eq!(DenominationCount::parse(&c.to_string()).unwrap(), c);

        assert_eq!(DenominationCount::parse("").unwrap(), DenominationCount::new());
        assert_eq!(DenominationCount::parse("200x0").unwrap(), DenominationCount::new());
    }

    #[test]
    fn count_errors_are_reported_in_french() {
        use DenominationParseError::*;
        let e = |s: &str| DenominationCount::parse(s).unwrap_err();
        assert_eq!(e("200x3,100"), MissingCount("100".into()));
        assert_eq!(e("200x-3"), BadCount("200x-3".into()));
        assert_eq!(e("200x3a,100x1"), BadCount("200x3a".into()));
        assert_eq!(e("200x"), BadCount("200x".into()));
        assert_eq!(e("300x2"), Unknown("300".into()));
        assert_eq!(e("200x99999999999"), CountOverflow("200x99999999999".into()));
        assert_eq!(e("200x4294967295,200x1"), CountOverflow("200x1".into()));
        assert_eq!(
            e("300x2").to_string(),
            "coupure inconnue : « 300 » (exemples : 200, 0,50, 50c, b200, c50c)"
        );
        assert_eq!(e("100").to_string(), "nombre manquant pour « 100 » (écrire p. ex. 200x3)");
    }

    #[test]
    fn totals_and_updates() {
        let mut c = DenominationCount::new();
        assert!(c.is_empty());
        for d in Denomination::ALL {
            c.add(d, 1);
        }
        assert_eq!(c.total(), Money(20_000 + 10_000 + 5_000 + 2_000 + 1_886));
        c.set(Denomination::B200, 0);
        assert_eq!(c.get(Denomination::B200), 0);
        c.add(Denomination::C1c, u32::MAX);
        assert_eq!(c.get(Denomination::C1c), u32::MAX);
        let mut all_max = DenominationCount::new();
        for d in Denomination::ALL {
            all_max.set(d, u32::MAX);
        }
        assert!(all_max.total().is_positive());
    }
}
