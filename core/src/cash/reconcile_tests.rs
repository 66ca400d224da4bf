//! Unit tests of `reconcile.rs`.

use super::*;
use crate::cash::testutil::{at, day, drawer, opened, state, totals};
use crate::ids::{RegisterId, SeededIds};
use TenderKind::{Card, Cash, MobileWallet};
use proptest::prelude::*;

const THRESHOLD: Money = Money::from_dirhams(50);

/// A closed session awaiting its reconciliation, with its people.
struct Rec {
    s: SessionState,
    ids: SeededIds,
    cashier: UserId,
    manager: UserId,
    owner: UserId,
}

impl Rec {
    fn new(expected: &[(TenderKind, i64)]) -> Self {
        let mut ids = SeededIds::new(61);
        let register = RegisterId::new(&mut ids);
        let o = opened(&mut ids, register, day("2026-03-02"), Money::ZERO);
        let cashier = o.opened_by;
        let mut s = state(o);
        s.closed = Some(SessionClosed {
            session_id: s.opened.session_id,
            by: cashier,
            at: at("2026-03-02T20:00:00Z"),
            expected: totals(expected),
        });
        let (manager, owner) = (UserId::new(&mut ids), UserId::new(&mut ids));
        Rec { s, ids, cashier, manager, owner }
    }

    fn count_by(&mut self, by: UserId, cash: i64, other: &[(TenderKind, i64)]) {
        let n = self.s.counts.len() as i64;
        let when = at("2026-03-02T20:05:00Z") + chrono::Duration::minutes(n);
        let c = count(&self.s, drawer(Money(cash)), totals(other), by, when, &mut self.ids).unwrap();
        self.s.counts.push(c);
    }

    fn count(&mut self, cash: i64, other: &[(TenderKind, i64)]) {
        self.count_by(self.cashier, cash, other);
    }

    fn step(&mut self, kind: StepKind, tender: TenderKind, amount: i64) -> Result<(), ReconcileError> {
        let input = StepInput {
            kind,
            tender,
            amount_impact: Money(amount),
            description: format!("{} {tender} {amount}", kind.code()),
        };
        let st = step(&self.s, input, self.cashier, at("2026-03-02T20:30:00Z"), &mut self.ids)?;
        self.s.steps.push(st);
        Ok(())
    }

    fn rec(&self) -> Reconciliation<'_> {
        self.s.reconciliation().unwrap()
    }

    fn submit(&mut self) -> Result<ReconciliationSubmitted, ReconcileError> {
        let sub = submit(&self.s, THRESHOLD, self.cashier, at("2026-03-02T20:40:00Z"))?;
        self.s.submitted = Some(sub.clone());
        Ok(sub)
    }

    fn approve(&mut self, by: UserId, role: Role) -> Result<(), ReconcileError> {
        let a = approve(&self.s, by, role, at("2026-03-02T21:00:00Z"))?;
        self.s.approved = Some(a);
        Ok(())
    }
}

#[test]
fn variance_is_counted_minus_expected_over_positive_short_negative() {
    let mut r = Rec::new(&[(Cash, 50_000), (Card, 30_000), (MobileWallet, 5_000)]);
    r.count(50_500, &[(Card, 29_800), (MobileWallet, 5_000)]);
    let rec = r.rec();
    assert_eq!(rec.counted().unwrap(), totals(&[(Cash, 50_500), (Card, 29_800), (MobileWallet, 5_000)]));
    assert_eq!(rec.variance().unwrap(), totals(&[(Cash, 500), (Card, -200), (MobileWallet, 0)]));
    assert!(!rec.is_balanced());
}

#[test]
fn a_tender_left_out_of_the_count_is_short_by_its_expected_amount() {
    let mut r = Rec::new(&[(Cash, 10_000), (Card, 3_000)]);
    r.count(10_000, &[]);
    assert_eq!(r.rec().variance().unwrap(), totals(&[(Cash, 0), (Card, -3_000)]));
}

