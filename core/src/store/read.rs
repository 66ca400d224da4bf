//! Read-side queries over the projections, used by the operations and the CLI.

use super::Store;
use super::error::{Result, StoreError};
use crate::audit::AuditEntry;
use crate::cash::sale::SellableItem;
use crate::catalog::{Schedule, TaxCategory};
use crate::ids::*;
use crate::money::Money;
use crate::people::{Role, User, UserStatus};
use crate::stock::LotStock;
use crate::tenant::{Pharmacy, Register, RetentionPolicy};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use std::str::FromStr;

pub(crate) fn parse<T: FromStr>(what: &'static str, s: &str) -> Result<T> {
    s.parse::<T>().map_err(|_| StoreError::NotFound { what, id: s.to_string() })
}

fn col<T: FromStr>(r: &Row<'_>, i: usize, what: &'static str) -> Result<T> {
    let s: String = r.get(i)?;
    parse(what, &s)
}

pub(crate) fn last_audit(c: &Connection, device: DeviceId) -> Result<Option<AuditEntry>> {
    let row = c
        .query_row(
            "SELECT id, device_id, seq, at, actor, event, resource_type, resource_id, metadata, prev_hash, hash
             FROM audit_log WHERE device_id = ?1 ORDER BY seq DESC LIMIT 1",
            [device.to_string()],
            |r| Ok(audit_row(r)),
        )
        .optional()?;
    row.transpose()
}

pub(crate) fn audit_row(r: &Row<'_>) -> Result<AuditEntry> {
    let at: String = r.get(3)?;
    let actor: Option<String> = r.get(4)?;
    let meta: String = r.get(8)?;
    Ok(AuditEntry {
        id: col(r, 0, "entrée d'audit")?,
        device_id: col(r, 1, "appareil")?,
        seq: r.get::<_, i64>(2)? as u64,
        at: parse::<chrono::DateTime<chrono::FixedOffset>>("date", &at)?.to_utc(),
        actor: actor.map(|a| parse("utilisateur", &a)).transpose()?,
        event: r.get(5)?,
        resource_type: r.get(6)?,
        resource_id: r.get(7)?,
        metadata: serde_json::from_str(&meta)
            .map_err(|source| StoreError::Decode { what: "audit", source })?,
        prev_hash: r.get(9)?,
        hash: r.get(10)?,
    })
}

#[derive(Clone, Debug, Serialize)]
pub struct SessionRow {
    pub id: SessionId,
    pub register_id: RegisterId,
    pub register_code: String,
    pub business_date: NaiveDate,
    pub duty: bool,
    pub status: String,
    pub reconciliation: Option<String>,
}

