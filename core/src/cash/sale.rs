//! A sale at the counter: validate → generate the fact. Persisting is the store's job.

use super::session::SessionStatus;
use crate::catalog::{Schedule, TaxCategory, vat};
use crate::facts::{Prescription, SaleLine, SaleRecorded};
use crate::ids::{IdSource, ItemId, LotId, RegisterId, SaleId, SaleLineId, SessionId, UserId};
use crate::money::Money;
use crate::stock::fefo::{AllocationError, LotStock, allocate};
use crate::tender::{Tender, TenderKind};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The largest quantity one line may carry: a typo guard, not a business limit.
pub const MAX_LINE_QTY: i64 = 10_000;
/// The largest amount one tender may carry (1,000,000 DH).
pub const MAX_TENDER: Money = Money::from_dirhams(1_000_000);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrescriptionInput {
    pub prescriber: String,
    pub patient: String,
    pub prescribed_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineRequest {
    pub item_id: ItemId,
    pub qty: i64,
    #[serde(default)]
    pub prescription: Option<PrescriptionInput>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleRequest {
    pub lines: Vec<LineRequest>,
    pub tenders: Vec<Tender>,
}

/// What the counter knows about an item at the moment of sale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SellableItem {
    pub item_id: ItemId,
    pub name: String,
    pub schedule: Schedule,
    pub tax_category: TaxCategory,
    pub active: bool,
    /// The official price in force on the business date.
    pub price: Option<Money>,
    pub lots: Vec<LotStock>,
}

#[derive(Debug)]
pub struct SaleContext<'a> {
    pub session_id: SessionId,
    pub register_id: RegisterId,
    pub register_code: &'a str,
    pub status: SessionStatus,
    pub business_date: NaiveDate,
    pub next_ticket: u64,
    /// The next ordonnancier number of this register.
    pub next_prescription: u64,
    pub items: &'a HashMap<ItemId, SellableItem>,
    pub by: UserId,
    pub now: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SaleError {
    #[error("la session de caisse est {0} : aucune vente possible")]
    SessionNotOpen(&'static str),
    #[error("une vente doit contenir au moins une ligne")]
    NoLines,
    #[error("ligne {line} : quantité invalide ({qty}) — elle doit être comprise entre 1 et {MAX_LINE_QTY}")]
    Quantity { line: usize, qty: i64 },
    #[error("ligne {line} : produit inconnu")]
    UnknownItem { line: usize },
    #[error("ligne {line} : {name} n'est plus commercialisé")]
    Inactive { line: usize, name: String },
    #[error("ligne {line} : {name} n'a pas de prix public en vigueur")]
    NoPrice { line: usize, name: String },
    #[error(
        "ligne {line} : {name} (tableau {schedule}) exige une entrée à l'ordonnancier : prescripteur et patient"
    )]
    PrescriptionRequired { line: usize, name: String, schedule: &'static str },
    #[error("ligne {line} : {name} — {source}")]
    Allocation {
        line: usize,
        name: String,
        #[source]
        source: AllocationError,
    },
    #[error("au moins un paiement est nécessaire")]
    NoTender,
    #[error("montant de paiement invalide : {0}")]
    TenderAmount(Money),
    #[error("paiement insuffisant : {paid} reçus pour un total de {total}")]
    Short { paid: Money, total: Money },
    #[error(
        "les paiements hors espèces ({non_cash}) dépassent le total ({total}) : la monnaie se rend en espèces"
    )]
    NonCashOverpay { non_cash: Money, total: Money },
    #[error("montant hors limites")]
    Overflow,
}

pub fn prepare_sale(
    req: &SaleRequest,
    ctx: &SaleContext<'_>,
    ids: &mut dyn IdSource,
) -> Result<SaleRecorded, SaleError> {
    let (lines, total) = price_lines(req, ctx, ids)?;
    let change_due = check_tenders(&req.tenders, total)?;
    Ok(SaleRecorded {
        sale_id: SaleId::new(ids),
        session_id: ctx.session_id,
        register_id: ctx.register_id,
        ticket_no: ctx.next_ticket,
        business_date: ctx.business_date,
        at: ctx.now,
        by: ctx.by,
        lines,
        tenders: req.tenders.clone(),
        total,
        change_due,
    })
}

/// What the sale of `req`'s lines would come to, by the very rules [`prepare_sale`] applies
/// (lots first-expiry-first, sticker prices, prescriptions required): what a counter shows
/// before the customer pays. The tenders of `req` are not looked at.
pub fn quote(req: &SaleRequest, ctx: &SaleContext<'_>) -> Result<Money, SaleError> {
    // The lines' ids are thrown away with them: any source will do.
    let mut ids = crate::ids::SeededIds::new(0);
    Ok(price_lines(req, ctx, &mut ids)?.1)
}

