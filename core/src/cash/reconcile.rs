//! Reconciliation, the central end-of-session workflow.
//!
//! After closing, the drawer is counted blind (by denomination); variance per tender is
//! counted − expected (positive over, negative short). Resolution steps explain parts of
//! it. Submitting needs the unexplained variance at zero on every tender. A session whose
//! variance exceeded the pharmacy's threshold, or that someone escalated, also needs the
//! approval of a manager or owner other than the person who counted.

use super::session::{SessionState, SessionStatus};
use crate::facts::*;
use crate::ids::{CountId, IdSource, StepId, UserId};
use crate::money::{DenominationCount, Money};
use crate::people::Role;
use crate::tender::{TenderKind, TenderTotals};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReconciliationStatus {
    Draft,
    Escalated,
    Closed,
}

impl ReconciliationStatus {
    pub fn code(self) -> &'static str {
        match self {
            ReconciliationStatus::Draft => "draft",
            ReconciliationStatus::Escalated => "escalated",
            ReconciliationStatus::Closed => "closed",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Reconciliation<'a> {
    pub expected: &'a TenderTotals,
    pub count: Option<&'a CashCounted>,
    pub steps: &'a [ReconciliationStep],
}

impl Reconciliation<'_> {
    pub fn counted(&self) -> Option<TenderTotals> {
        let c = self.count?;
        let mut t = c.other.clone();
        t.0.insert(TenderKind::Cash, c.cash.total());
        Some(t)
    }

    /// counted − expected per tender; None before the count.
    pub fn variance(&self) -> Option<TenderTotals> {
        Some(self.counted()?.minus(self.expected))
    }

    /// Variance not yet explained by a step, per tender.
    pub fn unexplained(&self) -> Option<TenderTotals> {
        let mut u = self.variance()?;
        for s in self.steps {
            u.add(s.tender, -s.amount_impact);
        }
        Some(u)
    }

    pub fn is_balanced(&self) -> bool {
        self.unexplained().is_some_and(|u| u.0.values().all(|m| *m == Money::ZERO))
    }

