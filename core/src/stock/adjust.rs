//! Stock counts and adjustments: corrections are new movements, never edits.

use crate::facts::{AdjustReason, CountedLot, StockAdjusted, StockCounted};
use crate::ids::{IdSource, ItemId, LotId, StockDocId, UserId};
use chrono::{DateTime, Utc};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StockError {
    #[error("un inventaire doit compter au moins un lot")]
    EmptyCount,
    #[error("quantité comptée négative ({0}) : impossible")]
    NegativeCount(i64),
    #[error("un ajustement de zéro ne change rien")]
    ZeroAdjustment,
    #[error("ajustement hors limites ({0})")]
    TooLarge(i64),
    #[error("une note est obligatoire pour un ajustement")]
    NoNote,
    #[error("le lot est compté deux fois dans le même inventaire")]
    DuplicateLot,
    #[error("un inventaire se saisit avec la commande d'inventaire, pas comme ajustement")]
    CountReason,
}

pub const MAX_ADJUSTMENT: i64 = 100_000;

/// A count: for each lot, what the device expected and what is on the shelf. The
/// difference becomes a movement, so concurrent sales on other counters still add up.
pub fn count(
    lines: Vec<CountedLot>,
    by: UserId,
    at: DateTime<Utc>,
    ids: &mut dyn IdSource,
) -> Result<StockCounted, StockError> {
    if lines.is_empty() {
        return Err(StockError::EmptyCount);
    }
    let mut seen = std::collections::HashSet::new();
    for l in &lines {
        if l.counted < 0 {
            return Err(StockError::NegativeCount(l.counted));
        }
        if l.counted > MAX_ADJUSTMENT {
            return Err(StockError::TooLarge(l.counted));
        }
        if !seen.insert(l.lot_id) {
            return Err(StockError::DuplicateLot);
        }
    }
    Ok(StockCounted { id: StockDocId::new(ids), lines, by, at })
}