#[test]
fn nothing_can_be_explained_or_submitted_before_the_count() {
    let mut r = Rec::new(&[(Cash, 10_000)]);
    assert_eq!(r.rec().variance(), None);
    assert_eq!(r.rec().unexplained(), None);
    assert!(!r.rec().is_balanced());
    assert_eq!(r.step(StepKind::Adjustment, Cash, -100), Err(ReconcileError::NotCounted));
    assert_eq!(r.submit(), Err(ReconcileError::NotCounted));
}

#[test]
fn the_latest_count_is_the_one_that_counts() {
    let mut r = Rec::new(&[(Cash, 10_000)]);
    r.count(9_000, &[]);
    r.count(10_000, &[]);
    assert_eq!(r.rec().variance().unwrap(), totals(&[(Cash, 0)]));
    assert!(r.submit().is_ok());
}

#[test]
fn unexplained_is_variance_minus_steps_per_tender() {
    let mut r = Rec::new(&[(Cash, 50_000), (Card, 30_000)]);
    r.count(49_000, &[(Card, 30_250)]);
    r.step(StepKind::TransactionFix, Cash, -600).unwrap();
    r.step(StepKind::Adjustment, Card, 250).unwrap();
    assert_eq!(r.rec().unexplained().unwrap(), totals(&[(Cash, -400), (Card, 0)]));
    r.step(StepKind::WriteOff, Cash, -400).unwrap();
    assert!(r.rec().is_balanced());
}

#[test]
fn step_exceeding_the_remaining_variance_is_refused() {
    let mut r = Rec::new(&[(Cash, 10_000)]);
    r.count(9_500, &[]);
    r.step(StepKind::Adjustment, Cash, -300).unwrap();
    assert_eq!(r.step(StepKind::Adjustment, Cash, -300), Err(ReconcileError::ExceedsVariance(Money(-200))));
    assert_eq!(
        ReconcileError::ExceedsVariance(Money(-200)).to_string(),
        "le montant d'une étape ne peut pas dépasser l'écart restant (-2,00 MAD)"
    );
    r.step(StepKind::Adjustment, Cash, -200).unwrap();
    assert_eq!(r.step(StepKind::Adjustment, Cash, -1), Err(ReconcileError::ExceedsVariance(Money::ZERO)));
}

#[test]
fn step_with_the_wrong_sign_is_refused() {
    let mut r = Rec::new(&[(Cash, 10_000), (Card, 2_000)]);
    r.count(9_500, &[(Card, 2_100)]);
    assert_eq!(r.step(StepKind::Adjustment, Cash, 100), Err(ReconcileError::ExceedsVariance(Money(-500))));
    assert_eq!(r.step(StepKind::WriteOff, Card, -100), Err(ReconcileError::ExceedsVariance(Money(100))));
    assert!(r.s.steps.is_empty());
}

#[test]
fn adjustments_and_write_offs_need_a_non_zero_amount() {
    let mut r = Rec::new(&[(Cash, 10_000)]);
    r.count(9_500, &[]);
    assert_eq!(r.step(StepKind::Adjustment, Cash, 0), Err(ReconcileError::ZeroImpact));
    assert_eq!(r.step(StepKind::WriteOff, Cash, 0), Err(ReconcileError::ZeroImpact));
}

#[test]
fn transaction_fix_may_explain_nothing_whatever_the_variance_sign() {
    for counted in [9_500, 10_000, 10_500] {
        let mut r = Rec::new(&[(Cash, 10_000)]);
        r.count(counted, &[]);
        assert_eq!(r.step(StepKind::TransactionFix, Cash, 0), Ok(()), "counted {counted}");
    }
}

#[test]
fn step_needs_a_description() {
    let mut r = Rec::new(&[(Cash, 10_000)]);
    r.count(9_500, &[]);
    let input = StepInput {
        kind: StepKind::Adjustment,
        tender: Cash,
        amount_impact: Money(-500),
        description: "  ".into(),
    };
    let e = step(&r.s, input, r.cashier, at("2026-03-02T20:30:00Z"), &mut r.ids);
    assert_eq!(e, Err(ReconcileError::EmptyDescription));
}