/// The priced lines of a sale and their total.
fn price_lines(
    req: &SaleRequest,
    ctx: &SaleContext<'_>,
    ids: &mut dyn IdSource,
) -> Result<(Vec<SaleLine>, Money), SaleError> {
    if ctx.status != SessionStatus::Open {
        return Err(SaleError::SessionNotOpen(ctx.status.label_fr()));
    }
    if req.lines.is_empty() {
        return Err(SaleError::NoLines);
    }
    let mut lines = Vec::with_capacity(req.lines.len());
    let mut next_rx = ctx.next_prescription;
    let mut total = Money::ZERO;
    // Boxes already taken by earlier lines of this sale are no longer on the shelf: two
    // lines of the same item must not both draw on the first-expiring lot.
    let mut taken: HashMap<LotId, i64> = HashMap::new();
    for (i, l) in req.lines.iter().enumerate() {
        let line = i + 1;
        if l.qty <= 0 || l.qty > MAX_LINE_QTY {
            return Err(SaleError::Quantity { line, qty: l.qty });
        }
        let item = ctx.items.get(&l.item_id).ok_or(SaleError::UnknownItem { line })?;
        if !item.active {
            return Err(SaleError::Inactive { line, name: item.name.clone() });
        }
        let remaining: Vec<LotStock>;
        let lots = if item.lots.iter().any(|lot| taken.contains_key(&lot.lot_id)) {
            remaining = item
                .lots
                .iter()
                .map(|lot| LotStock {
                    on_hand: lot.on_hand - taken.get(&lot.lot_id).copied().unwrap_or(0),
                    ..lot.clone()
                })
                .collect();
            &remaining
        } else {
            &item.lots
        };
        let allocations = allocate(l.qty, lots, ctx.business_date)
            .map_err(|source| SaleError::Allocation { line, name: item.name.clone(), source })?;
        for a in &allocations {
            *taken.entry(a.lot_id).or_default() += a.qty;
        }
        // The box in hand is the first-expiring one: its sticker price, if it carries one
        // from before a price revision, is the price the customer pays.
        let sticker = allocations
            .first()
            .and_then(|a| item.lots.iter().find(|lot| lot.lot_id == a.lot_id))
            .and_then(|lot| lot.sticker_price);
        let unit_price =
            sticker.or(item.price).ok_or_else(|| SaleError::NoPrice { line, name: item.name.clone() })?;
        let line_total = unit_price.checked_mul(l.qty).ok_or(SaleError::Overflow)?;
        let prescription = if item.schedule.needs_prescription_record() {
            let p = l
                .prescription
                .as_ref()
                .filter(|p| !p.prescriber.trim().is_empty() && !p.patient.trim().is_empty());
            let p = p.ok_or(SaleError::PrescriptionRequired {
                line,
                name: item.name.clone(),
                schedule: item.schedule.code(),
            })?;
            let number = format!("{}-{:06}", ctx.register_code, next_rx);
            next_rx += 1;
            Some(Prescription {
                number,
                prescriber: p.prescriber.trim().to_string(),
                patient: p.patient.trim().to_string(),
                prescribed_on: p.prescribed_on,
            })
        } else {
            None
        };
        let rate = vat::rate_bp(item.tax_category, ctx.business_date);
        total = total.checked_add(line_total).ok_or(SaleError::Overflow)?;
        lines.push(SaleLine {
            line_id: SaleLineId::new(ids),
            item_id: item.item_id,
            name: item.name.clone(),
            qty: l.qty,
            unit_price,
            total: line_total,
            vat_rate_bp: rate,
            vat: vat::vat_included(line_total, rate),
            schedule: item.schedule,
            allocations,
            prescription,
        });
    }
    Ok((lines, total))
}

/// Tenders must cover the total; only cash can exceed it, and the excess is the change.
pub fn check_tenders(tenders: &[Tender], total: Money) -> Result<Money, SaleError> {
    if tenders.is_empty() {
        return Err(SaleError::NoTender);
    }
    let mut paid = Money::ZERO;
    let mut non_cash = Money::ZERO;
    for t in tenders {
        if t.amount <= Money::ZERO || t.amount > MAX_TENDER {
            return Err(SaleError::TenderAmount(t.amount));
        }
        paid = paid.checked_add(t.amount).ok_or(SaleError::Overflow)?;
        if t.kind != TenderKind::Cash {
            non_cash += t.amount;
        }
    }
    if paid < total {
        return Err(SaleError::Short { paid, total });
    }
    if non_cash > total {
        return Err(SaleError::NonCashOverpay { non_cash, total });
    }
    Ok(paid - total)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "sale_tests.rs"]
mod tests;
