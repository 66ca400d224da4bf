//! The day's figures: what the end-of-day journal prints, per register.

use super::Store;
use super::error::Result;
use super::read::parse;
use crate::catalog::vat::VatSummary;
use crate::money::Money;
use crate::tender::TenderTotals;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

#[derive(Clone, Debug, Default, Serialize)]
pub struct RegisterDay {
    pub register: String,
    pub sessions: usize,
    pub open_sessions: usize,
    pub sales_count: u64,
    pub sales_total: Money,
    pub refunds_count: u64,
    pub refunds_total: Money,
    pub net: Money,
    /// Net takings per tender (cash net of change).
    pub by_tender: TenderTotals,
    pub expected: TenderTotals,
    pub variance: TenderTotals,
    /// (rate in basis points, base excluding VAT, VAT)
    pub vat: Vec<(u32, Money, Money)>,
    pub z_no: Option<u64>,
    pub grand_total: Option<Money>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DayReport {
    pub business_date: NaiveDate,
    pub pharmacy: String,
    pub registers: Vec<RegisterDay>,
}

impl DayReport {
    pub fn to_text(&self) -> String {
        let mut t = format!("{} — journée du {}", self.pharmacy, self.business_date.format("%d/%m/%Y"));
        for r in &self.registers {
            t.push_str(&format!(
                "\n\nCaisse {} — {} session(s){}\n  ventes           {:>6}  {:>16}\n  remboursements   {:>6}  {:>16}\n  net                      {:>16}",
                r.register,
                r.sessions,
                if r.open_sessions > 0 { format!(", dont {} non clôturée(s)", r.open_sessions) } else { String::new() },
                r.sales_count,
                r.sales_total.to_string(),
                r.refunds_count,
                r.refunds_total.to_string(),
                r.net.to_string()
            ));
            for (k, m) in &r.by_tender.0 {
                t.push_str(&format!("\n  {:<24} {:>16}", k.label_fr(), m.to_string()));
            }
            for (rate, base, vat) in &r.vat {
                t.push_str(&format!(
                    "\n  TVA {:>5} %  base {:>14}  TVA {:>12}",
                    format!("{},{:02}", rate / 100, rate % 100),
                    base.to_string(),
                    vat.to_string()
                ));
            }
            for (k, m) in &r.variance.0 {
                t.push_str(&format!("\n  écart {:<18} {:>16}", k.label_fr(), m.to_string()));
            }
            if let (Some(z), Some(g)) = (r.z_no, r.grand_total) {
                t.push_str(&format!("\n  clôture Z n° {z} — grand total perpétuel {g}"));
            }
        }
        t
    }
}

impl Store {
    pub fn day_report(&mut self, day: NaiveDate) -> Result<DayReport> {
        let pharmacy = self.pharmacy()?.legal_name;
        let mut registers = Vec::new();
        for reg in self.registers()? {
            let ids: Vec<String> = {
                let mut st = self.conn.prepare(
                    "SELECT id FROM cash_sessions WHERE register_id = ?1 AND business_date = ?2 ORDER BY opened_at, id",
                )?;
                st.query_map(params![reg.id.to_string(), day.to_string()], |r| r.get(0))?
                    .collect::<std::result::Result<_, _>>()?
            };
            if ids.is_empty() {
                continue;
            }
            let mut d = RegisterDay { register: reg.code.clone(), sessions: ids.len(), ..Default::default() };
            let mut vat = VatSummary::default();
            for id in ids {
                let s = self.session_state(parse("session", &id)?)?;
                if !s.is_closed() {
                    d.open_sessions += 1;
                }
                d.sales_count += s.sales.len() as u64;
                d.refunds_count += s.refunds.len() as u64;
                d.sales_total += s.sales_total();
                d.refunds_total += s.refunds_total();
                for sale in &s.sales {
                    for t in &sale.tenders {
                        d.by_tender.add(t.kind, t.amount);
                    }
                    d.by_tender.add(crate::tender::TenderKind::Cash, -sale.change_due);
                    for l in &sale.lines {
                        vat.add_line(l.vat_rate_bp, l.total);
                    }
                }
                for r in &s.refunds {
                    for t in &r.tenders {
                        d.by_tender.add(t.kind, -t.amount);
                    }
                    for l in &r.lines {
                        vat.add_line(l.vat_rate_bp, -l.amount);
                    }
                }
                for (k, m) in s.expected().0 {
                    d.expected.add(k, m);
                }
                if let Some(v) = s.reconciliation().and_then(|r| r.variance()) {
                    for (k, m) in v.0 {
                        d.variance.add(k, m);
                    }
                }
            }
            d.net = d.sales_total - d.refunds_total;
            d.vat = vat.rows();
            let z: Option<(i64, i64)> = self
                .conn
                .query_row(
                    "SELECT z_no, grand_total_after FROM z_closings WHERE register_id = ?1 AND business_date = ?2",
                    params![reg.id.to_string(), day.to_string()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            d.z_no = z.map(|(n, _)| n as u64);
            d.grand_total = z.map(|(_, g)| Money(g));
            registers.push(d);
        }
        Ok(DayReport { business_date: day, pharmacy, registers })
    }
}
