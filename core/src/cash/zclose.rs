//! The daily Z closing of a register (NF525 model): period totals, gapless Z numbers and a
//! perpetual grand total that only ever accumulates net takings.

use super::session::SessionState;
use crate::catalog::vat::VatSummary;
use crate::facts::ZClosed;
use crate::ids::{IdSource, RegisterId, UserId, ZCloseId};
use crate::money::Money;
use crate::tender::TenderTotals;
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ZCloseError {
    #[error("aucune session clôturée pour cette caisse le {0}")]
    NothingToClose(NaiveDate),
    #[error("la session ouverte le {0} n'est pas clôturée : terminez son rapprochement d'abord")]
    SessionNotClosed(String),
    #[error("la journée du {0} a déjà fait l'objet d'une clôture Z")]
    AlreadyClosed(NaiveDate),
}

/// The register's last Z, if any: its number and grand total.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LastZ {
    pub z_no: u64,
    pub grand_total: Money,
}

#[derive(Debug)]
pub struct ZInput<'a> {
    pub register_id: RegisterId,
    pub business_date: NaiveDate,
    /// The register's sessions of that business date.
    pub sessions: &'a [SessionState],
    pub last: LastZ,
    pub date_already_closed: bool,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

pub fn z_close(input: ZInput<'_>, ids: &mut dyn IdSource) -> Result<ZClosed, ZCloseError> {
    let ZInput { register_id, business_date, sessions, last, date_already_closed, by, at } = input;
    if date_already_closed {
        return Err(ZCloseError::AlreadyClosed(business_date));
    }
    let mut day: Vec<&SessionState> = sessions
        .iter()
        .filter(|s| s.opened.register_id == register_id && s.opened.business_date == business_date)
        .collect();
    if day.is_empty() {
        return Err(ZCloseError::NothingToClose(business_date));
    }
    day.sort_by_key(|s| (s.opened.opened_at, s.opened.session_id));
    if let Some(open) = day.iter().find(|s| !s.is_closed()) {
        return Err(ZCloseError::SessionNotClosed(
            open.opened.opened_at.format("%d/%m/%Y %H:%M UTC").to_string(),
        ));
    }
    let mut by_tender = TenderTotals::default();
    let mut vat = VatSummary::default();
    let (mut sales_total, mut refunds_total) = (Money::ZERO, Money::ZERO);
    let (mut sales_count, mut refunds_count) = (0u64, 0u64);
    for s in &day {
        for sale in &s.sales {
            sales_count += 1;
            sales_total += sale.total;
            for t in &sale.tenders {
                by_tender.add(t.kind, t.amount);
            }
            by_tender.add(crate::tender::TenderKind::Cash, -sale.change_due);
            for l in &sale.lines {
                vat.add_line(l.vat_rate_bp, l.total);
            }
        }
        for r in &s.refunds {
            refunds_count += 1;
            refunds_total += r.total;
            for t in &r.tenders {
                by_tender.add(t.kind, -t.amount);
            }
            for l in &r.lines {
                vat.add_line(l.vat_rate_bp, -l.amount);
            }
        }
    }
    let net = sales_total - refunds_total;
    Ok(ZClosed {
        id: ZCloseId::new(ids),
        register_id,
        z_no: last.z_no + 1,
        business_date,
        sessions: day.iter().map(|s| s.opened.session_id).collect(),
        sales_count,
        refunds_count,
        sales_total,
        refunds_total,
        by_tender,
        vat: vat.rows(),
        grand_total_before: last.grand_total,
        grand_total_after: last.grand_total + net,
        by,
        at,
    })
}
