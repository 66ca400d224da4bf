//! Showing and reading amounts the way a Moroccan counter writes them (fr-MA).
//!
//! Output is always the same shape, `1 234,50 MAD`: U+202F NARROW NO-BREAK SPACE between
//! thousands (so an amount never wraps across two lines of a receipt), a decimal comma and
//! exactly two decimals. Input is more forgiving because it comes from a cashier's keyboard,
//! a script or a spreadsheet: `12,50`, `12.50`, `1 234,50`, `1 234,50 MAD`, `12 DH`, `12`,
//! `-3,20` and `2,882.00` are all read. What cannot be read exactly is refused rather than
//! guessed: a third decimal (`1,234` is 1.234 DH in French, so it is an error, never
//! 1 234 DH), a misplaced thousands separator, anything that overflows.
//!
//! ```
//! use pharma_core::money::{Money, format_mad, parse_mad};
//!
//! assert_eq!(format_mad(Money(123_450)), "1\u{202f}234,50 MAD");
//! assert_eq!(parse_mad("1 234,50 MAD"), Ok(Money(123_450)));
//! assert!(parse_mad("12,345").is_err());
//! ```

use super::Money;

/// U+202F NARROW NO-BREAK SPACE: the fr-MA thousands separator.
const THOUSANDS: char = '\u{202f}';

/// Why a typed amount was refused. Messages are shown to the cashier as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyParseError {
    #[error("montant vide")]
    Empty,
    #[error("montant illisible : « {input} » (exemples : 12,50 ; 1 234,50 ; 12 DH)")]
    Invalid { input: String },
    #[error("trop de décimales dans « {input} » : 2 au plus (les centimes)")]
    TooManyDecimals { input: String },
    #[error("séparateur de milliers mal placé dans « {input} »")]
    Grouping { input: String },
    #[error("montant trop grand : « {input} »")]
    Overflow { input: String },
}

/// `1 234,50 MAD` (thousands separated by U+202F, a plain space before `MAD`).
pub fn format_mad(m: Money) -> String {
    let mut s = format_plain(m);
    s.push_str(" MAD");
    s
}

/// `1 234,50`: the amount without the currency, for tables whose header names it.
pub fn format_plain(m: Money) -> String {
    // unsigned_abs: i64::MIN has no positive i64 counterpart.
    let abs = m.0.unsigned_abs();
    let digits = (abs / 100).to_string();
    let mut out = String::with_capacity(digits.len() * 2 + 4);
    if m.0 < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(THOUSANDS);
        }
        out.push(c);
    }
    out.push(',');
    out.push_str(&format!("{:02}", abs % 100));
    out
}

