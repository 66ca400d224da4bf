//! The current row of each mutable entity (last writer wins per field in the document).

use super::{ProjectionError, RowOp, id};
use crate::catalog::{Item, Origin};
use crate::people::User;
use crate::tenant::{Pharmacy, Register};
use serde_json::{Map, Value};

fn decode<T: serde::de::DeserializeOwned>(
    what: &'static str,
    m: &Map<String, Value>,
) -> Result<T, ProjectionError> {
    serde_json::from_value(Value::Object(m.clone())).map_err(|source| ProjectionError { what, source })
}

/// The row an entity (`pharmacy`, `register/<id>`, `user/<id>`, `item/<id>`, `lot/<id>`)
/// has given its fields. An entity kind from a newer version gives no row.
pub fn entity_rows(entity: &str, fields: &Map<String, Value>) -> Result<Vec<RowOp>, ProjectionError> {
    let (kind, rest) = entity.split_once('/').unwrap_or((entity, ""));
    let row = match kind {
        "pharmacy" => {
            let p: Pharmacy = decode("pharmacie", fields)?;
            RowOp::Upsert {
                table: "pharmacy",
                key: &["singleton"],
                cols: vec![
                    ("singleton", 1i64.into()),
                    ("id", id(p.id)),
                    ("legal_name", p.legal_name.into()),
                    ("ice", p.ice.into()),
                    ("address", p.address.into()),
                    ("time_zone", p.time_zone.into()),
                    ("variance_threshold", p.variance_threshold.into()),
                    ("retention_financial_years", p.retention.financial_years.into()),
                    ("retention_audit_years", p.retention.audit_years.into()),
                    ("anonymization_days", p.retention.anonymization_days.into()),
                ],
            }
        }
        "register" => {
            let r: Register = decode("caisse", fields)?;
            RowOp::Upsert {
                table: "registers",
                key: &["id"],
                cols: vec![("id", id(r.id)), ("code", r.code.into()), ("name", r.name.into())],
            }
        }
        "user" => {
            let u: User = decode("utilisateur", fields)?;
            RowOp::Upsert {
                table: "users",
                key: &["id"],
                cols: vec![
                    ("id", id(u.id)),
                    ("login", u.login.into()),
                    ("display_name", u.display_name.into()),
                    ("role", u.role.code().into()),
                    ("status", u.status.code().into()),
                    ("pin_hash", u.pin_hash.into()),
                    ("password_hash", u.password_hash.into()),
                ],
            }
        }
        "item" => {
            let i: Item = decode("produit", fields)?;
            RowOp::Upsert {
                table: "items",
                key: &["id"],
                cols: vec![
                    ("id", id(i.id)),
                    ("name", i.name.into()),
                    ("active_substance", i.active_substance.into()),
                    ("dosage", i.dosage.into()),
                    ("form", i.form.into()),
                    ("presentation", i.presentation.into()),
                    ("category", i.category.code().into()),
                    ("tax_category", i.tax_category.code().into()),
                    ("barcode", i.barcode.into()),
                    ("barcode_scannable", i.barcode_scannable.into()),
                    ("schedule", i.schedule.code().into()),
                    ("reimbursement_pct", i.reimbursement_pct.into()),
                    (
                        "origin",
                        i.origin
                            .map(|o| match o {
                                Origin::Princeps => "princeps",
                                Origin::Generic => "generic",
                            })
                            .into(),
                    ),
                    ("hospital_price", i.hospital_price.into()),
                    ("unit_cost", i.unit_cost.into()),
                    ("reorder_point", i.reorder_point.into()),
                    ("reorder_quantity", i.reorder_quantity.into()),
                    ("pack_size", i.pack_size.into()),
                    ("expiry_tracked", i.expiry_tracked.into()),
                    ("active", i.active.into()),
                ],
            }
        }
        "lot" => RowOp::Upsert {
            table: "lot_flags",
            key: &["lot_id"],
            cols: vec![
                ("lot_id", rest.into()),
                ("recalled", fields.get("recalled").and_then(Value::as_bool).unwrap_or(false).into()),
                ("recall_reason", fields.get("recall_reason").and_then(Value::as_str).unwrap_or("").into()),
            ],
        },
        _ => return Ok(vec![]),
    };
    Ok(vec![row])
}
