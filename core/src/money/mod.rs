//! Money is an integer number of centimes of dirham (MAD). Never a float.

mod denomination;
mod format;

pub use denomination::{Denomination, DenominationCount, DenominationParseError};
pub use format::{MoneyParseError, format_mad, format_plain, parse_mad};

use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

/// An amount in centimes of dirham. Signed: variances and refunds are negative.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(pub i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_centimes(c: i64) -> Self {
        Money(c)
    }

    pub const fn from_dirhams(dh: i64) -> Self {
        Money(dh * 100)
    }

    pub const fn centimes(self) -> i64 {
        self.0
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    pub fn checked_add(self, o: Money) -> Option<Money> {
        self.0.checked_add(o.0).map(Money)
    }

    pub fn checked_mul(self, qty: i64) -> Option<Money> {
        self.0.checked_mul(qty).map(Money)
    }

    /// Saturates: `Money(i64::MIN).abs()` is `Money(i64::MAX)`, not an overflow.
    pub fn abs(self) -> Money {
        Money(self.0.saturating_abs())
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0 + o.0)
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money(self.0 - o.0)
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, o: Money) {
        self.0 += o.0;
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, o: Money) {
        self.0 -= o.0;
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.map(|m| m.0).sum())
    }
}

impl std::ops::Mul<i64> for Money {
    type Output = Money;
    fn mul(self, qty: i64) -> Money {
        Money(self.0 * qty)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_mad(*self))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn money_is_integer_centimes() {
        assert_eq!(Money::from_dirhams(50), Money(5_000));
        assert_eq!(Money::from_centimes(1_560).centimes(), 1_560);
        assert_eq!(Money(-1).to_string(), "-0,01 MAD");
        assert_eq!(Money(123_450).to_string(), "1\u{202f}234,50 MAD");
        assert_eq!(serde_json::to_string(&Money(1_560)).unwrap(), "1560");
        assert_eq!(serde_json::from_str::<Money>("-250").unwrap(), Money(-250));
    }

    #[test]
    fn arithmetic_and_signs() {
        let (a, b) = (Money(1_000), Money(2_340));
        assert_eq!(a + b, Money(3_340));
        assert_eq!(a - b, Money(-1_340));
        assert_eq!(-a, Money(-1_000));
        assert_eq!(b * 3, Money(7_020));
        let mut m = a;
        m += b;
        m -= Money(40);
        assert_eq!(m, Money(3_300));
        assert_eq!([a, b, Money(-40)].into_iter().sum::<Money>(), Money(3_300));
        assert_eq!(std::iter::empty::<Money>().sum::<Money>(), Money::ZERO);
        assert!(Money(-1).is_negative() && !Money::ZERO.is_negative() && !Money::ZERO.is_positive());
        assert!(Money(-1) < Money::ZERO);
    }

    #[test]
    fn checked_operations_refuse_overflow() {
        assert_eq!(Money(i64::MAX).checked_add(Money(1)), None);
        assert_eq!(Money(1).checked_add(Money(2)), Some(Money(3)));
        assert_eq!(Money(i64::MAX / 2 + 1).checked_mul(2), None);
        assert_eq!(Money(780).checked_mul(3), Some(Money(2_340)));
    }

    #[test]
    fn abs_saturates_instead_of_overflowing() {
        assert_eq!(Money(-500).abs(), Money(500));
        assert_eq!(Money(500).abs(), Money(500));
        assert_eq!(Money(i64::MIN).abs(), Money(i64::MAX));
    }
}