/// Reads an amount typed by a person or a script. See the module documentation for the
/// accepted shapes.
///
/// The decimal separator is the last `,` or `.`; the other mark, and any space (ASCII,
/// U+00A0 or U+202F), may only group thousands, in groups of exactly three digits. A mark
/// that appears more than once can only be a thousands separator (`1.234.567`).
pub fn parse_mad(s: &str) -> Result<Money, MoneyParseError> {
    let input = s.trim();
    if input.is_empty() {
        return Err(MoneyParseError::Empty);
    }
    let invalid = || MoneyParseError::Invalid { input: input.to_owned() };
    let body = strip_currency(input).ok_or_else(invalid)?;
    // U+2212 MINUS SIGN: what a word processor turns `-` into.
    let (negative, body) = match body.strip_prefix(['-', '\u{2212}']) {
        Some(rest) => (true, rest),
        None => (false, body.strip_prefix('+').unwrap_or(body)),
    };
    if body.is_empty() || !body.chars().all(|c| c.is_ascii_digit() || is_mark(c)) {
        return Err(invalid());
    }

    let commas = body.matches(',').count();
    let points = body.matches('.').count();
    // Which mark (if any) separates the centimes.
    let decimal = match (commas, points) {
        (0, 0) => None,
        (1, 0) => Some(','),
        (0, 1) => Some('.'),
        (_, 0) | (0, _) => None, // repeated: thousands only
        _ => body.rfind([',', '.']).and_then(|i| body[i..].chars().next()),
    };
    let (int_part, frac_part) = match decimal.and_then(|d| body.rfind(d)) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };

    if decimal.is_some_and(|d| int_part.contains(d)) {
        // `1,234.567,89`: the decimal mark cannot also group thousands.
        return Err(MoneyParseError::Grouping { input: input.to_owned() });
    }
    let frac_digits = match frac_part {
        None => "",
        Some(f) if f.chars().all(|c| c.is_ascii_digit()) => f,
        // A grouping mark or a space after the decimal separator.
        Some(_) => return Err(invalid()),
    };
    if frac_part.is_some() && frac_digits.is_empty() {
        return Err(invalid()); // "12," — a keystroke is missing
    }
    if frac_digits.len() > 2 {
        return Err(MoneyParseError::TooManyDecimals { input: input.to_owned() });
    }
    if int_part.is_empty() && frac_digits.is_empty() {
        return Err(invalid());
    }
    let int_digits =
        ungroup(int_part).ok_or_else(|| MoneyParseError::Grouping { input: input.to_owned() })?;

    let overflow = || MoneyParseError::Overflow { input: input.to_owned() };
    let mut centimes: i64 = 0;
    for d in int_digits.bytes() {
        centimes =
            centimes.checked_mul(10).and_then(|c| c.checked_add(i64::from(d - b'0'))).ok_or_else(overflow)?;
    }
    let frac: i64 = match frac_digits.as_bytes() {
        [] => 0,
        [a] => i64::from(a - b'0') * 10,
        [a, b] => i64::from(a - b'0') * 10 + i64::from(b - b'0'),
        _ => return Err(invalid()), // excluded above
    };
    centimes = centimes.checked_mul(100).and_then(|c| c.checked_add(frac)).ok_or_else(overflow)?;
    Ok(Money(if negative { -centimes } else { centimes }))
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | THOUSANDS)
}

fn is_mark(c: char) -> bool {
    c == ',' || c == '.' || is_space(c)
}

/// Removes a trailing `MAD`, `DH` or `DHS` (any case, with or without a space before it).
/// `None` if nothing is left.
fn strip_currency(s: &str) -> Option<&str> {
    let lower = s.to_ascii_lowercase();
    let cut =
        ["mad", "dhs", "dh"].iter().find(|suffix| lower.ends_with(*suffix)).map_or(0, |suffix| suffix.len());
    // The suffixes are ASCII, so the cut falls on a char boundary.
    let rest = s[..s.len() - cut].trim_end();
    (!rest.is_empty()).then_some(rest)
}