#[test]
fn escalation_step_explains_nothing_and_forces_approval() {
    let mut r = Rec::new(&[(Cash, 10_000)]);
    r.count(10_000, &[]);
    // Whatever amount is typed, an escalation carries no impact.
    r.step(StepKind::Escalation, Cash, 999_999).unwrap();
    assert_eq!(r.s.steps[0].amount_impact, Money::ZERO);
    assert!(r.rec().is_balanced());
    let sub = r.submit().unwrap();
    assert!(sub.escalated);
    assert_eq!(r.s.status(), SessionStatus::PendingReconciliation);
}

#[test]
fn variance_beyond_the_threshold_forces_approval() {
    // Exactly the threshold: no approval needed.
    let mut r = Rec::new(&[(Cash, 10_000)]);
    r.count(10_000 - THRESHOLD.0, &[]);
    r.step(StepKind::Adjustment, Cash, -THRESHOLD.0).unwrap();
    assert!(!r.submit().unwrap().escalated);
    // One centime more, over or short, on any tender.
    for (cash, card) in [(10_000 - THRESHOLD.0 - 1, 2_000), (10_000, 2_000 + THRESHOLD.0 + 1)] {
        let mut r = Rec::new(&[(Cash, 10_000), (Card, 2_000)]);
        r.count(cash, &[(Card, card)]);
        assert!(r.rec().needs_approval(THRESHOLD));
        let v = r.rec().variance().unwrap();
        for k in [Cash, Card] {
            if v.get(k) != Money::ZERO {
                r.step(StepKind::Adjustment, k, v.get(k).0).unwrap();
            }
        }
        let sub = r.submit().unwrap();
        assert!(sub.escalated);
        assert_eq!(sub.variance, v);
    }
}

#[test]
fn write_offs_beyond_the_threshold_force_approval() {
    // Each tender is within the threshold, but together 70 DH are written off.
    let mut r = Rec::new(&[(Cash, 10_000), (Card, 5_000)]);
    r.count(6_000, &[(Card, 2_000)]);
    assert!(!r.rec().needs_approval(THRESHOLD));
    r.step(StepKind::WriteOff, Cash, -4_000).unwrap();
    r.step(StepKind::WriteOff, Card, -3_000).unwrap();
    assert!(r.submit().unwrap().escalated);
    // The same variance explained by adjustments needs no approval.
    let mut r = Rec::new(&[(Cash, 10_000), (Card, 5_000)]);
    r.count(6_000, &[(Card, 2_000)]);
    r.step(StepKind::Adjustment, Cash, -4_000).unwrap();
    r.step(StepKind::Adjustment, Card, -3_000).unwrap();
    assert!(!r.submit().unwrap().escalated);
    assert_eq!(r.s.status(), SessionStatus::Closed);
}

#[test]
fn submit_is_refused_while_variance_is_unexplained() {
    let mut r = Rec::new(&[(Cash, 10_000)]);
    r.count(9_500, &[]);
    r.step(StepKind::Adjustment, Cash, -300).unwrap();
    let e = r.submit().unwrap_err();
    assert_eq!(e, ReconcileError::Unbalanced(Money(-200)));
    assert_eq!(
        e.to_string(),
        "écart non expliqué de -2,00 MAD : ajoutez des étapes de résolution avant de valider"
    );
    assert!(r.s.submitted.is_none());
}

#[test]
fn unbalanced_amount_does_not_cancel_out_across_tenders() {
    // 5 DH over in cash and 5 DH short on card: 10 DH are unexplained, not 0.
    let mut r = Rec::new(&[(Cash, 10_000), (Card, 2_000)]);
    r.count(10_500, &[(Card, 1_500)]);
    assert_eq!(r.submit(), Err(ReconcileError::Unbalanced(Money(1_000))));
}