    /// Escalated: someone asked for it, or the raw variance (any tender) or the written-off
    /// amount exceeds the pharmacy's threshold.
    pub fn needs_approval(&self, threshold: Money) -> bool {
        let escalated = self.steps.iter().any(|s| s.kind == StepKind::Escalation);
        let over = self.variance().is_some_and(|v| v.0.values().any(|m| m.abs() > threshold));
        let written_off: Money =
            self.steps.iter().filter(|s| s.kind == StepKind::WriteOff).map(|s| s.amount_impact.abs()).sum();
        escalated || over || written_off > threshold
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReconcileError {
    #[error("la session est {0} : le rapprochement n'est possible qu'après la fermeture")]
    NotPending(&'static str),
    #[error("le comptage de la caisse doit être saisi avant cette étape")]
    NotCounted,
    #[error("écart non expliqué de {0} : ajoutez des étapes de résolution avant de valider")]
    Unbalanced(Money),
    #[error("le rapprochement a déjà été soumis")]
    AlreadySubmitted,
    #[error("le rapprochement n'attend pas d'approbation")]
    NotEscalated,
    #[error("l'approbation revient à un gérant ou au titulaire")]
    ApproverRole,
    #[error("la personne qui a compté la caisse ne peut pas approuver son propre rapprochement")]
    SelfApproval,
    #[error("une étape doit avoir une description")]
    EmptyDescription,
    #[error("une étape d'ajustement ou de passage en perte doit avoir un montant non nul")]
    ZeroImpact,
    #[error("le montant d'une étape ne peut pas dépasser l'écart restant ({0})")]
    ExceedsVariance(Money),
}

fn require_pending(s: &SessionState) -> Result<(), ReconcileError> {
    match s.status() {
        SessionStatus::PendingReconciliation => {}
        other => return Err(ReconcileError::NotPending(other.label_fr())),
    }
    if s.submitted.is_some() {
        return Err(ReconcileError::AlreadySubmitted);
    }
    Ok(())
}

/// A (re)count of the drawer. The latest count before submission is the one that counts.
pub fn count(
    s: &SessionState,
    cash: DenominationCount,
    other: TenderTotals,
    by: UserId,
    at: DateTime<Utc>,
    ids: &mut dyn IdSource,
) -> Result<CashCounted, ReconcileError> {
    require_pending(s)?;
    Ok(CashCounted { id: CountId::new(ids), session_id: s.opened.session_id, by, at, cash, other })
}

#[derive(Clone, Debug)]
pub struct StepInput {
    pub kind: StepKind,
    pub tender: TenderKind,
    pub amount_impact: Money,
    pub description: String,
}

pub fn step(
    s: &SessionState,
    input: StepInput,
    by: UserId,
    at: DateTime<Utc>,
    ids: &mut dyn IdSource,
) -> Result<ReconciliationStep, ReconcileError> {
    require_pending(s)?;
    let rec = s.reconciliation().ok_or(ReconcileError::NotCounted)?;
    let unexplained = rec.unexplained().ok_or(ReconcileError::NotCounted)?;
    let description = input.description.trim().to_string();
    if description.is_empty() {
        return Err(ReconcileError::EmptyDescription);
    }
    if input.kind != StepKind::Escalation {
        if input.amount_impact == Money::ZERO && input.kind != StepKind::TransactionFix {
            return Err(ReconcileError::ZeroImpact);
        }
        let left = unexplained.get(input.tender);
        // A zero impact (a transaction fix that explains nothing by itself) has no sign.
        let same_sign = input.amount_impact == Money::ZERO
            || (left.centimes() >= 0) == (input.amount_impact.centimes() >= 0);
        if !same_sign || input.amount_impact.abs() > left.abs() {
            return Err(ReconcileError::ExceedsVariance(left));
        }
    }
    Ok(ReconciliationStep {
        id: StepId::new(ids),
        session_id: s.opened.session_id,
        kind: input.kind,
        tender: input.tender,
        amount_impact: if input.kind == StepKind::Escalation { Money::ZERO } else { input.amount_impact },
        description,
        by,
        at,
    })
}

pub fn submit(
    s: &SessionState,
    threshold: Money,
    by: UserId,
    at: DateTime<Utc>,
) -> Result<ReconciliationSubmitted, ReconcileError> {
    require_pending(s)?;
    let rec = s.reconciliation().ok_or(ReconcileError::NotCounted)?;
    let unexplained = rec.unexplained().ok_or(ReconcileError::NotCounted)?;
    let left: Money = unexplained.0.values().map(|m| m.abs()).sum();
    if left != Money::ZERO {
        // Over on one tender and short on another must not cancel out in the message.
        let net = unexplained.total();
        return Err(ReconcileError::Unbalanced(if net.abs() == left { net } else { left }));
    }
    Ok(ReconciliationSubmitted {
        session_id: s.opened.session_id,
        by,
        at,
        variance: rec.variance().unwrap_or_default(),
        escalated: rec.needs_approval(threshold),
    })
}

pub fn approve(
    s: &SessionState,
    approver: UserId,
    approver_role: Role,
    at: DateTime<Utc>,
) -> Result<ReconciliationApproved, ReconcileError> {
    let sub = s.submitted.as_ref().ok_or(ReconcileError::NotEscalated)?;
    if !sub.escalated || s.approved.is_some() {
        return Err(ReconcileError::NotEscalated);
    }
    if !matches!(approver_role, Role::Manager | Role::Owner) {
        return Err(ReconcileError::ApproverRole);
    }
    let counters = s.counts.iter().map(|c| c.by);
    if counters.chain([sub.by]).any(|u| u == approver) {
        return Err(ReconcileError::SelfApproval);
    }
    Ok(ReconciliationApproved { session_id: s.opened.session_id, by: approver, at })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "reconcile_tests.rs"]
mod tests;
