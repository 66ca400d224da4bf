//! The projections as JSON: `pharmactl export`, and the yardstick of a rebuild (two
//! stores with the same documents must export the very same bytes).

use super::Store;
use super::error::Result;
use rusqlite::types::ValueRef;
use serde_json::{Map, Value};

/// Projection tables, in export order. Local-only tables (device, sign-in attempts) and
/// the documents themselves are not projections and are left out.
pub const PROJECTIONS: &[&str] = &[
    "pharmacy",
    "registers",
    "users",
    "items",
    "item_prices",
    "lots",
    "lot_flags",
    "stock_movements",
    "lot_stock",
    "item_stock",
    "cash_sessions",
    "tickets",
    "sales",
    "sale_lines",
    "payments",
    "refunds",
    "refund_lines",
    "cash_movements",
    "cash_counts",
    "reconciliation_steps",
    "z_closings",
    "ordonnancier",
    "stock_counts",
    "stock_count_lines",
    "stock_adjustments",
    "supplier_orders",
    "supplier_order_lines",
    "goods_receipts",
    "audit_log",
    "item_day_sales",
    "item_day_stock",
    "forecast_runs",
    "forecast_snapshots",
    "forecast_feedback",
    "applied_facts",
];

#[derive(Debug)]
pub struct Export(pub Map<String, Value>);

impl Store {
    /// Every projection table, rows sorted by all their columns.
    pub fn export(&self) -> Result<Export> {
        // One snapshot for every table, though another writer may commit meanwhile.
        // Read only: dropping it at the end (a rollback) undoes nothing.
        let _snapshot = self.conn.unchecked_transaction()?;
        let mut out = Map::new();
        for table in PROJECTIONS {
            let mut st = self.conn.prepare(&format!("SELECT * FROM {table} LIMIT 0"))?;
            let ncols = st.column_count();
            let names: Vec<String> = st.column_names().map(|s| s.to_string()).collect();
            let order: Vec<String> = (1..=ncols).map(|i| i.to_string()).collect();
            st = self.conn.prepare(&format!("SELECT * FROM {table} ORDER BY {}", order.join(", ")))?;
            let mut rows = st.query([])?;
            let mut list = Vec::new();
            while let Some(r) = rows.next()? {
                let mut obj = Map::new();
                for (i, name) in names.iter().enumerate() {
                    let v = match r.get_ref(i)? {
                        ValueRef::Null => Value::Null,
                        ValueRef::Integer(n) => Value::from(n),
                        ValueRef::Real(f) => Value::from(f),
                        ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).into_owned()),
                        ValueRef::Blob(b) => Value::from(hex::encode(b)),
                    };
                    obj.insert(name.clone(), v);
                }
                list.push(Value::Object(obj));
            }
            out.insert(table.to_string(), Value::Array(list));
        }
        Ok(Export(out))
    }
}
