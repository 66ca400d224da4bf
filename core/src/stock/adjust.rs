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
    if input.delta.abs() > MAX_ADJUSTMENT {
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