impl Store {
    pub fn pharmacy(&self) -> Result<Pharmacy> {
        self.conn
            .query_row(
                "SELECT id, legal_name, ice, address, time_zone, variance_threshold, retention_financial_years, retention_audit_years, anonymization_days FROM pharmacy",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get::<_, i64>(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                    ))
                },
            )
            .optional()?
            .ok_or(StoreError::NotInitialized)
            .and_then(|(id, legal_name, ice, address, time_zone, th, fy, ay, an)| {
                Ok(Pharmacy {
                    id: parse("pharmacie", &id)?,
                    legal_name,
                    ice,
                    address,
                    time_zone,
                    variance_threshold: Money(th),
                    retention: RetentionPolicy { financial_years: fy, audit_years: ay, anonymization_days: an },
                })
            })
    }

    pub fn registers(&self) -> Result<Vec<Register>> {
        let mut st = self.conn.prepare("SELECT id, code, name FROM registers ORDER BY code")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, code, name) = row?;
            out.push(Register { id: parse("caisse", &id)?, code, name });
        }
        Ok(out)
    }

    pub fn register_by_code(&self, code: &str) -> Result<Register> {
        self.registers()?
            .into_iter()
            .find(|r| r.code.eq_ignore_ascii_case(code))
            .ok_or_else(|| StoreError::NotFound { what: "caisse", id: code.to_string() })
    }

    pub fn user_by_login(&self, login: &str) -> Result<Option<User>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, login, display_name, role, status, pin_hash, password_hash FROM users WHERE login = ?1 ORDER BY id LIMIT 1",
        )?;
        let row = st
            .query_row([login], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            })
            .optional()?;
        let Some((id, login, display_name, role, status, pin_hash, password_hash)) = row else {
            return Ok(None);
        };
        Ok(Some(User {
            id: parse("utilisateur", &id)?,
            login,
            display_name,
            role: Role::parse(&role).ok_or(StoreError::NotFound { what: "rôle", id: role.clone() })?,
            status: UserStatus::parse(&status)
                .ok_or(StoreError::NotFound { what: "statut", id: status.clone() })?,
            pin_hash,
            password_hash,
        }))
    }

    pub fn users(&self) -> Result<Vec<(String, String, String, String)>> {
        let mut st =
            self.conn.prepare("SELECT login, display_name, role, status FROM users ORDER BY login")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The item with this scannable barcode (the hot path of the counter).
    pub fn item_by_barcode(&self, barcode: &str) -> Result<ItemId> {
        let id: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT id FROM items WHERE barcode = ?1 AND barcode_scannable = 1 ORDER BY id LIMIT 1",
            )?
            .query_row([barcode], |r| r.get(0))
            .optional()?;
        match id {
            Some(id) => parse("produit", &id),
            None => Err(StoreError::UnknownBarcode(barcode.to_string())),
        }
    }

    /// The official price in force on `day`: latest effective date, ties broken by id.
    pub fn price_on(&self, item: ItemId, day: NaiveDate) -> Result<Option<Money>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT ppv FROM item_prices WHERE item_id = ?1 AND effective_from <= ?2 ORDER BY effective_from DESC, id DESC LIMIT 1",
            )?
            .query_row(params![item.to_string(), day.to_string()], |r| r.get::<_, i64>(0))
            .optional()?
            .map(Money))
    }

    pub fn lots_of(&self, item: ItemId) -> Result<Vec<LotStock>> {
        let mut st = self.conn.prepare_cached(
            "SELECT l.id, l.lot_number, l.expiry, COALESCE(s.on_hand, 0), COALESCE(f.recalled, 0), l.sticker_price
             FROM lots l LEFT JOIN lot_stock s ON s.lot_id = l.id LEFT JOIN lot_flags f ON f.lot_id = l.id
             WHERE l.item_id = ?1 ORDER BY l.expiry, l.id",
        )?;
        let mut rows = st.query([item.to_string()])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(LotStock {
                lot_id: col(r, 0, "lot")?,
                lot_number: r.get(1)?,
                expiry: col(r, 2, "date")?,
                on_hand: r.get(3)?,
                recalled: r.get(4)?,
                sticker_price: r.get::<_, Option<i64>>(5)?.map(Money),
            });
        }
        Ok(out)
    }

    pub fn sellable(&self, item: ItemId, day: NaiveDate) -> Result<Option<SellableItem>> {
        let row = self
            .conn
            .prepare_cached("SELECT name, schedule, tax_category, active FROM items WHERE id = ?1")?
            .query_row([item.to_string()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, bool>(3)?,
                ))
            })
            .optional()?;
        let Some((name, schedule, tax, active)) = row else { return Ok(None) };
        Ok(Some(SellableItem {
            item_id: item,
            name,
            schedule: Schedule::parse(&schedule).unwrap_or(Schedule::None),
            tax_category: TaxCategory::parse(&tax).unwrap_or(TaxCategory::Standard),
            active,
            price: self.price_on(item, day)?,
            lots: self.lots_of(item)?,
        }))
    }

    /// The next gapless ticket number of a register.
    pub fn next_ticket(&self, register: RegisterId) -> Result<u64> {
        let max: Option<i64> = self
            .conn
            .prepare_cached("SELECT MAX(ticket_no) FROM tickets WHERE register_id = ?1")?
            .query_row([register.to_string()], |r| r.get(0))?;
        Ok(max.unwrap_or(0) as u64 + 1)
    }

    pub fn next_prescription(&self, register: RegisterId) -> Result<u64> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT COUNT(*) FROM ordonnancier WHERE register_id = ?1")?
            .query_row([register.to_string()], |r| r.get(0))?;
        Ok(n as u64 + 1)
    }

    /// The session of this register not yet closed for good, if any.
    pub fn current_session(&self, register: RegisterId) -> Result<Option<SessionId>> {
        let id: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT id FROM cash_sessions WHERE register_id = ?1 AND status != 'closed' ORDER BY opened_at DESC LIMIT 1",
            )?
            .query_row([register.to_string()], |r| r.get(0))
            .optional()?;
        id.map(|s| parse("session", &s)).transpose()
    }

    pub fn sessions(&self) -> Result<Vec<SessionRow>> {
        let mut st = self.conn.prepare(
            "SELECT s.id, s.register_id, r.code, s.business_date, s.duty, s.status, s.reconciliation
             FROM cash_sessions s LEFT JOIN registers r ON r.id = s.register_id ORDER BY s.opened_at, s.id",
        )?;
        let mut rows = st.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(SessionRow {
                id: col(r, 0, "session")?,
                register_id: col(r, 1, "caisse")?,
                register_code: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                business_date: col(r, 3, "date")?,
                duty: r.get(4)?,
                status: r.get(5)?,
                reconciliation: r.get(6)?,
            });
        }
        Ok(out)
    }

    pub fn item_on_hand(&self, item: ItemId) -> Result<i64> {
        Ok(self
            .conn
            .prepare_cached("SELECT on_hand FROM item_stock WHERE item_id = ?1")?
            .query_row([item.to_string()], |r| r.get(0))
            .optional()?
            .unwrap_or(0))
    }

    /// Every device's chain in sequence order: entries of other devices arrive by sync in
    /// any order, so the order of the rows means nothing; the chain's own links do.
    pub fn audit_entries(&self) -> Result<Vec<AuditEntry>> {
        let mut st = self.conn.prepare(
            "SELECT id, device_id, seq, at, actor, event, resource_type, resource_id, metadata, prev_hash, hash
             FROM audit_log ORDER BY device_id, seq, rowid",
        )?;
        let mut rows = st.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(audit_row(r)?);
        }
        Ok(out)
    }
}