#[derive(Debug)]
pub struct AdjustInput {
    pub item_id: ItemId,
    pub lot_id: LotId,
    pub delta: i64,
    pub reason: AdjustReason,
    pub note: String,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

pub fn adjust(input: AdjustInput, ids: &mut dyn IdSource) -> Result<StockAdjusted, StockError> {
    if input.delta == 0 {
        return Err(StockError::ZeroAdjustment);
    }
    // unsigned_abs: i64::MIN has no positive counterpart (abs() would overflow).
    if input.delta.unsigned_abs() > MAX_ADJUSTMENT.unsigned_abs() {
        return Err(StockError::TooLarge(input.delta));
    }
    if input.reason == AdjustReason::Count {
        return Err(StockError::CountReason);
    }
    let note = input.note.trim().to_string();
    if note.is_empty() {
        return Err(StockError::NoNote);
    }
    Ok(StockAdjusted {
        id: StockDocId::new(ids),
        item_id: input.item_id,
        lot_id: input.lot_id,
        delta: input.delta,
        reason: input.reason,
        note,
        by: input.by,
        at: input.at,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::ids::SeededIds;

    fn at() -> DateTime<Utc> {
        "2026-03-02T18:00:00Z".parse().unwrap()
    }

    struct Shelf {
        ids: SeededIds,
        by: UserId,
        item: ItemId,
        lots: [LotId; 2],
    }

    fn shelf() -> Shelf {
        let mut ids = SeededIds::new(111);
        let (by, item) = (UserId::new(&mut ids), ItemId::new(&mut ids));
        let lots = [LotId::new(&mut ids), LotId::new(&mut ids)];
        Shelf { ids, by, item, lots }
    }

    impl Shelf {
        fn counted(&self, lot: usize, expected: i64, counted: i64) -> CountedLot {
            CountedLot { item_id: self.item, lot_id: self.lots[lot], expected, counted }
        }

        fn adjust(
            &mut self,
            delta: i64,
            reason: AdjustReason,
            note: &str,
        ) -> Result<StockAdjusted, StockError> {
            let input = AdjustInput {
                item_id: self.item,
                lot_id: self.lots[0],
                delta,
                reason,
                note: note.into(),
                by: self.by,
                at: at(),
            };
            adjust(input, &mut self.ids)
        }
    }

    #[test]
    fn count_records_expected_and_counted_per_lot() {
        let mut s = shelf();
        let lines = vec![s.counted(0, 12, 10), s.counted(1, 3, 0)];
        let c = count(lines.clone(), s.by, at(), &mut s.ids).unwrap();
        assert_eq!(c.lines, lines);
        assert_eq!((c.by, c.at), (s.by, at()));
    }

    #[test]
    fn count_refuses_an_empty_count() {
        let mut s = shelf();
        assert_eq!(count(vec![], s.by, at(), &mut s.ids), Err(StockError::EmptyCount));
    }

    #[test]
    fn count_refuses_a_negative_quantity() {
        let mut s = shelf();
        let lines = vec![s.counted(0, 5, 5), s.counted(1, 5, -1)];
        assert_eq!(count(lines, s.by, at(), &mut s.ids), Err(StockError::NegativeCount(-1)));
    }

    #[test]
    fn count_refuses_an_absurd_quantity() {
        let mut s = shelf();
        let lines = vec![s.counted(0, 5, MAX_ADJUSTMENT + 1)];
        assert_eq!(count(lines, s.by, at(), &mut s.ids), Err(StockError::TooLarge(MAX_ADJUSTMENT + 1)));
        assert!(count(vec![s.counted(0, 5, MAX_ADJUSTMENT)], s.by, at(), &mut s.ids).is_ok());
    }

    #[test]
    fn count_refuses_the_same_lot_twice() {
        let mut s = shelf();
        let lines = vec![s.counted(0, 5, 4), s.counted(1, 1, 1), s.counted(0, 5, 1)];
        let e = count(lines, s.by, at(), &mut s.ids).unwrap_err();
        assert_eq!(e, StockError::DuplicateLot);
        assert_eq!(e.to_string(), "le lot est compté deux fois dans le même inventaire");
    }

    #[test]
    fn adjustment_is_recorded_with_a_trimmed_note() {
        let mut s = shelf();
        let a = s.adjust(-2, AdjustReason::Damage, "  boîtes écrasées ").unwrap();
        assert_eq!((a.delta, a.reason, a.note.as_str()), (-2, AdjustReason::Damage, "boîtes écrasées"));
        assert_eq!((a.item_id, a.lot_id), (s.item, s.lots[0]));
        assert!(s.adjust(MAX_ADJUSTMENT, AdjustReason::OpeningStock, "reprise").is_ok());
        assert!(s.adjust(-MAX_ADJUSTMENT, AdjustReason::Recall, "rappel lot").is_ok());
    }

    #[test]
    fn adjustment_refuses_zero() {
        let mut s = shelf();
        assert_eq!(s.adjust(0, AdjustReason::Correction, "rien"), Err(StockError::ZeroAdjustment));
    }

    #[test]
    fn adjustment_refuses_too_large() {
        let mut s = shelf();
        for delta in [MAX_ADJUSTMENT + 1, -MAX_ADJUSTMENT - 1, i64::MAX, i64::MIN] {
            assert_eq!(s.adjust(delta, AdjustReason::Correction, "typo"), Err(StockError::TooLarge(delta)));
        }
    }

    #[test]
    fn adjustment_refuses_an_empty_note() {
        let mut s = shelf();
        assert_eq!(s.adjust(1, AdjustReason::Expiry, " \n"), Err(StockError::NoNote));
    }

    #[test]
    fn adjustment_refuses_the_count_reason() {
        let mut s = shelf();
        assert_eq!(s.adjust(1, AdjustReason::Count, "inventaire"), Err(StockError::CountReason));
    }
}