#[test]
fn reconciliation_happens_only_between_close_and_submit() {
    let mut ids = SeededIds::new(62);
    let register = RegisterId::new(&mut ids);
    let open = state(opened(&mut ids, register, day("2026-03-02"), Money(10_000)));
    let by = open.opened.opened_by;
    let when = at("2026-03-02T20:00:00Z");
    let e = count(&open, drawer(Money(10_000)), TenderTotals::default(), by, when, &mut ids);
    assert_eq!(e, Err(ReconcileError::NotPending("ouverte")));
    assert_eq!(submit(&open, THRESHOLD, by, when), Err(ReconcileError::NotPending("ouverte")));

    let mut r = Rec::new(&[(Cash, 10_000)]);
    r.count(10_000, &[]);
    r.submit().unwrap();
    let when = at("2026-03-02T22:00:00Z");
    let e = count(&r.s, drawer(Money(1)), TenderTotals::default(), r.cashier, when, &mut r.ids);
    assert_eq!(e, Err(ReconcileError::NotPending("clôturée")));

    // Escalated and waiting for approval: still pending, but already submitted.
    let mut r = Rec::new(&[(Cash, 10_000)]);
    r.count(10_000, &[]);
    r.step(StepKind::Escalation, Cash, 0).unwrap();
    r.submit().unwrap();
    assert_eq!(r.submit(), Err(ReconcileError::AlreadySubmitted));
    assert_eq!(r.step(StepKind::TransactionFix, Cash, 0), Err(ReconcileError::AlreadySubmitted));
}

fn escalated() -> Rec {
    let mut r = Rec::new(&[(Cash, 50_000)]);
    r.count(40_000, &[]);
    r.step(StepKind::WriteOff, Cash, -10_000).unwrap();
    assert!(r.submit().unwrap().escalated);
    r
}

#[test]
fn approval_is_refused_to_whoever_counted() {
    let mut r = Rec::new(&[(Cash, 50_000)]);
    let manager = r.manager;
    // The manager recounted the drawer: someone else must approve.
    r.count(40_000, &[]);
    r.count_by(manager, 40_000, &[]);
    r.step(StepKind::WriteOff, Cash, -10_000).unwrap();
    r.submit().unwrap();
    assert_eq!(r.approve(manager, Role::Manager), Err(ReconcileError::SelfApproval));
    assert_eq!(r.approve(r.owner, Role::Owner), Ok(()));
}

#[test]
fn approval_is_refused_to_the_submitter() {
    let mut r = escalated();
    // The submitter (the cashier here) is refused even with a manager's role.
    assert_eq!(r.approve(r.cashier, Role::Manager), Err(ReconcileError::SelfApproval));
    assert_eq!(
        ReconcileError::SelfApproval.to_string(),
        "la personne qui a compté la caisse ne peut pas approuver son propre rapprochement"
    );
}

#[test]
fn approval_needs_a_manager_or_the_owner() {
    let mut r = escalated();
    for role in [Role::Cashier, Role::Accountant, Role::Auditor] {
        assert_eq!(r.approve(r.manager, role), Err(ReconcileError::ApproverRole), "{role:?}");
    }
    assert_eq!(r.approve(r.manager, Role::Manager), Ok(()));
}

#[test]
fn approval_is_refused_when_not_escalated_or_twice() {
    let mut r = Rec::new(&[(Cash, 10_000)]);
    r.count(10_000, &[]);
    assert_eq!(r.approve(r.manager, Role::Manager), Err(ReconcileError::NotEscalated));
    r.submit().unwrap();
    assert_eq!(r.approve(r.manager, Role::Manager), Err(ReconcileError::NotEscalated));

    let mut r = escalated();
    r.approve(r.owner, Role::Owner).unwrap();
    assert_eq!(r.approve(r.manager, Role::Manager), Err(ReconcileError::NotEscalated));
}