impl Store {
    /// Stock alerts: per item (low, critical, out, negative) and per lot (expired,
    /// expiring within 30 or 90 days), items first, by severity then name.
    pub fn alerts(&self, today: NaiveDate) -> Result<Vec<crate::stock::alerts::Alert>> {
        use crate::stock::alerts::{item_alert, lot_alert};
        let mut out = Vec::new();
        let mut st = self.conn.prepare(
            "SELECT i.id, i.name, COALESCE(s.on_hand, 0), i.reorder_point FROM items i LEFT JOIN item_stock s ON s.item_id = i.id
             WHERE i.active = 1 AND (s.on_hand IS NOT NULL OR i.reorder_point > 0) ORDER BY i.name, i.id",
        )?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let name: String = r.get(1)?;
            if let Some(a) = item_alert(col(r, 0, "produit")?, &name, r.get(2)?, r.get(3)?) {
                out.push(a);
            }
        }
        let horizon = (today + chrono::Duration::days(90)).to_string();
        let mut st = self.conn.prepare(
            "SELECT i.id, i.name, l.id, l.lot_number, l.expiry, s.on_hand FROM lots l
             JOIN lot_stock s ON s.lot_id = l.id JOIN items i ON i.id = l.item_id
             WHERE s.on_hand > 0 AND l.expiry <= ?1 ORDER BY l.expiry, i.name, l.id",
        )?;
        let mut rows = st.query([horizon])?;
        while let Some(r) = rows.next()? {
            let name: String = r.get(1)?;
            let number: String = r.get(3)?;
            if let Some(a) = lot_alert(
                col(r, 0, "produit")?,
                &name,
                col(r, 2, "lot")?,
                &number,
                col(r, 4, "date")?,
                r.get(5)?,
                today,
            ) {
                out.push(a);
            }
        }
        Ok(out)
    }
}

/// A line of the catalog as the counter lists it.
#[derive(Clone, Debug, Serialize)]
pub struct ItemRow {
    pub id: ItemId,
    pub barcode: Option<String>,
    pub name: String,
    pub schedule: String,
    pub on_hand: i64,
    pub ppv: Option<Money>,
}

