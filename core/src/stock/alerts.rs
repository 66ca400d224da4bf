//! Stock alerts: low, critical, out, negative stock, and lots expiring soon.

use super::status::StockStatus;
use crate::ids::{ItemId, LotId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Alert {
    Low {
        item_id: ItemId,
        name: String,
        on_hand: i64,
        reorder_point: i64,
    },
    Critical {
        item_id: ItemId,
        name: String,
        on_hand: i64,
        reorder_point: i64,
    },
    Out {
        item_id: ItemId,
        name: String,
    },
    /// More was sold than the records hold: a count is needed.
    Negative {
        item_id: ItemId,
        name: String,
        on_hand: i64,
    },
    Expired {
        item_id: ItemId,
        name: String,
        lot_id: LotId,
        lot_number: String,
        expiry: NaiveDate,
        on_hand: i64,
    },
    Expiring30 {
        item_id: ItemId,
        name: String,
        lot_id: LotId,
        lot_number: String,
        expiry: NaiveDate,
        on_hand: i64,
    },
    Expiring90 {
        item_id: ItemId,
        name: String,
        lot_id: LotId,
        lot_number: String,
        expiry: NaiveDate,
        on_hand: i64,
    },
}

impl Alert {
    pub fn message_fr(&self) -> String {
        match self {
            Alert::Low { name, on_hand, reorder_point, .. } => {
                format!("Stock bas : {name} ({on_hand} en stock, seuil {reorder_point})")
            }
            Alert::Critical { name, on_hand, reorder_point, .. } => {
                format!("Stock critique : {name} ({on_hand} en stock, seuil {reorder_point})")
            }
            Alert::Out { name, .. } => format!("Rupture : {name}"),
            Alert::Negative { name, on_hand, .. } => {
                format!("Stock négatif : {name} ({on_hand}) — inventaire à faire")
            }
            Alert::Expired { name, lot_number, expiry, on_hand, .. } => {
                format!(
                    "Lot périmé : {name}, lot {lot_number}, expiré le {}, {on_hand} en stock",
                    expiry.format("%d/%m/%Y")
                )
            }
            Alert::Expiring30 { name, lot_number, expiry, on_hand, .. } => {
                format!(
                    "Expire sous 30 jours : {name}, lot {lot_number}, le {}, {on_hand} en stock",
                    expiry.format("%d/%m/%Y")
                )
            }
            Alert::Expiring90 { name, lot_number, expiry, on_hand, .. } => {
                format!(
                    "Expire sous 90 jours : {name}, lot {lot_number}, le {}, {on_hand} en stock",
                    expiry.format("%d/%m/%Y")
                )
            }
        }
    }
}

/// Alert for an item's total stock, if any.
pub fn item_alert(item_id: ItemId, name: &str, on_hand: i64, reorder_point: i64) -> Option<Alert> {
    let name = name.to_string();
    if on_hand < 0 {
        return Some(Alert::Negative { item_id, name, on_hand });
    }
    match StockStatus::of(on_hand, reorder_point) {
        StockStatus::Healthy => None,
        StockStatus::Low => Some(Alert::Low { item_id, name, on_hand, reorder_point }),
        StockStatus::Critical => Some(Alert::Critical { item_id, name, on_hand, reorder_point }),
        StockStatus::Out => Some(Alert::Out { item_id, name }),
    }
}

/// Alert for a lot still in stock that is expired or expires within 30 or 90 days.
pub fn lot_alert(
    item_id: ItemId,
    name: &str,
    lot_id: LotId,
    lot_number: &str,
    expiry: NaiveDate,
    on_hand: i64,
    today: NaiveDate,
) -> Option<Alert> {
    if on_hand <= 0 {
        return None;
    }
    let days = (expiry - today).num_days();
    let (name, lot_number) = (name.to_string(), lot_number.to_string());
    if days < 0 {
        Some(Alert::Expired { item_id, name, lot_id, lot_number, expiry, on_hand })
    } else if days <= 30 {
        Some(Alert::Expiring30 { item_id, name, lot_id, lot_number, expiry, on_hand })
    } else if days <= 90 {
        Some(Alert::Expiring90 { item_id, name, lot_id, lot_number, expiry, on_hand })
    } else {
        None
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::ids::SeededIds;

    #[test]
    fn expiry_windows() {
        let mut ids = SeededIds::new(9);
        let (item, lot) = (ItemId::new(&mut ids), LotId::new(&mut ids));
        let today: NaiveDate = "2026-11-24".parse().unwrap();
        let at = |d: i64| lot_alert(item, "X", lot, "L1", today + chrono::Duration::days(d), 3, today);
        assert!(matches!(at(-1), Some(Alert::Expired { .. })));
        assert!(matches!(at(0), Some(Alert::Expiring30 { .. })));
        assert!(matches!(at(30), Some(Alert::Expiring30 { .. })));
        assert!(matches!(at(31), Some(Alert::Expiring90 { .. })));
        assert!(matches!(at(90), Some(Alert::Expiring90 { .. })));
        assert_eq!(at(91), None);
        assert_eq!(lot_alert(item, "X", lot, "L1", today, 0, today), None);
    }

    #[test]
    fn negative_stock_is_its_own_alert() {
        let mut ids = SeededIds::new(10);
        let item = ItemId::new(&mut ids);
        assert!(matches!(item_alert(item, "X", -1, 5), Some(Alert::Negative { .. })));
        assert!(matches!(item_alert(item, "X", 0, 5), Some(Alert::Out { .. })));
        assert_eq!(item_alert(item, "X", 50, 5), None);
    }
}