/// The digits of an integer part, checking that any separators group them by three.
fn ungroup(int_part: &str) -> Option<String> {
    if int_part.is_empty() {
        return Some(String::new()); // ",50"
    }
    let groups: Vec<&str> = int_part.split(is_mark).collect();
    let first_ok =
        groups.first().is_some_and(|g| (1..=3).contains(&g.len()) || groups.len() == 1 && !g.is_empty());
    if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
        return None;
    }
    Some(groups.concat())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<i64, MoneyParseError> {
        parse_mad(s).map(|m| m.0)
    }

    #[test]
    fn formats_fr_ma() {
        assert_eq!(format_mad(Money(0)), "0,00 MAD");
        assert_eq!(format_mad(Money(5)), "0,05 MAD");
        assert_eq!(format_mad(Money(1250)), "12,50 MAD");
        assert_eq!(format_mad(Money(99_999)), "999,99 MAD");
        assert_eq!(format_mad(Money(123_450)), "1\u{202f}234,50 MAD");
        assert_eq!(format_mad(Money(-123_450)), "-1\u{202f}234,50 MAD");
        assert_eq!(format_mad(Money(-7)), "-0,07 MAD");
        assert_eq!(format_plain(Money(12_345_678_900)), "123\u{202f}456\u{202f}789,00");
        assert_eq!(Money(1250).to_string(), "12,50 MAD");
    }

    #[test]
    fn formats_extremes_without_panicking() {
        assert_eq!(
            format_plain(Money(i64::MIN)),
            "-92\u{202f}233\u{202f}720\u{202f}368\u{202f}547\u{202f}758,08"
        );
        assert_eq!(
            format_plain(Money(i64::MAX)),
            "92\u{202f}233\u{202f}720\u{202f}368\u{202f}547\u{202f}758,07"
        );
    }

    #[test]
    fn parses_what_cashiers_type() {
        assert_eq!(p("12,50"), Ok(1250));
        assert_eq!(p("12.50"), Ok(1250));
        assert_eq!(p("12,5"), Ok(1250));
        assert_eq!(p("12"), Ok(1200));
        assert_eq!(p("0,05"), Ok(5));
        assert_eq!(p(",50"), Ok(50));
        assert_eq!(p("1 234,50"), Ok(123_450));
        assert_eq!(p("1\u{202f}234,50"), Ok(123_450));
        assert_eq!(p("1\u{a0}234,50"), Ok(123_450));
        assert_eq!(p("1 234,50 MAD"), Ok(123_450));
        assert_eq!(p("12 DH"), Ok(1200));
        assert_eq!(p("12dh"), Ok(1200));
        assert_eq!(p("12 Dhs"), Ok(1200));
        assert_eq!(p("  -3,20  "), Ok(-320));
        assert_eq!(p("-1 234,50 MAD"), Ok(-123_450));
        assert_eq!(p("+4"), Ok(400));
    }

    #[test]
    fn parses_spreadsheet_shapes() {
        assert_eq!(p(" 2,882.00    "), Ok(288_200));
        assert_eq!(p("2.882,00"), Ok(288_200));
        assert_eq!(p("1,234,567.89"), Ok(123_456_789));
        assert_eq!(p("1.234.567"), Ok(123_456_700));
    }

    #[test]
    fn round_trips_formatted_output() {
        for c in [0, 1, 99, 100, 123_450, -123_450, 10_000_000_000, i64::MAX, i64::MIN + 1] {
            assert_eq!(p(&format_mad(Money(c))), Ok(c), "{c}");
        }
    }

    #[test]
    fn refuses_what_it_cannot_read_exactly() {
        assert_eq!(p(""), Err(MoneyParseError::Empty));
        assert_eq!(p("   "), Err(MoneyParseError::Empty));
        assert!(matches!(p("12,345"), Err(MoneyParseError::TooManyDecimals { .. })));
        assert!(matches!(p("1,234"), Err(MoneyParseError::TooManyDecimals { .. })));
        assert!(matches!(p("12.505"), Err(MoneyParseError::TooManyDecimals { .. })));
        assert!(matches!(p("12 34"), Err(MoneyParseError::Grouping { .. })));
        assert!(matches!(p("1 2345"), Err(MoneyParseError::Grouping { .. })));
        assert!(matches!(p("1,23,456.00"), Err(MoneyParseError::Grouping { .. })));
        assert!(matches!(p("1,234.567,89"), Err(MoneyParseError::Grouping { .. })));
        for garbage in ["abc", "12a", "DH", "MAD", "-", "12,", ".", "1,2.3,4", "12,5 0", "--3", "1e5"] {
            assert!(
                matches!(p(garbage), Err(MoneyParseError::Invalid { .. } | MoneyParseError::Grouping { .. })),
                "{garbage:?} gave {:?}",
                p(garbage)
            );
        }
        assert!(matches!(p("92233720368547758,08"), Err(MoneyParseError::Overflow { .. })));
        assert!(matches!(p("99999999999999999999"), Err(MoneyParseError::Overflow { .. })));
    }

    #[test]
    fn errors_speak_french() {
        assert_eq!(
            p("12,345").unwrap_err().to_string(),
            "trop de décimales dans « 12,345 » : 2 au plus (les centimes)"
        );
        assert_eq!(p("").unwrap_err().to_string(), "montant vide");
    }
}
