//! Stock status of an item, from its stock on hand and its reorder point.
//!
//! Thresholds (documented for the pharmacist):
//! - out: on hand ≤ 0;
//! - critical: on hand ≤ half the reorder point (rounded up), or ≤ 1 box when the reorder
//!   point is 1;
//! - low: on hand ≤ the reorder point;
//! - healthy: above the reorder point.
//!
//! An item without a reorder point (0) is healthy as long as there is stock.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockStatus {
    Healthy,
    Low,
    Critical,
    Out,
}

impl StockStatus {
    pub fn of(on_hand: i64, reorder_point: i64) -> Self {
        if on_hand <= 0 {
            StockStatus::Out
        } else if reorder_point > 0 && on_hand <= (reorder_point + 1) / 2 {
            StockStatus::Critical
        } else if on_hand <= reorder_point {
            StockStatus::Low
        } else {
            StockStatus::Healthy
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            StockStatus::Healthy => "healthy",
            StockStatus::Low => "low",
            StockStatus::Critical => "critical",
            StockStatus::Out => "out",
        }
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            StockStatus::Healthy => "suffisant",
            StockStatus::Low => "bas",
            StockStatus::Critical => "critique",
            StockStatus::Out => "rupture",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::StockStatus::*;
    use super::*;

    #[test]
    fn thresholds() {
        assert_eq!(StockStatus::of(0, 10), Out);
        assert_eq!(StockStatus::of(-3, 10), Out);
        assert_eq!(StockStatus::of(5, 10), Critical);
        assert_eq!(StockStatus::of(6, 10), Low);
        assert_eq!(StockStatus::of(10, 10), Low);
        assert_eq!(StockStatus::of(11, 10), Healthy);
        assert_eq!(StockStatus::of(1, 1), Critical);
        assert_eq!(StockStatus::of(2, 3), Critical);
        assert_eq!(StockStatus::of(3, 3), Low);
        assert_eq!(StockStatus::of(1, 0), Healthy);
    }
}
