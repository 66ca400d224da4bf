//! The counter: opening a session, selling, refunding, moving cash, closing.

use crate::cash::lifecycle::{self, OpenInput};
use crate::cash::refund::{RefundContext, RefundRequest, prepare_refund};
use crate::cash::sale::{LineRequest, PrescriptionInput, SaleContext, SaleRequest, prepare_sale};
use crate::cash::{SessionState, SessionStatus};
use crate::facts::{CashMoveKind, CashMoved, Fact, RefundRecorded, SaleRecorded};
use crate::ids::{RegisterId, SaleId, SaleLineId, SessionId};
use crate::money::{DenominationCount, Money};
use crate::people::{Actor, Permission};
use crate::store::doc::DocId;
use crate::store::error::{Result, StoreError};
use crate::store::read::parse;
use crate::store::{Batch, Store};
use crate::tender::Tender;
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

/// A line as scanned at the counter: a barcode and a quantity.
#[derive(Clone, Debug)]
pub struct ScanLine {
    pub barcode: String,
    pub qty: i64,
    pub prescription: Option<PrescriptionInput>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SaleOutcome {
    pub sale_id: SaleId,
    pub ticket_no: u64,
    pub total: Money,
    pub change_due: Money,
}

/// What pricing a sale reads from the store, read once under the write lock by a sale.
struct SaleInputs {
    register: RegisterId,
    register_code: String,
    status: SessionStatus,
    business_date: NaiveDate,
    next_ticket: u64,
    next_prescription: u64,
    items: HashMap<crate::ids::ItemId, crate::cash::sale::SellableItem>,
}

impl SaleInputs {
    fn context(
        &self,
        session: SessionId,
        actor: &Actor,
        now: chrono::DateTime<chrono::Utc>,
    ) -> SaleContext<'_> {
        SaleContext {
            session_id: session,
            register_id: self.register,
            register_code: &self.register_code,
            status: self.status,
            business_date: self.business_date,
            next_ticket: self.next_ticket,
            next_prescription: self.next_prescription,
            items: &self.items,
            by: actor.user_id,
            now,
        }
    }
}

impl Store {
    /// The state of a session, folded from its document.
    pub fn session_state(&mut self, session: SessionId) -> Result<SessionState> {
        let id = DocId::session(session);
        if !self.doc_exists(&id)? {
            return Err(StoreError::NotFound { what: "session", id: session.to_string() });
        }
        let facts: Vec<Fact> = self.doc(&id)?.facts()?.into_iter().map(|(_, f)| f).collect();
        SessionState::from_facts(&facts)
            .ok_or(StoreError::NotFound { what: "session", id: session.to_string() })
    }

    pub fn open_session(
        &mut self,
        actor: &Actor,
        register: RegisterId,
        business_date: Option<NaiveDate>,
        duty: bool,
        float: DenominationCount,
    ) -> Result<SessionId> {
        self.write(|this| {
            this.authorize(actor, Permission::OpenSession)?;
            let business_date = match business_date {
                Some(d) => d,
                None => this.today()?,
            };
            let input = OpenInput {
                register_id: register,
                device_id: this.device_id,
                business_date,
                duty,
                float,
                by: actor.user_id,
                now: this.now(),
                register_has_open_session: this.current_session(register)?.is_some(),
            };
            let opened = lifecycle::open(input, this.ids())?;
            let a = this.audit_draft(
                Some(actor),
                "session_opened",
                "cash_session",
                opened.session_id.to_string(),
                json!({"register": register.to_string(), "business_date": business_date.to_string(), "duty": duty, "float": opened.float.total()}),
            );
            let id = opened.session_id;
            this.commit(&DocId::session(id), Batch::default().fact(Fact::SessionOpened(opened)).audit(a))?;
            Ok(id)
        })
    }

    /// Resolves scanned barcodes to sale lines.
    pub fn lines_from_scans(&self, scans: &[ScanLine]) -> Result<Vec<LineRequest>> {
        scans
            .iter()
            .map(|s| {
                Ok(LineRequest {
                    item_id: self.item_by_barcode(s.barcode.trim())?,
                    qty: s.qty,
                    prescription: s.prescription.clone(),
                })
            })
            .collect()
    }

