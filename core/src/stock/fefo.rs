//! First expiry, first out.
//!
//! Lots are taken in expiry order. Expired or recalled lots are never sold. When the lots
//! on record do not cover the quantity (two counters sold the last box offline, or the
//! count is wrong while the box is in the customer's hand), the remainder is taken from
//! the sellable lot that expires last: stock goes negative and raises an alert rather than
//! refusing a sale that physically happened.

use crate::facts::Allocation;
use crate::ids::LotId;
use crate::money::Money;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotStock {
    pub lot_id: LotId,
    pub lot_number: String,
    pub expiry: NaiveDate,
    pub on_hand: i64,
    pub recalled: bool,
    pub sticker_price: Option<Money>,
}

impl LotStock {
    /// A lot is sellable through its expiry date and not after it.
    pub fn sellable_on(&self, day: NaiveDate) -> bool {
        !self.recalled && self.expiry >= day
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AllocationError {
    #[error("la quantité doit être positive (reçu {0})")]
    Quantity(i64),
    #[error("aucun lot en stock pour ce produit")]
    NoLot,
    #[error("tous les lots de ce produit sont périmés (le dernier, lot {lot_number}, a expiré le {})", .expiry.format("%d/%m/%Y"))]
    NothingSellable { lot_number: String, expiry: NaiveDate },
    #[error(
        "tous les lots de ce produit sont rappelés ou périmés (lot {lot_number} rappelé) : retirez-les du rayon"
    )]
    Recalled { lot_number: String },
}

pub fn allocate(qty: i64, lots: &[LotStock], today: NaiveDate) -> Result<Vec<Allocation>, AllocationError> {
    if qty <= 0 {
        return Err(AllocationError::Quantity(qty));
    }
    let mut sellable: Vec<&LotStock> = lots.iter().filter(|l| l.sellable_on(today)).collect();
    if sellable.is_empty() {
        return Err(match lots.iter().max_by_key(|l| l.expiry) {
            None => AllocationError::NoLot,
            Some(l) if l.recalled => AllocationError::Recalled { lot_number: l.lot_number.clone() },
            Some(l) => {
                AllocationError::NothingSellable { lot_number: l.lot_number.clone(), expiry: l.expiry }
            }
        });
    }
    sellable.sort_by(|a, b| a.expiry.cmp(&b.expiry).then(a.lot_id.cmp(&b.lot_id)));
    let mut left = qty;
    let mut out: Vec<Allocation> = Vec::new();
    for lot in &sellable {
        if left == 0 {
            break;
        }
        let take = lot.on_hand.min(left);
        if take > 0 {
            out.push(Allocation { lot_id: lot.lot_id, qty: take });
            left -= take;
        }
    }
    if left > 0 {
        let last = sellable[sellable.len() - 1].lot_id;
        match out.iter_mut().find(|a| a.lot_id == last) {
            Some(a) => a.qty += left,
            None => out.push(Allocation { lot_id: last, qty: left }),
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::ids::SeededIds;

    fn lot(ids: &mut SeededIds, exp: &str, qty: i64, recalled: bool) -> LotStock {
        LotStock {
            lot_id: LotId::new(ids),
            lot_number: format!("L{exp}"),
            expiry: exp.parse().unwrap(),
            on_hand: qty,
            recalled,
            sticker_price: None,
        }
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn takes_earliest_expiry_first() {
        let mut ids = SeededIds::new(1);
        let late = lot(&mut ids, "2027-06-30", 10, false);
        let early = lot(&mut ids, "2026-12-31", 2, false);
        let a = allocate(3, &[late.clone(), early.clone()], day("2026-11-24")).unwrap();
        assert_eq!(
            a,
            vec![Allocation { lot_id: early.lot_id, qty: 2 }, Allocation { lot_id: late.lot_id, qty: 1 }]
        );
    }

    #[test]
    fn skips_expired_and_recalled_lots() {
        let mut ids = SeededIds::new(2);
        let expired = lot(&mut ids, "2026-11-23", 5, false);
        let recalled = lot(&mut ids, "2026-12-01", 5, true);
        let good = lot(&mut ids, "2027-01-01", 5, false);
        let a = allocate(2, &[expired, recalled, good.clone()], day("2026-11-24")).unwrap();
        assert_eq!(a, vec![Allocation { lot_id: good.lot_id, qty: 2 }]);
    }

    #[test]
    fn lot_is_sellable_on_its_expiry_day() {
        let mut ids = SeededIds::new(3);
        let l = lot(&mut ids, "2026-11-24", 1, false);
        assert!(l.sellable_on(day("2026-11-24")));
        assert!(!l.sellable_on(day("2026-11-25")));
    }

    #[test]
    fn only_expired_lots_is_an_error_naming_the_lot() {
        let mut ids = SeededIds::new(4);
        let expired = lot(&mut ids, "2026-01-01", 5, false);
        let e = allocate(1, &[expired], day("2026-11-24")).unwrap_err();
        assert!(matches!(e, AllocationError::NothingSellable { .. }));
        assert!(e.to_string().contains("L2026-01-01"));
        assert_eq!(allocate(1, &[], day("2026-11-24")), Err(AllocationError::NoLot));
    }

    #[test]
    fn only_recalled_lots_say_so() {
        let mut ids = SeededIds::new(6);
        let recalled = lot(&mut ids, "2027-06-01", 5, true);
        let e = allocate(1, &[recalled], day("2026-11-24")).unwrap_err();
        assert_eq!(e, AllocationError::Recalled { lot_number: "L2027-06-01".into() });
        assert!(e.to_string().contains("lot L2027-06-01 rappelé"));
        let expired = lot(&mut ids, "2026-01-31", 5, false);
        let e = allocate(1, &[expired], day("2026-11-24")).unwrap_err();
        assert!(e.to_string().contains("a expiré le 31/01/2026"), "{e}");
    }

    #[test]
    fn shortfall_goes_negative_on_the_last_expiring_lot() {
        let mut ids = SeededIds::new(5);
        let a1 = lot(&mut ids, "2027-01-01", 1, false);
        let a2 = lot(&mut ids, "2027-06-01", 0, false);
        let a = allocate(3, &[a1.clone(), a2.clone()], day("2026-11-24")).unwrap();
        assert_eq!(
            a,
            vec![Allocation { lot_id: a1.lot_id, qty: 1 }, Allocation { lot_id: a2.lot_id, qty: 2 }]
        );
    }

    #[test]
    fn zero_or_negative_quantity_is_refused() {
        assert_eq!(allocate(0, &[], day("2026-11-24")), Err(AllocationError::Quantity(0)));
        assert_eq!(allocate(-2, &[], day("2026-11-24")), Err(AllocationError::Quantity(-2)));
    }
}