impl Store {
    /// Items whose name, substance or barcode contains `text`, in stock first, by name.
    pub fn search_items(&self, text: &str, day: NaiveDate, limit: usize) -> Result<Vec<ItemRow>> {
        let pattern = format!("%{}%", text.trim().replace('%', ""));
        let mut st = self.conn.prepare_cached(
            "SELECT i.id, i.barcode, i.name, i.schedule, COALESCE(s.on_hand, 0) FROM items i LEFT JOIN item_stock s ON s.item_id = i.id
             WHERE i.active = 1 AND (i.name LIKE ?1 OR i.active_substance LIKE ?1 OR i.barcode LIKE ?1)
             ORDER BY COALESCE(s.on_hand, 0) > 0 DESC, i.name, i.id LIMIT ?2",
        )?;
        let mut rows = st.query(params![pattern, limit as i64])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let id: ItemId = col(r, 0, "produit")?;
            out.push(ItemRow {
                id,
                barcode: r.get(1)?,
                name: r.get(2)?,
                schedule: r.get(3)?,
                on_hand: r.get(4)?,
                ppv: None,
            });
        }
        for row in &mut out {
            row.ppv = self.price_on(row.id, day)?;
        }
        Ok(out)
    }
}

/// A line of the ordonnancier (register of dispensed prescriptions).
#[derive(Clone, Debug, Serialize)]
pub struct OrdonnancierRow {
    pub number: String,
    pub at: String,
    pub item_name: String,
    pub schedule: String,
    pub qty: i64,
    pub prescriber: String,
    pub patient: String,
}

/// A line of the narcotics ledger: a receipt (+) or an issue (−) of a tableau B product.
#[derive(Clone, Debug, Serialize)]
pub struct NarcoticsRow {
    pub at: String,
    pub item_name: String,
    pub lot_number: Option<String>,
    pub qty: i64,
    pub kind: String,
}

impl Store {
    /// The ordonnancier between two of the pharmacy's calendar days, inclusive, with
    /// times shown in its time zone. Health data: restricted.
    pub fn ordonnancier(
        &self,
        actor: &crate::people::Actor,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<OrdonnancierRow>> {
        self.authorize(actor, crate::people::Permission::ViewPrescriptions)?;
        let tz = self.pharmacy()?.tz()?;
        let (start, end) =
            (local_midnight_utc(tz, from), local_midnight_utc(tz, to + chrono::Duration::days(1)));
        let mut st = self.conn.prepare(
            "SELECT number, at, item_name, schedule, qty, prescriber, patient FROM ordonnancier
             WHERE at >= ?1 AND at < ?2 ORDER BY at, number",
        )?;
        let rows = st.query_map(params![start, end], |r| {
            let at: String = r.get(1)?;
            Ok(OrdonnancierRow {
                number: r.get(0)?,
                at: local_time(tz, &at),
                item_name: r.get(2)?,
                schedule: r.get(3)?,
                qty: r.get(4)?,
                prescriber: r.get(5)?,
                patient: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn narcotics_ledger(&self, actor: &crate::people::Actor) -> Result<Vec<NarcoticsRow>> {
        self.authorize(actor, crate::people::Permission::ViewPrescriptions)?;
        let mut st = self.conn.prepare(
            "SELECT at, name, lot_number, qty, kind FROM narcotics_ledger ORDER BY at, source_id, lot_id",
        )?;
        let rows = st.query_map([], |r| {
            Ok(NarcoticsRow {
                at: r.get(0)?,
                item_name: r.get(1)?,
                lot_number: r.get(2)?,
                qty: r.get(3)?,
                kind: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// The UTC instant (RFC 3339, as stored) at which a local calendar day starts.
fn local_midnight_utc(tz: chrono_tz::Tz, day: NaiveDate) -> String {
    use chrono::TimeZone;
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc).to_rfc3339())
        .unwrap_or_else(|| midnight.and_utc().to_rfc3339())
}

/// A stored UTC instant shown in the pharmacy's time zone: `24/11/2026 09:41`.
fn local_time(tz: chrono_tz::Tz, stored: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(stored) {
        Ok(t) => t.with_timezone(&tz).format("%d/%m/%Y %H:%M").to_string(),
        Err(_) => stored.to_string(),
    }
}
