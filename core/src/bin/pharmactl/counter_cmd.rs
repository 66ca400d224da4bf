//! Counter commands: sessions, sales, refunds, cash moves, reconciliation, Z, report.

use crate::Ctx;
use crate::args::*;
use crate::out::date;
use anyhow::{Context, Result, bail};
use pharma_core::cash::reconcile::StepInput;
use pharma_core::cash::refund::{RefundLineRequest, RefundRequest};
use pharma_core::cash::sale::{PrescriptionInput, SaleRequest};
use pharma_core::facts::{CashMoveKind, StepKind};
use pharma_core::ids::SessionId;
use pharma_core::money::{DenominationCount, parse_mad};
use pharma_core::store::{ScanLine, parse_tender};
use pharma_core::tender::{TenderKind, TenderTotals};
use serde_json::json;

fn current(ctx: &Ctx, register: &str) -> Result<SessionId> {
    let r = ctx.store.register_by_code(register)?;
    ctx.store.current_session(r.id)?.with_context(|| {
        format!("aucune session en cours sur la caisse {register} : `pharmactl session open`")
    })
}

fn float(s: &str) -> Result<DenominationCount> {
    if s.trim().is_empty() {
        return Ok(DenominationCount::default());
    }
    Ok(DenominationCount::parse(s)?)
}

