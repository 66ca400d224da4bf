//! Facts: the immutable records every aggregate document is made of.
//!
//! A fact is written once, under its own key, in the Automerge document of its aggregate
//! and never changed: sales, refunds, cash movements, counts, receipts, audit entries.
//! Because keys are unique ids, concurrent devices only ever add facts, so documents merge
//! without conflict. Mutable fields (catalog items, users, settings) are not facts: they
//! are last-writer-wins fields of the document (see `store::doc`).
//!
//! Wire rule: facts are append-only types. New variants and new optional fields may be
//! added; nothing is renamed or removed, because old documents must still project.

use crate::audit::AuditEntry;
use crate::catalog::Schedule;
use crate::ids::*;
use crate::money::{DenominationCount, Money};
use crate::tender::{Tender, TenderKind, TenderTotals};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Fact {
    PriceSet(PriceSet),
    LotCreated(LotCreated),
    SessionOpened(SessionOpened),
    SaleRecorded(SaleRecorded),
    RefundRecorded(RefundRecorded),
    CashMoved(CashMoved),
    SessionClosed(SessionClosed),
    CashCounted(CashCounted),
    ReconciliationStep(ReconciliationStep),
    ReconciliationSubmitted(ReconciliationSubmitted),
    ReconciliationApproved(ReconciliationApproved),
    ZClosed(ZClosed),
    StockCounted(StockCounted),
    StockAdjusted(StockAdjusted),
    OrderCreated(OrderCreated),
    OrderSubmitted(OrderEvent),
    OrderCancelled(OrderEvent),
    GoodsReceived(GoodsReceived),
    Audit(AuditEntry),
    ForecastRun(ForecastRun),
    ForecastIssued(ForecastIssued),
    ForecastFeedback(ForecastFeedback),
}

impl Fact {
    /// The key of the fact inside its document: unique, so merges never conflict.
    pub fn key(&self) -> String {
        match self {
            Fact::PriceSet(f) => format!("price/{}", f.id),
            Fact::LotCreated(f) => format!("lot/{}", f.lot_id),
            Fact::SessionOpened(f) => format!("opened/{}", f.session_id),
            Fact::SaleRecorded(f) => format!("sale/{}", f.sale_id),
            Fact::RefundRecorded(f) => format!("refund/{}", f.refund_id),
            Fact::CashMoved(f) => format!("cashmove/{}", f.id),
            Fact::SessionClosed(f) => format!("closed/{}", f.session_id),
            Fact::CashCounted(f) => format!("count/{}", f.id),
            Fact::ReconciliationStep(f) => format!("step/{}", f.id),
            Fact::ReconciliationSubmitted(f) => format!("submitted/{}", f.session_id),
            Fact::ReconciliationApproved(f) => format!("approved/{}", f.session_id),
            Fact::ZClosed(f) => format!("z/{}", f.id),
            Fact::StockCounted(f) => format!("stockcount/{}", f.id),
            Fact::StockAdjusted(f) => format!("adjust/{}", f.id),
            Fact::OrderCreated(f) => format!("order/{}", f.order_id),
            Fact::OrderSubmitted(f) => format!("submitted/{}", f.order_id),
            Fact::OrderCancelled(f) => format!("cancelled/{}", f.order_id),
            Fact::GoodsReceived(f) => format!("receipt/{}", f.receipt_id),
            Fact::Audit(e) => format!("audit/{}/{:012}", e.device_id, e.seq),
            Fact::ForecastRun(f) => format!("run/{}", f.run_id),
            Fact::ForecastIssued(f) => format!("forecast/{}", f.item_id),
            Fact::ForecastFeedback(f) => format!("feedback/{}", f.id),
        }
    }
}

/// An official price (PPV), dated: boxes in stock may keep their sticker price.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceSet {
    pub id: PriceId,
    pub item_id: ItemId,
    pub ppv: Money,
    pub effective_from: NaiveDate,
    pub by: Option<UserId>,
    pub at: DateTime<Utc>,
}

/// A lot enters stock (goods receipt, opening stock, a found box).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotCreated {
    pub lot_id: LotId,
    pub item_id: ItemId,
    pub lot_number: String,
    pub expiry: NaiveDate,
    /// The price printed on the boxes of this lot, when it differs from the current PPV.
    pub sticker_price: Option<Money>,
    pub unit_cost: Money,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionOpened {
    pub session_id: SessionId,
    pub register_id: RegisterId,
    pub device_id: DeviceId,
    pub business_date: NaiveDate,
    /// Night or weekend duty ("pharmacie de garde").
    pub duty: bool,
    pub opened_by: UserId,
    pub opened_at: DateTime<Utc>,
    pub float: DenominationCount,
}

/// Stock taken from one lot by a sale line (first expiry, first out).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub lot_id: LotId,
    pub qty: i64,
}