#[test]
fn session_is_closed_once_submitted_or_approved() {
    let mut r = Rec::new(&[(Cash, 10_000)]);
    assert_eq!(r.s.reconciliation_status(), Some(ReconciliationStatus::Draft));
    r.count(10_000, &[]);
    r.submit().unwrap();
    assert_eq!(r.s.status(), SessionStatus::Closed);
    assert_eq!(r.s.reconciliation_status(), Some(ReconciliationStatus::Closed));

    let mut r = escalated();
    assert_eq!(r.s.status(), SessionStatus::PendingReconciliation);
    assert_eq!(r.s.reconciliation_status(), Some(ReconciliationStatus::Escalated));
    r.approve(r.manager, Role::Manager).unwrap();
    assert_eq!(r.s.status(), SessionStatus::Closed);
    assert_eq!(r.s.reconciliation_status(), Some(ReconciliationStatus::Closed));
    assert_eq!(ReconciliationStatus::Escalated.code(), "escalated");
}

const KINDS: [TenderKind; 3] = [Cash, Card, MobileWallet];
const STEP_KINDS: [StepKind; 4] =
    [StepKind::Adjustment, StepKind::TransactionFix, StepKind::Escalation, StepKind::WriteOff];

proptest! {
    #[test]
    fn unexplained_is_variance_minus_steps_and_submit_needs_zero(
        expected in prop::array::uniform3(0i64..500_000),
        counted in prop::array::uniform3(0i64..500_000),
        steps in prop::collection::vec(
            (0usize..3, 0usize..4, prop_oneof![Just(0i64), Just(100i64), 0i64..=100], any::<bool>()),
            0..12,
        ),
        finish in any::<bool>(),
    ) {
        let mut r = Rec::new(&[(Cash, expected[0]), (Card, expected[1]), (MobileWallet, expected[2])]);
        r.count(counted[0], &[(Card, counted[1]), (MobileWallet, counted[2])]);
        let variance = r.rec().variance().unwrap();
        for i in 0..3 {
            prop_assert_eq!(variance.get(KINDS[i]), Money(counted[i] - expected[i]));
        }
        for (t, k, pct, overshoot) in steps {
            let (tender, kind) = (KINDS[t], STEP_KINDS[k]);
            let left = r.rec().unexplained().unwrap().get(tender);
            if overshoot && kind != StepKind::Escalation {
                // One centime beyond what is left, or the wrong sign: always refused.
                let bad = if left.is_negative() { left.0 - 1 } else { left.0 + 1 };
                prop_assert_eq!(r.step(kind, tender, bad), Err(ReconcileError::ExceedsVariance(left)));
                continue;
            }
            let amount = left.0 * pct / 100;
            match r.step(kind, tender, amount) {
                Ok(()) => prop_assert!(amount != 0 || matches!(kind, StepKind::TransactionFix | StepKind::Escalation)),
                Err(e) => {
                    prop_assert_eq!(e, ReconcileError::ZeroImpact);
                    prop_assert_eq!(amount, 0);
                }
            }
        }
        if finish {
            for tender in KINDS {
                let left = r.rec().unexplained().unwrap().get(tender);
                if left != Money::ZERO {
                    r.step(StepKind::Adjustment, tender, left.0).unwrap();
                }
            }
        }
        let unexplained = r.rec().unexplained().unwrap();
        for tender in KINDS {
            let explained: Money =
                r.s.steps.iter().filter(|s| s.tender == tender).map(|s| s.amount_impact).sum();
            prop_assert_eq!(unexplained.get(tender), variance.get(tender) - explained);
            // A step never crosses zero: what is left keeps the variance's sign.
            prop_assert!(unexplained.get(tender).abs() <= variance.get(tender).abs());
        }
        let all_zero = KINDS.iter().all(|k| unexplained.get(*k) == Money::ZERO);
        prop_assert_eq!(r.submit().is_ok(), all_zero);
        if finish {
            prop_assert!(all_zero);
        }
    }
}
