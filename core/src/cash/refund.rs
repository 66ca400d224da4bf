//! Refunds reverse (part of) a sale with a new, linked entry; the sale is never edited.

use super::sale::check_tenders;
use super::session::SessionStatus;
use crate::catalog::vat;
use crate::facts::{Allocation, RefundLine, RefundRecorded, SaleRecorded};
use crate::ids::{IdSource, RefundId, RegisterId, SaleLineId, SessionId, UserId};
use crate::money::Money;
use crate::tender::Tender;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundLineRequest {
    pub sale_line_id: SaleLineId,
    pub qty: i64,
    /// The box comes back sealed and goes back on the shelf.
    pub restock: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRequest {
    pub lines: Vec<RefundLineRequest>,
    pub tenders: Vec<Tender>,
    pub reason: String,
}

#[derive(Debug)]
pub struct RefundContext<'a> {
    pub session_id: SessionId,
    pub register_id: RegisterId,
    pub status: SessionStatus,
    pub business_date: NaiveDate,
    pub next_ticket: u64,
    pub original: &'a SaleRecorded,
    /// Quantity already refunded per line of the original sale.
    pub already_refunded: &'a HashMap<SaleLineId, i64>,
    pub by: UserId,
    pub now: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RefundError {
    #[error("la session de caisse est {0} : aucun remboursement possible")]
    SessionNotOpen(&'static str),
    #[error("un remboursement doit contenir au moins une ligne")]
    NoLines,
    #[error("un motif de remboursement est obligatoire")]
    NoReason,
    #[error("la ligne {0} n'appartient pas au ticket d'origine")]
    UnknownLine(SaleLineId),
    #[error("{name} : quantité à rembourser invalide ({qty}), au plus {left} restant sur le ticket")]
    Quantity { name: String, qty: i64, left: i64 },
    #[error("les paiements rendus ({paid}) doivent égaler le montant remboursé ({total})")]
    TenderMismatch { paid: Money, total: Money },
    #[error("paiement invalide : {0}")]
    Tender(#[source] super::sale::SaleError),
}

pub fn prepare_refund(
    req: &RefundRequest,
    ctx: &RefundContext<'_>,
    ids: &mut dyn IdSource,
) -> Result<RefundRecorded, RefundError> {
    if ctx.status != SessionStatus::Open {
        return Err(RefundError::SessionNotOpen(ctx.status.label_fr()));
    }
    if req.lines.is_empty() {
        return Err(RefundError::NoLines);
    }
    let reason = req.reason.trim();
    if reason.is_empty() {
        return Err(RefundError::NoReason);
    }
    let mut asked: HashMap<SaleLineId, i64> = HashMap::new();
    let mut lines = Vec::new();
    for r in &req.lines {
        let orig = ctx
            .original
            .lines
            .iter()
            .find(|l| l.line_id == r.sale_line_id)
            .ok_or(RefundError::UnknownLine(r.sale_line_id))?;
        let done = ctx.already_refunded.get(&r.sale_line_id).copied().unwrap_or(0);
        let before = asked.get(&r.sale_line_id).copied().unwrap_or(0);
        let left = orig.qty - done - before;
        if r.qty <= 0 || r.qty > left {
            return Err(RefundError::Quantity { name: orig.name.clone(), qty: r.qty, left });
        }
        *asked.entry(r.sale_line_id).or_default() += r.qty;
        // Proportional to what was paid for the line, so partial refunds sum to the line.
        let amount = if r.qty + done + before == orig.qty {
            orig.total - orig.unit_price * (done + before)
        } else {
            orig.unit_price * r.qty
        };
        let restock = if r.restock { restock_lots(&orig.allocations, done + before, r.qty) } else { vec![] };
        lines.push(RefundLine {
            sale_line_id: orig.line_id,
            item_id: orig.item_id,
            qty: r.qty,
            amount,
            vat_rate_bp: orig.vat_rate_bp,
            vat: vat::vat_included(amount, orig.vat_rate_bp),
            restock,
        });
    }
    let total: Money = lines.iter().map(|l| l.amount).sum();
    let change = check_tenders(&req.tenders, total).map_err(RefundError::Tender)?;
    if change != Money::ZERO {
        let paid = req.tenders.iter().map(|t| t.amount).sum();
        return Err(RefundError::TenderMismatch { paid, total });
    }
    Ok(RefundRecorded {
        refund_id: RefundId::new(ids),
        session_id: ctx.session_id,
        register_id: ctx.register_id,
        ticket_no: ctx.next_ticket,
        original_sale_id: ctx.original.sale_id,
        original_ticket_no: ctx.original.ticket_no,
        business_date: ctx.business_date,
        at: ctx.now,
        by: ctx.by,
        reason: reason.to_string(),
        lines,
        tenders: req.tenders.clone(),
        total,
    })
}

/// Returned boxes go back to the lots they came from, latest expiry first. The boxes of
/// the line refunded before (`already`) came back first: they are skipped, so two refunds
/// of one box each never both go back to a lot that gave only one.
fn restock_lots(allocations: &[Allocation], already: i64, qty: i64) -> Vec<Allocation> {
    let mut skip = already;
    let mut left = qty;
    let mut out = Vec::new();
    for a in allocations.iter().rev() {
        if left == 0 {
            break;
        }
        let skipped = skip.min(a.qty);
        skip -= skipped;
        let take = (a.qty - skipped).min(left);
        if take > 0 {
            out.push(Allocation { lot_id: a.lot_id, qty: take });
            left -= take;
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "refund_tests.rs"]
mod tests;
