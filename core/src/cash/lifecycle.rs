//! Opening and closing a session, and cash pay-ins and pay-outs.

use super::session::{SessionState, SessionStatus};
use crate::facts::{CashMoveKind, CashMoved, SessionClosed, SessionOpened};
use crate::ids::{CashMoveId, DeviceId, IdSource, RegisterId, SessionId, UserId};
use crate::money::{DenominationCount, Money};
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SessionError {
    #[error("une session est déjà ouverte sur cette caisse : clôturez-la avant d'en ouvrir une autre")]
    AlreadyOpen,
    #[error("la session est {0}")]
    NotOpen(&'static str),
    #[error("le montant doit être positif (reçu {0})")]
    Amount(Money),
    #[error("un motif est obligatoire pour une entrée ou une sortie de caisse")]
    NoReason,
    #[error("sortie de {amount} impossible : la caisse ne devrait contenir que {available} en espèces")]
    NotEnoughCash { amount: Money, available: Money },
}

#[derive(Debug)]
pub struct OpenInput {
    pub register_id: RegisterId,
    pub device_id: DeviceId,
    pub business_date: NaiveDate,
    pub duty: bool,
    pub float: DenominationCount,
    pub by: UserId,
    pub now: DateTime<Utc>,
    /// A session of this register that is not yet closed for good.
    pub register_has_open_session: bool,
}

pub fn open(input: OpenInput, ids: &mut dyn IdSource) -> Result<SessionOpened, SessionError> {
    if input.register_has_open_session {
        return Err(SessionError::AlreadyOpen);
    }
    Ok(SessionOpened {
        session_id: SessionId::new(ids),
        register_id: input.register_id,
        device_id: input.device_id,
        business_date: input.business_date,
        duty: input.duty,
        opened_by: input.by,
        opened_at: input.now,
        float: input.float,
    })
}

pub fn close(s: &SessionState, by: UserId, now: DateTime<Utc>) -> Result<SessionClosed, SessionError> {
    if s.status() != SessionStatus::Open {
        return Err(SessionError::NotOpen(s.status().label_fr()));
    }
    Ok(SessionClosed { session_id: s.opened.session_id, by, at: now, expected: s.expected() })
}

pub fn cash_move(
    s: &SessionState,
    kind: CashMoveKind,
    amount: Money,
    reason: &str,
    by: UserId,
    now: DateTime<Utc>,
    ids: &mut dyn IdSource,
) -> Result<CashMoved, SessionError> {
    if s.status() != SessionStatus::Open {
        return Err(SessionError::NotOpen(s.status().label_fr()));
    }
    if amount <= Money::ZERO || amount > super::sale::MAX_TENDER {
        return Err(SessionError::Amount(amount));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(SessionError::NoReason);
    }
    if kind == CashMoveKind::PayOut {
        let available = s.expected().get(crate::tender::TenderKind::Cash);
        if amount > available {
            return Err(SessionError::NotEnoughCash { amount, available });
        }
    }
    Ok(CashMoved {
        id: CashMoveId::new(ids),
        session_id: s.opened.session_id,
        kind,
        amount,
        reason: reason.to_string(),
        by,
        at: now,
    })
}