pub fn session(ctx: &mut Ctx, c: SessionCmd) -> Result<()> {
    match c {
        SessionCmd::Open { register, float: f, date: d, duty } => {
            let actor = ctx.actor()?;
            let r = ctx.store.register_by_code(&register)?;
            let fl = float(&f)?;
            let total = fl.total();
            let id = ctx.store.open_session(&actor, r.id, date(d.as_deref())?, duty, fl)?;
            ctx.print(&json!({"session": id.to_string(), "register": register, "float": total}), || {
                format!("Session ouverte sur la caisse {register}, fond de caisse {total}.")
            })
        }
        SessionCmd::Close { register } => {
            let actor = ctx.actor()?;
            let id = current(ctx, &register)?;
            ctx.store.close_session(&actor, id)?;
            ctx.print(&json!({"session": id.to_string(), "status": "pending_reconciliation"}), || {
                "Session fermée : comptez la caisse (`pharmactl reconcile count`).".to_string()
            })
        }
        SessionCmd::Show { register, session } => {
            let id = match session {
                Some(s) => s.parse().map_err(|_| anyhow::anyhow!("identifiant de session invalide"))?,
                None => current(ctx, &register)?,
            };
            let s = ctx.store.session_state(id)?;
            let status = s.status();
            // Blind count: the expected totals are shown only once the drawer is counted.
            let expected = s.closed.as_ref().filter(|_| !s.counts.is_empty()).map(|c| c.expected.clone());
            let variance = s.reconciliation().and_then(|r| r.variance());
            let unexplained = s.reconciliation().and_then(|r| r.unexplained());
            ctx.print(
                &json!({"session": id.to_string(), "status": status.code(), "business_date": s.opened.business_date.to_string(),
                        "sales": s.sales.len(), "sales_total": s.sales_total(), "refunds": s.refunds.len(), "refunds_total": s.refunds_total(),
                        "reconciliation": s.reconciliation_status().map(|r| r.code()), "expected": expected, "variance": variance, "unexplained": unexplained}),
                || {
                    let mut t = format!(
                        "Session du {} — {}\n  ventes : {} pour {}\n  remboursements : {} pour {}",
                        s.opened.business_date.format("%d/%m/%Y"),
                        status.label_fr(),
                        s.sales.len(),
                        s.sales_total(),
                        s.refunds.len(),
                        s.refunds_total()
                    );
                    if let Some(v) = &variance {
                        for (k, m) in &v.0 {
                            t.push_str(&format!("\n  écart {} : {m}", k.label_fr()));
                        }
                    }
                    if let Some(u) = &unexplained {
                        t.push_str(&format!("\n  écart non expliqué : {}", u.total()));
                    }
                    t
                },
            )
        }
        SessionCmd::List => {
            let rows = ctx.store.sessions()?;
            ctx.print(&rows, || {
                rows.iter()
                    .map(|r| {
                        format!(
                            "{} {} {} {}{}",
                            r.business_date,
                            r.register_code,
                            r.status,
                            r.id,
                            if r.duty { " (garde)" } else { "" }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
    }
}

fn tenders(list: &[String]) -> Result<Vec<pharma_core::tender::Tender>> {
    list.iter().map(|t| parse_tender(t).map_err(anyhow::Error::msg)).collect()
}

pub fn sale(ctx: &mut Ctx, a: SaleArgs) -> Result<()> {
    let actor = ctx.actor()?;
    let session = current(ctx, &a.register)?;
    let lines = scanned(ctx, &a.lines, &a.prescriber, &a.patient)?;
    let req = SaleRequest { lines, tenders: tenders(&a.tenders)? };
    let out = ctx.store.sell(&actor, session, &req)?;
    ctx.print(&out, || {
        format!("Ticket n° {} — total {} — rendu {}", out.ticket_no, out.total, out.change_due)
    })
}

#[derive(serde::Serialize)]
struct QuoteOut {
    total: pharma_core::money::Money,
}

pub fn quote(ctx: &mut Ctx, a: QuoteArgs) -> Result<()> {
    let actor = ctx.actor()?;
    let session = current(ctx, &a.register)?;
    let lines = scanned(ctx, &a.lines, &a.prescriber, &a.patient)?;
    let out = QuoteOut { total: ctx.store.quote_sale(&actor, session, &lines)? };
    ctx.print(&out, || format!("Total à payer : {}", out.total))
}

/// `BARCODE[:QTY]` lines as scanned, with the prescription for listed drugs.
fn scanned(
    ctx: &mut Ctx,
    lines: &[String],
    prescriber: &Option<String>,
    patient: &Option<String>,
) -> Result<Vec<pharma_core::cash::sale::LineRequest>> {
    let prescription = match (prescriber, patient) {
        (Some(p), Some(q)) => {
            Some(PrescriptionInput { prescriber: p.clone(), patient: q.clone(), prescribed_on: None })
        }
        (None, None) => None,
        _ => bail!("pour un produit listé, indiquez --prescriber et --patient"),
    };
    let mut scans = Vec::new();
    for l in lines {
        let (code, qty) = match l.split_once(':') {
            Some((c, q)) => {
                (c, q.trim().parse::<i64>().map_err(|_| anyhow::anyhow!("quantité invalide « {q} »"))?)
            }
            None => (l.as_str(), 1),
        };
        scans.push(ScanLine { barcode: code.to_string(), qty, prescription: prescription.clone() });
    }
    Ok(ctx.store.lines_from_scans(&scans)?)
}

pub fn refund(ctx: &mut Ctx, a: RefundArgs) -> Result<()> {
    let actor = ctx.actor()?;
    let session = current(ctx, &a.register)?;
    let r = ctx.store.register_by_code(&a.register)?;
    let original = ctx.store.sale_by_ticket(r.id, a.ticket)?;
    let mut lines = Vec::new();
    for l in &a.lines {
        let (no, qty) = match l.split_once(':') {
            Some((n, q)) => (n, Some(q)),
            None => (l.as_str(), None),
        };
        let no: usize =
            no.trim().parse().map_err(|_| anyhow::anyhow!("numéro de ligne invalide « {no} »"))?;
        let line = original
            .lines
            .get(no.wrapping_sub(1))
            .with_context(|| format!("le ticket {} n'a pas de ligne {no}", a.ticket))?;
        let qty = match qty {
            Some(q) => q.trim().parse().map_err(|_| anyhow::anyhow!("quantité invalide « {q} »"))?,
            None => line.qty,
        };
        lines.push(RefundLineRequest { sale_line_id: line.line_id, qty, restock: a.restock });
    }
    let tenders = if a.tenders.is_empty() {
        let amount = lines
            .iter()
            .filter_map(|l| {
                original.lines.iter().find(|o| o.line_id == l.sale_line_id).map(|o| o.unit_price * l.qty)
            })
            .sum();
        vec![pharma_core::tender::Tender { kind: TenderKind::Cash, amount, reference: None }]
    } else {
        tenders(&a.tenders)?
    };
    let req = RefundRequest { lines, tenders, reason: a.reason };
    let out = ctx.store.refund(&actor, session, &original, &req)?;
    ctx.print(
        &json!({"ticket": out.ticket_no, "total": out.total, "original_ticket": out.original_ticket_no}),
        || {
            format!(
                "Remboursement n° {} (ticket d'origine {}) : {}",
                out.ticket_no, out.original_ticket_no, out.total
            )
        },
    )
}

pub fn cash_move(ctx: &mut Ctx, a: CashMoveArgs) -> Result<()> {
    let actor = ctx.actor()?;
    let session = current(ctx, &a.register)?;
    let kind = match a.direction.as_str() {
        "in" | "entree" | "entrée" => CashMoveKind::PayIn,
        "out" | "sortie" => CashMoveKind::PayOut,
        d => bail!("sens inconnu « {d} » : in ou out"),
    };
    let m = ctx.store.cash_move(&actor, session, kind, parse_mad(&a.amount)?, &a.reason)?;
    ctx.print(&m, || {
        format!(
            "{} de {} enregistrée.",
            if kind == CashMoveKind::PayIn { "Entrée" } else { "Sortie" },
            m.amount
        )
    })
}

pub fn reconcile(ctx: &mut Ctx, c: ReconcileCmd) -> Result<()> {
    match c {
        ReconcileCmd::Count { register, cash, card, mobile_wallet, customer_credit, other } => {
            let actor = ctx.actor()?;
            let id = current(ctx, &register)?;
            let cash = DenominationCount::parse(&cash)?;
            let mut others = TenderTotals::default();
            for (k, v) in [
                (TenderKind::Card, card),
                (TenderKind::MobileWallet, mobile_wallet),
                (TenderKind::CustomerCredit, customer_credit),
                (TenderKind::Other, other),
            ] {
                if let Some(v) = v {
                    others.add(k, parse_mad(&v)?);
                }
            }
            ctx.store.count_cash(&actor, id, cash, others)?;
            let s = ctx.store.session_state(id)?;
            let v = s.reconciliation().and_then(|r| r.variance()).unwrap_or_default();
            ctx.print(&json!({"variance": v}), || {
                let mut t = String::from("Comptage enregistré.");
                for (k, m) in &v.0 {
                    let sign = if m.is_positive() {
                        "excédent"
                    } else if m.is_negative() {
                        "manque"
                    } else {
                        "juste"
                    };
                    t.push_str(&format!("\n  {} : {m} ({sign})", k.label_fr()));
                }
                t
            })
        }
        ReconcileCmd::Step { register, kind, amount, tender, description } => {
            let actor = ctx.actor()?;
            let id = current(ctx, &register)?;
            let kind = match kind.as_str() {
                "adjustment" => StepKind::Adjustment,
                "transaction_fix" => StepKind::TransactionFix,
                "escalation" => StepKind::Escalation,
                "write_off" => StepKind::WriteOff,
                k => {
                    bail!("type d'étape inconnu « {k} » (adjustment, transaction_fix, escalation, write_off)")
                }
            };
            let input =
                StepInput { kind, tender: tender.parse()?, amount_impact: parse_mad(&amount)?, description };
            ctx.store.reconcile_step(&actor, id, input)?;
            let s = ctx.store.session_state(id)?;
            let left =
                s.reconciliation().and_then(|r| r.unexplained()).map(|u| u.total()).unwrap_or_default();
            ctx.print(&json!({"unexplained": left}), || {
                format!("Étape enregistrée ; reste à expliquer : {left}")
            })
        }
        ReconcileCmd::Submit { register } => {
            let actor = ctx.actor()?;
            let id = current(ctx, &register)?;
            let escalated = ctx.store.submit_reconciliation(&actor, id)?;
            ctx.print(&json!({"escalated": escalated}), || {
                if escalated {
                    "Rapprochement soumis : l'écart dépasse le seuil, l'approbation d'un gérant est requise."
                        .into()
                } else {
                    "Rapprochement validé : session clôturée.".into()
                }
            })
        }
        ReconcileCmd::Approve { register } => {
            let actor = ctx.actor()?;
            let id = current(ctx, &register)?;
            ctx.store.approve_reconciliation(&actor, id)?;
            ctx.print(&json!({"approved": true}), || "Rapprochement approuvé : session clôturée.".into())
        }
    }
}

pub fn z_close(ctx: &mut Ctx, a: ZCloseArgs) -> Result<()> {
    let actor = ctx.actor()?;
    let r = ctx.store.register_by_code(&a.register)?;
    let d = match date(a.date.as_deref())? {
        Some(d) => d,
        None => ctx.store.today()?,
    };
    let z = ctx.store.z_close(&actor, r.id, d)?;
    ctx.print(&z, || {
        format!(
            "Z n° {} du {} — caisse {}\n  ventes : {} pour {}\n  remboursements : {} pour {}\n  net : {}\n  grand total perpétuel : {}",
            z.z_no,
            z.business_date.format("%d/%m/%Y"),
            a.register,
            z.sales_count,
            z.sales_total,
            z.refunds_count,
            z.refunds_total,
            z.sales_total - z.refunds_total,
            z.grand_total_after
        )
    })
}

pub fn report(ctx: &mut Ctx, a: ReportArgs) -> Result<()> {
    let d = match date(a.date.as_deref())? {
        Some(d) => d,
        None => ctx.store.today()?,
    };
    let r = ctx.store.day_report(d)?;
    ctx.print(&r, || r.to_text())
}

pub fn ordonnancier(ctx: &mut Ctx, a: OrdonnancierArgs) -> Result<()> {
    let actor = ctx.actor()?;
    let today = ctx.store.today()?;
    let to = date(a.to.as_deref())?.unwrap_or(today);
    let from = date(a.from.as_deref())?.unwrap_or(to - chrono::Duration::days(30));
    let rows = ctx.store.ordonnancier(&actor, from, to)?;
    ctx.print(&rows, || {
        let mut t = format!("Ordonnancier du {} au {}", from.format("%d/%m/%Y"), to.format("%d/%m/%Y"));
        for r in &rows {
            t.push_str(&format!(
                "\n{:<10} {}  {:<40} tab. {}  qté {:>3}  {} — {}",
                r.number, r.at, r.item_name, r.schedule, r.qty, r.prescriber, r.patient
            ));
        }
        t
    })
}

pub fn narcotics(ctx: &mut Ctx) -> Result<()> {
    let actor = ctx.actor()?;
    let rows = ctx.store.narcotics_ledger(&actor)?;
    ctx.print(&rows, || {
        let mut t = String::from("Registre des stupéfiants (tableau B)");
        for r in &rows {
            t.push_str(&format!(
                "\n{}  {:<40} lot {:<12} {:>+5}  {}",
                r.at,
                r.item_name,
                r.lot_number.as_deref().unwrap_or("—"),
                r.qty,
                r.kind
            ));
        }
        t
    })
}