    /// Records a sale. Returns once the sale is durable.
    pub fn sell(&mut self, actor: &Actor, session: SessionId, req: &SaleRequest) -> Result<SaleOutcome> {
        self.write(|this| {
            this.authorize(actor, Permission::Sell)?;
            let inputs = this.sale_inputs(session, &req.lines)?;
            let ctx = inputs.context(session, actor, this.now());
            let sale = prepare_sale(req, &ctx, this.ids())?;
            let code = inputs.register_code.clone();
            let out = SaleOutcome {
                sale_id: sale.sale_id,
                ticket_no: sale.ticket_no,
                total: sale.total,
                change_due: sale.change_due,
            };
            let a = this.audit_draft(
                Some(actor),
                "sale_recorded",
                "sale",
                sale.sale_id.to_string(),
                json!({"register": code, "ticket": sale.ticket_no, "total": sale.total, "lines": sale.lines.len(), "change": sale.change_due}),
            );
            this.commit(&DocId::session(session), Batch::default().fact(Fact::SaleRecorded(sale)).audit(a))?;
            Ok(out)
        })
    }

    /// What a sale of `lines` would come to in `session`, priced by the very rules
    /// [`Store::sell`] applies (first-expiring lot, its sticker price): the total a counter
    /// shows before the customer pays. Nothing is written.
    pub fn quote_sale(&mut self, actor: &Actor, session: SessionId, lines: &[LineRequest]) -> Result<Money> {
        self.authorize(actor, Permission::Sell)?;
        let inputs = self.sale_inputs(session, lines)?;
        let ctx = inputs.context(session, actor, self.now());
        let req = SaleRequest { lines: lines.to_vec(), tenders: Vec::new() };
        Ok(crate::cash::sale::quote(&req, &ctx)?)
    }

    /// What pricing a sale reads from the store.
    fn sale_inputs(&self, session: SessionId, lines: &[LineRequest]) -> Result<SaleInputs> {
        let (register, status, business_date) = self.session_header(session)?;
        let mut items = HashMap::with_capacity(lines.len());
        for l in lines {
            if let Some(it) = self.sellable(l.item_id, business_date)? {
                items.insert(l.item_id, it);
            }
        }
        Ok(SaleInputs {
            register,
            register_code: self.register_code(register)?,
            status,
            business_date,
            next_ticket: self.next_ticket(register)?,
            next_prescription: self.next_prescription(register)?,
            items,
        })
    }

