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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::cash::sale::MAX_TENDER;
    use crate::cash::testutil::{at, cash, close_for_good, day, drawer, opened, sale, state, totals};
    use crate::ids::SeededIds;
    use crate::tender::TenderKind;

    fn input(ids: &mut SeededIds, has_open: bool) -> OpenInput {
        OpenInput {
            register_id: RegisterId::new(ids),
            device_id: DeviceId::new(ids),
            business_date: day("2026-03-02"),
            duty: true,
            float: drawer(Money(50_000)),
            by: UserId::new(ids),
            now: at("2026-03-02T08:00:00Z"),
            register_has_open_session: has_open,
        }
    }

    /// An open session: 500 DH float and a 23,40 sale paid with 100 DH (600 − 76,60).
    fn open_session(ids: &mut SeededIds) -> SessionState {
        let register = RegisterId::new(ids);
        let o = opened(ids, register, day("2026-03-02"), Money(50_000));
        let s1 = sale(ids, &o, 1, 2_340, vec![cash(10_000)]);
        let mut s = state(o);
        s.sales.push(s1);
        s
    }

    fn mv(
        s: &SessionState,
        kind: CashMoveKind,
        amount: i64,
        reason: &str,
    ) -> Result<CashMoved, SessionError> {
        let mut ids = SeededIds::new(81);
        cash_move(s, kind, Money(amount), reason, s.opened.opened_by, at("2026-03-02T12:00:00Z"), &mut ids)
    }

    #[test]
    fn open_records_the_register_float_and_duty() {
        let mut ids = SeededIds::new(1);
        let i = input(&mut ids, false);
        let (register, by) = (i.register_id, i.by);
        let o = open(i, &mut ids).unwrap();
        assert_eq!((o.register_id, o.opened_by, o.duty), (register, by, true));
        assert_eq!(o.float.total(), Money(50_000));
        assert_eq!(o.business_date, day("2026-03-02"));
    }

    #[test]
    fn second_open_on_a_register_is_refused() {
        let mut ids = SeededIds::new(2);
        let e = open(input(&mut ids, true), &mut ids).unwrap_err();
        assert_eq!(e, SessionError::AlreadyOpen);
        assert!(e.to_string().starts_with("une session est déjà ouverte sur cette caisse"));
    }

    #[test]
    fn close_records_the_expected_totals() {
        let mut ids = SeededIds::new(3);
        let s = open_session(&mut ids);
        let c = close(&s, s.opened.opened_by, at("2026-03-02T20:00:00Z")).unwrap();
        assert_eq!(c.session_id, s.opened.session_id);
        assert_eq!(c.expected, totals(&[(TenderKind::Cash, 50_000 + 2_340)]));
    }

    #[test]
    fn close_only_an_open_session() {
        let mut ids = SeededIds::new(4);
        let mut s = open_session(&mut ids);
        let (by, now) = (s.opened.opened_by, at("2026-03-02T20:00:00Z"));
        crate::cash::testutil::close(&mut s);
        assert_eq!(close(&s, by, now), Err(SessionError::NotOpen("en attente de rapprochement")));
        close_for_good(&mut s);
        let e = close(&s, by, now).unwrap_err();
        assert_eq!(e, SessionError::NotOpen("clôturée"));
        assert_eq!(e.to_string(), "la session est clôturée");
    }

    #[test]
    fn pay_in_and_pay_out_are_recorded_with_a_trimmed_reason() {
        let mut ids = SeededIds::new(5);
        let s = open_session(&mut ids);
        let m = mv(&s, CashMoveKind::PayIn, 1_000, "  appoint de monnaie ").unwrap();
        assert_eq!(
            (m.kind, m.amount, m.reason.as_str()),
            (CashMoveKind::PayIn, Money(1_000), "appoint de monnaie")
        );
        assert_eq!(m.session_id, s.opened.session_id);
        let m = mv(&s, CashMoveKind::PayOut, 2_000, "achat de sacs").unwrap();
        assert_eq!(m.kind, CashMoveKind::PayOut);
    }

    #[test]
    fn pay_out_of_more_than_the_expected_cash_is_refused() {
        let mut ids = SeededIds::new(6);
        let mut s = open_session(&mut ids);
        // The drawer should hold 523,40: all of it may go out, not a centime more.
        assert!(mv(&s, CashMoveKind::PayOut, 52_340, "dépôt banque").is_ok());
        let e = mv(&s, CashMoveKind::PayOut, 52_341, "dépôt banque").unwrap_err();
        assert_eq!(e, SessionError::NotEnoughCash { amount: Money(52_341), available: Money(52_340) });
        // Earlier pay-outs count.
        let first = mv(&s, CashMoveKind::PayOut, 50_000, "dépôt banque").unwrap();
        s.moves.push(first);
        assert!(matches!(mv(&s, CashMoveKind::PayOut, 2_341, "x"), Err(SessionError::NotEnoughCash { .. })));
        // A pay-in is never limited by the drawer.
        assert!(mv(&s, CashMoveKind::PayIn, 1_000_000, "fonds de caisse").is_ok());
    }

    #[test]
    fn cash_move_needs_a_positive_amount() {
        let mut ids = SeededIds::new(7);
        let s = open_session(&mut ids);
        for kind in [CashMoveKind::PayIn, CashMoveKind::PayOut] {
            for bad in [0, -500, MAX_TENDER.0 + 1] {
                assert_eq!(mv(&s, kind, bad, "motif"), Err(SessionError::Amount(Money(bad))));
            }
        }
    }

    #[test]
    fn cash_move_needs_a_reason() {
        let mut ids = SeededIds::new(8);
        let s = open_session(&mut ids);
        for kind in [CashMoveKind::PayIn, CashMoveKind::PayOut] {
            assert_eq!(mv(&s, kind, 100, " \t"), Err(SessionError::NoReason));
        }
    }

    #[test]
    fn cash_move_only_in_an_open_session() {
        let mut ids = SeededIds::new(9);
        let mut s = open_session(&mut ids);
        crate::cash::testutil::close(&mut s);
        assert_eq!(
            mv(&s, CashMoveKind::PayIn, 100, "appoint"),
            Err(SessionError::NotOpen("en attente de rapprochement"))
        );
    }
}
