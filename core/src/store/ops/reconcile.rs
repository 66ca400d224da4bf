//! End of session: blind count, resolution steps, submission, approval, daily Z.

use crate::cash::SessionState;
use crate::cash::reconcile::{self, StepInput};
use crate::cash::zclose::{LastZ, ZInput, z_close};
use crate::facts::{Fact, ZClosed};
use crate::ids::{RegisterId, SessionId};
use crate::money::{DenominationCount, Money};
use crate::people::{Actor, Permission};
use crate::store::doc::DocId;
use crate::store::error::Result;
use crate::store::read::parse;
use crate::store::{Batch, Store};
use crate::tender::TenderTotals;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use serde_json::json;

impl Store {
    /// Records the blind count. The expected totals are not returned: the counter only
    /// sees the variance once the count is in.
    pub fn count_cash(
        &mut self,
        actor: &Actor,
        session: SessionId,
        cash: DenominationCount,
        other: TenderTotals,
    ) -> Result<()> {
        self.write(|this| {
            this.authorize(actor, Permission::CountCash)?;
            let state = this.session_state(session)?;
            let now = this.now();
            let c = reconcile::count(&state, cash, other, actor.user_id, now, this.ids())?;
            let a = this.audit_draft(
                Some(actor),
                "cash_counted",
                "cash_session",
                session.to_string(),
                json!({"cash": c.cash.total(), "other": c.other}),
            );
            this.commit(&DocId::session(session), Batch::default().fact(Fact::CashCounted(c)).audit(a))
        })
    }

    pub fn reconcile_step(&mut self, actor: &Actor, session: SessionId, input: StepInput) -> Result<()> {
        self.write(|this| {
            this.authorize(actor, Permission::ReconcileStep)?;
            let state = this.session_state(session)?;
            let now = this.now();
            let s = reconcile::step(&state, input, actor.user_id, now, this.ids())?;
            let a = this.audit_draft(
                Some(actor),
                "reconciliation_step",
                "cash_session",
                session.to_string(),
                json!({"kind": s.kind.code(), "tender": s.tender.code(), "amount": s.amount_impact, "description": s.description}),
            );
            this.commit(&DocId::session(session), Batch::default().fact(Fact::ReconciliationStep(s)).audit(a))
        })
    }

    /// Submits the reconciliation; returns true when it now waits for an approval.
    pub fn submit_reconciliation(&mut self, actor: &Actor, session: SessionId) -> Result<bool> {
        self.write(|this| {
            this.authorize(actor, Permission::SubmitReconciliation)?;
            let state = this.session_state(session)?;
            let threshold = this.pharmacy()?.variance_threshold;
            let sub = reconcile::submit(&state, threshold, actor.user_id, this.now())?;
            let escalated = sub.escalated;
            let a = this.audit_draft(
                Some(actor),
                if escalated { "reconciliation_escalated" } else { "reconciliation_closed" },
                "cash_session",
                session.to_string(),
                json!({"variance": sub.variance, "escalated": escalated}),
            );
            this.commit(
                &DocId::session(session),
                Batch::default().fact(Fact::ReconciliationSubmitted(sub)).audit(a),
            )?;
            Ok(escalated)
        })
    }

    pub fn approve_reconciliation(&mut self, actor: &Actor, session: SessionId) -> Result<()> {
        self.write(|this| {
            this.authorize(actor, Permission::ApproveReconciliation)?;
            let state = this.session_state(session)?;
            let ap = reconcile::approve(&state, actor.user_id, actor.role, this.now())?;
            let a = this.audit_draft(
                Some(actor),
                "reconciliation_approved",
                "cash_session",
                session.to_string(),
                json!({}),
            );
            this.commit(
                &DocId::session(session),
                Batch::default().fact(Fact::ReconciliationApproved(ap)).audit(a),
            )
        })
    }

    /// The daily Z of a register for a business date.
    pub fn z_close(
        &mut self,
        actor: &Actor,
        register: RegisterId,
        business_date: NaiveDate,
    ) -> Result<ZClosed> {
        self.write(|this| {
            this.authorize(actor, Permission::ZClose)?;
            let ids: Vec<String> = {
                let mut st = this.conn.prepare(
                    "SELECT id FROM cash_sessions WHERE register_id = ?1 AND business_date = ?2 ORDER BY opened_at, id",
                )?;
                st.query_map(params![register.to_string(), business_date.to_string()], |r| r.get(0))?
                    .collect::<std::result::Result<_, _>>()?
            };
            let mut sessions: Vec<SessionState> = Vec::new();
            for id in ids {
                sessions.push(this.session_state(parse("session", &id)?)?);
            }
            let last: Option<(i64, i64)> = this
                .conn
                .query_row(
                    "SELECT z_no, grand_total_after FROM z_closings WHERE register_id = ?1 ORDER BY z_no DESC LIMIT 1",
                    [register.to_string()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let already: bool = this
                .conn
                .prepare("SELECT 1 FROM z_closings WHERE register_id = ?1 AND business_date = ?2")?
                .exists(params![register.to_string(), business_date.to_string()])?;
            let input = ZInput {
                register_id: register,
                business_date,
                sessions: &sessions,
                last: last.map(|(n, g)| LastZ { z_no: n as u64, grand_total: Money(g) }).unwrap_or_default(),
                date_already_closed: already,
                by: actor.user_id,
                at: this.now(),
            };
            let z = z_close(input, this.ids())?;
            let a = this.audit_draft(
                Some(actor),
                "z_closed",
                "z_closing",
                z.id.to_string(),
                json!({"z_no": z.z_no, "business_date": z.business_date.to_string(), "net": z.sales_total - z.refunds_total, "grand_total": z.grand_total_after}),
            );
            this.commit(&DocId::z(z.id), Batch::default().fact(Fact::ZClosed(z.clone())).audit(a))?;
            Ok(z)
        })
    }
}