    /// Status, register and business date from the projection (cheap: the hot path).
    fn session_header(&self, session: SessionId) -> Result<(RegisterId, SessionStatus, NaiveDate)> {
        let row: Option<(String, String, String)> = rusqlite::OptionalExtension::optional(
            self.conn
                .prepare_cached("SELECT register_id, status, business_date FROM cash_sessions WHERE id = ?1")?
                .query_row([session.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))),
        )?;
        let (reg, status, date) =
            row.ok_or(StoreError::NotFound { what: "session", id: session.to_string() })?;
        let status = match status.as_str() {
            "open" => SessionStatus::Open,
            "pending_reconciliation" => SessionStatus::PendingReconciliation,
            _ => SessionStatus::Closed,
        };
        Ok((parse("caisse", &reg)?, status, parse("date", &date)?))
    }

    fn register_code(&self, register: RegisterId) -> Result<String> {
        let code: Option<String> = rusqlite::OptionalExtension::optional(
            self.conn
                .prepare_cached("SELECT code FROM registers WHERE id = ?1")?
                .query_row([register.to_string()], |r| r.get(0)),
        )?;
        code.ok_or(StoreError::NotFound { what: "caisse", id: register.to_string() })
    }

    /// Finds a sale by register code and ticket number.
    pub fn sale_by_ticket(&mut self, register: RegisterId, ticket: u64) -> Result<SaleRecorded> {
        let row: Option<(String, String)> = rusqlite::OptionalExtension::optional(self.conn.query_row(
            "SELECT id, session_id FROM sales WHERE register_id = ?1 AND ticket_no = ?2",
            rusqlite::params![register.to_string(), ticket as i64],
            |r| Ok((r.get(0)?, r.get(1)?)),
        ))?;
        let (sale, session) = row.ok_or(StoreError::NotFound { what: "ticket", id: ticket.to_string() })?;
        let session: SessionId = parse("session", &session)?;
        match self.doc(&DocId::session(session))?.fact(&format!("sale/{sale}"))? {
            Some(Fact::SaleRecorded(s)) => Ok(s),
            _ => Err(StoreError::NotFound { what: "vente", id: sale }),
        }
    }

    pub fn refund(
        &mut self,
        actor: &Actor,
        session: SessionId,
        original: &SaleRecorded,
        req: &RefundRequest,
    ) -> Result<RefundRecorded> {
        self.write(|this| {
            this.authorize(actor, Permission::Refund)?;
            let (register, status, business_date) = this.session_header(session)?;
            let mut already: HashMap<SaleLineId, i64> = HashMap::new();
            {
                let mut st = this.conn.prepare_cached(
                    "SELECT rl.sale_line_id, SUM(rl.qty) FROM refund_lines rl JOIN refunds r ON r.id = rl.refund_id
                     WHERE r.original_sale_id = ?1 GROUP BY rl.sale_line_id",
                )?;
                let mut rows = st.query([original.sale_id.to_string()])?;
                while let Some(r) = rows.next()? {
                    let id: String = r.get(0)?;
                    already.insert(parse("ligne", &id)?, r.get(1)?);
                }
            }
            let ctx = RefundContext {
                session_id: session,
                register_id: register,
                status,
                business_date,
                next_ticket: this.next_ticket(register)?,
                original,
                already_refunded: &already,
                by: actor.user_id,
                now: this.now(),
            };
            let refund = prepare_refund(req, &ctx, this.ids())?;
            let a = this.audit_draft(
                Some(actor),
                "refund_recorded",
                "refund",
                refund.refund_id.to_string(),
                json!({"ticket": refund.ticket_no, "original_ticket": refund.original_ticket_no, "total": refund.total, "reason": refund.reason}),
            );
            this.commit(
                &DocId::session(session),
                Batch::default().fact(Fact::RefundRecorded(refund.clone())).audit(a),
            )?;
            Ok(refund)
        })
    }

    pub fn cash_move(
        &mut self,
        actor: &Actor,
        session: SessionId,
        kind: CashMoveKind,
        amount: Money,
        reason: &str,
    ) -> Result<CashMoved> {
        self.write(|this| {
            this.authorize(actor, Permission::CashMove)?;
            let state = this.session_state(session)?;
            let now = this.now();
            let m = lifecycle::cash_move(&state, kind, amount, reason, actor.user_id, now, this.ids())?;
            let event = match kind {
                CashMoveKind::PayIn => "cash_pay_in",
                CashMoveKind::PayOut => "cash_pay_out",
            };
            let a = this.audit_draft(
                Some(actor),
                event,
                "cash_movement",
                m.id.to_string(),
                json!({"amount": amount, "reason": m.reason}),
            );
            this.commit(
                &DocId::session(session),
                Batch::default().fact(Fact::CashMoved(m.clone())).audit(a),
            )?;
            Ok(m)
        })
    }

    /// Closes the session for sales: it now waits for its reconciliation.
    pub fn close_session(&mut self, actor: &Actor, session: SessionId) -> Result<()> {
        self.write(|this| {
            this.authorize(actor, Permission::CloseSession)?;
            let state = this.session_state(session)?;
            let closed = lifecycle::close(&state, actor.user_id, this.now())?;
            let a = this.audit_draft(
                Some(actor),
                "session_closed",
                "cash_session",
                session.to_string(),
                json!({"sales": state.sales.len(), "refunds": state.refunds.len(), "expected_total": closed.expected.total()}),
            );
            this.commit(&DocId::session(session), Batch::default().fact(Fact::SessionClosed(closed)).audit(a))
        })
    }
}

/// Tenders typed on a command line: `cash:50`, `card:20,00:AUTH123`.
pub fn parse_tender(s: &str) -> std::result::Result<Tender, String> {
    let mut parts = s.splitn(3, ':');
    let kind = parts.next().unwrap_or("");
    let amount = parts.next().ok_or_else(|| format!("paiement « {s} » : attendu type:montant"))?;
    let kind = kind.parse().map_err(|e: crate::tender::UnknownTender| e.to_string())?;
    let amount = crate::money::parse_mad(amount).map_err(|e| e.to_string())?;
    Ok(Tender { kind, amount, reference: parts.next().map(str::to_string) })
}