/// An ordonnancier entry: the record a listed drug needs before the sale completes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prescription {
    /// Sequential per register, e.g. `R1-000042`.
    pub number: String,
    pub prescriber: String,
    pub patient: String,
    pub prescribed_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleLine {
    pub line_id: SaleLineId,
    pub item_id: ItemId,
    /// The name as sold, so a later rename does not rewrite the ticket.
    pub name: String,
    pub qty: i64,
    pub unit_price: Money,
    /// qty × unit price, VAT included.
    pub total: Money,
    pub vat_rate_bp: u32,
    pub vat: Money,
    pub schedule: Schedule,
    pub allocations: Vec<Allocation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prescription: Option<Prescription>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleRecorded {
    pub sale_id: SaleId,
    pub session_id: SessionId,
    pub register_id: RegisterId,
    /// Gapless per register, shared with refunds.
    pub ticket_no: u64,
    pub business_date: NaiveDate,
    pub at: DateTime<Utc>,
    pub by: UserId,
    pub lines: Vec<SaleLine>,
    pub tenders: Vec<Tender>,
    pub total: Money,
    /// Always given in cash.
    pub change_due: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundLine {
    pub sale_line_id: SaleLineId,
    pub item_id: ItemId,
    pub qty: i64,
    /// Positive amount given back for this line, VAT included.
    pub amount: Money,
    pub vat_rate_bp: u32,
    pub vat: Money,
    /// Boxes put back on the shelf go back to the lots they came from.
    pub restock: Vec<Allocation>,
}

/// A refund reverses (part of) a sale; it never edits it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRecorded {
    pub refund_id: RefundId,
    pub session_id: SessionId,
    pub register_id: RegisterId,
    pub ticket_no: u64,
    pub original_sale_id: SaleId,
    pub original_ticket_no: u64,
    pub business_date: NaiveDate,
    pub at: DateTime<Utc>,
    pub by: UserId,
    pub reason: String,
    pub lines: Vec<RefundLine>,
    /// Positive amounts paid back, per tender.
    pub tenders: Vec<Tender>,
    pub total: Money,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CashMoveKind {
    PayIn,
    PayOut,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashMoved {
    pub id: CashMoveId,
    pub session_id: SessionId,
    pub kind: CashMoveKind,
    /// Positive.
    pub amount: Money,
    pub reason: String,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionClosed {
    pub session_id: SessionId,
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub expected: TenderTotals,
}

/// The blind count: the counter does not see the expected totals before counting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashCounted {
    pub id: CountId,
    pub session_id: SessionId,
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub cash: DenominationCount,
    /// Counted totals of the other tenders (card slips, wallet report…).
    pub other: TenderTotals,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    Adjustment,
    TransactionFix,
    Escalation,
    WriteOff,
}

impl StepKind {
    pub fn code(self) -> &'static str {
        match self {
            StepKind::Adjustment => "adjustment",
            StepKind::TransactionFix => "transaction_fix",
            StepKind::Escalation => "escalation",
            StepKind::WriteOff => "write_off",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconciliationStep {
    pub id: StepId,
    pub session_id: SessionId,
    pub kind: StepKind,
    pub tender: TenderKind,
    /// The part of the variance this step explains (same sign as the variance).
    pub amount_impact: Money,
    pub description: String,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconciliationSubmitted {
    pub session_id: SessionId,
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub variance: TenderTotals,
    /// True when a manager or owner other than the counter must approve.
    pub escalated: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconciliationApproved {
    pub session_id: SessionId,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

/// The daily Z closing of one register: period totals and the perpetual grand total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZClosed {
    pub id: ZCloseId,
    pub register_id: RegisterId,
    /// Gapless per register.
    pub z_no: u64,
    pub business_date: NaiveDate,
    pub sessions: Vec<SessionId>,
    pub sales_count: u64,
    pub refunds_count: u64,
    pub sales_total: Money,
    pub refunds_total: Money,
    pub by_tender: TenderTotals,
    /// VAT per rate (basis points): (base excluding VAT, VAT).
    pub vat: Vec<(u32, Money, Money)>,
    pub grand_total_before: Money,
    pub grand_total_after: Money,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustReason {
    Count,
    Damage,
    Expiry,
    Correction,
    Recall,
    OpeningStock,
}

impl AdjustReason {
    pub fn code(self) -> &'static str {
        match self {
            AdjustReason::Count => "count",
            AdjustReason::Damage => "damage",
            AdjustReason::Expiry => "expiry",
            AdjustReason::Correction => "correction",
            AdjustReason::Recall => "recall",
            AdjustReason::OpeningStock => "opening_stock",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountedLot {
    pub item_id: ItemId,
    pub lot_id: LotId,
    /// What the device believed was on the shelf when counting.
    pub expected: i64,
    pub counted: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockCounted {
    pub id: StockDocId,
    pub lines: Vec<CountedLot>,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockAdjusted {
    pub id: StockDocId,
    pub item_id: ItemId,
    pub lot_id: LotId,
    pub delta: i64,
    pub reason: AdjustReason,
    pub note: String,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub line_id: OrderLineId,
    pub item_id: ItemId,
    pub qty: i64,
    pub unit_cost: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCreated {
    pub order_id: OrderId,
    pub supplier: String,
    pub expected_on: Option<NaiveDate>,
    pub lines: Vec<OrderLine>,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderEvent {
    pub order_id: OrderId,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedLine {
    pub line_id: OrderLineId,
    pub item_id: ItemId,
    pub lot: LotCreated,
    pub qty: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoodsReceived {
    pub receipt_id: ReceiptId,
    pub order_id: OrderId,
    pub lines: Vec<ReceivedLine>,
    /// The receiver confirmed quantities beyond what was ordered.
    pub over_receipt_confirmed: bool,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::cash::testutil::{cash, cash_moved, day, opened, refund, sale};

    fn some_facts() -> Vec<Fact> {
        let mut ids = SeededIds::new(131);
        let register = RegisterId::new(&mut ids);
        let o = opened(&mut ids, register, day("2026-03-02"), Money(50_000));
        let s = sale(&mut ids, &o, 1, 1_560, vec![cash(2_000)]);
        let r = refund(&mut ids, &o, 2, &s, vec![cash(1_560)]);
        let m = cash_moved(&mut ids, &o, CashMoveKind::PayIn, 1_000);
        vec![Fact::SessionOpened(o), Fact::SaleRecorded(s), Fact::RefundRecorded(r), Fact::CashMoved(m)]
    }

    #[test]
    fn facts_round_trip_through_json_tagged_by_type() {
        let tags = ["session_opened", "sale_recorded", "refund_recorded", "cash_moved"];
        for (f, tag) in some_facts().into_iter().zip(tags) {
            let json = serde_json::to_value(&f).unwrap();
            assert_eq!(json["type"], tag);
            assert_eq!(serde_json::from_value::<Fact>(json).unwrap(), f);
        }
        let json = serde_json::to_value(&some_facts()[1]).unwrap();
        // No prescription: the field is left out, and an old document without it reads back.
        assert!(json["lines"][0].get("prescription").is_none());
    }

    #[test]
    fn fact_keys_are_unique_and_named_by_kind() {
        let facts = some_facts();
        let keys: Vec<String> = facts.iter().map(Fact::key).collect();
        let unique: std::collections::HashSet<&String> = keys.iter().collect();
        assert_eq!(unique.len(), keys.len());
        assert!(keys[0].starts_with("opened/"));
        assert!(keys[1].starts_with("sale/"));
        assert!(keys[2].starts_with("refund/"));
        assert!(keys[3].starts_with("cashmove/"));
    }

    #[test]
    fn codes_match_the_wire_names() {
        for k in [StepKind::Adjustment, StepKind::TransactionFix, StepKind::Escalation, StepKind::WriteOff] {
            assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{}\"", k.code()));
        }
        for r in [
            AdjustReason::Count,
            AdjustReason::Damage,
            AdjustReason::Expiry,
            AdjustReason::Correction,
            AdjustReason::Recall,
            AdjustReason::OpeningStock,
        ] {
            assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{}\"", r.code()));
        }
    }
}

/// One run of the demand forecast: written by the sync server, read by every device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForecastRun {
    pub run_id: ForecastRunId,
    pub generated_at: DateTime<Utc>,
    /// The first day forecast (the pharmacy's date after the last day of history).
    pub first_day: NaiveDate,
    /// Lead time + review period: the days an order placed now has to cover.
    pub horizon_days: u32,
    pub lead_time_days: u32,
    pub review_days: u32,
    /// Probability of not running out before the next delivery, in basis points.
    pub service_level_bp: u32,
    pub model_version: String,
    /// Items the run forecast (those with neither demand nor recommendation are left out).
    pub items: u32,
}

/// One item's forecast and reorder recommendation in a run (the seed's forecast snapshot).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForecastIssued {
    pub run_id: ForecastRunId,
    pub item_id: ItemId,
    pub generated_at: DateTime<Utc>,
    pub first_day: NaiveDate,
    pub horizon_days: u32,
    /// Expected demand over the horizon, after the bias correction.
    pub expected: crate::forecasting::DemandQty,
    /// 5 % and 95 % bounds of the horizon's demand.
    pub low: crate::forecasting::DemandQty,
    pub high: crate::forecasting::DemandQty,
    /// Demand at the service level: the order-up-to level before rounding.
    pub at_service_level: crate::forecasting::DemandQty,
    /// Stock on hand when the run read it, and the part of it that can sell before expiry.
    pub on_hand: i64,
    pub usable_on_hand: i64,
    pub on_order: i64,
    pub recommended_qty: i64,
    /// Most an order may hold and still sell before the expected expiry; `None`: no limit known.
    pub expiry_cap: Option<i64>,
    /// Correction from the managers' feedback, in percent (+10: forecast raised by 10 %).
    pub bias_pct: i32,
    pub method: String,
    pub demand_class: String,
    pub rationale: String,
    pub model_version: String,
}

/// A manager's verdict on a forecast: recorded, and used to correct the item's bias.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForecastFeedback {
    pub id: FeedbackId,
    pub run_id: ForecastRunId,
    pub item_id: ItemId,
    pub verdict: crate::forecasting::Verdict,
    pub comment: String,
    pub by: UserId,
    pub at: DateTime<Utc>,
}
