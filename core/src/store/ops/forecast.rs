//! The device's side of the demand forecast: reading the newest run the sync server sent,
//! recording a manager's verdict on it, and turning its recommendations into a draft
//! supplier order.
//!
//! The forecast documents (`forecast/<run>`) are written by the server; the device only
//! appends feedback facts to them, through [`Store::commit`] like any other write, so a
//! verdict reaches the server with the next push and corrects the item's next forecast.

use super::orders::OrderLineInput;
use crate::facts::{Fact, ForecastFeedback, ForecastRun};
use crate::forecasting::{DemandQty, Verdict};
use crate::ids::{FeedbackId, ForecastRunId, ItemId, OrderId};
use crate::money::Money;
use crate::people::{Actor, Permission};
use crate::store::doc::DocId;
use crate::store::error::{Result, StoreError};
use crate::store::read::parse;
use crate::store::{Batch, Store};
use rusqlite::{OptionalExtension, Row};
use serde::Serialize;

/// The longest comment a verdict may carry, in characters.
pub const MAX_FEEDBACK_COMMENT: usize = 500;

/// Why a forecast operation was refused. Nothing is stored when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum ForecastError {
    /// No forecast run has reached this device yet.
    #[error(
        "aucune prévision reçue du serveur : synchronisez ce poste (`pharmactl sync`) après le calcul de nuit"
    )]
    NoForecast,
    /// The item is in no run this device holds (or not among the items asked for).
    #[error("aucune prévision reçue pour le produit {item}")]
    NoForecastForItem { item: String },
    /// The newest run recommends nothing for the active items retained.
    #[error(
        "rien à commander d'après la prévision du {generated} : aucune quantité recommandée pour les produits actifs retenus"
    )]
    NothingToOrder { generated: String },
    /// A verdict's comment beyond [`MAX_FEEDBACK_COMMENT`] characters.
    #[error("commentaire trop long : {len} caractères ({max} au plus)")]
    CommentTooLong { len: usize, max: usize },
    /// Refused by the store: permission, order rules, database.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for ForecastError {
    fn from(e: rusqlite::Error) -> Self {
        ForecastError::Store(StoreError::Sqlite(e))
    }
}

/// The newest forecast run with every item it covers, as a screen shows it.
#[derive(Clone, Debug, Serialize)]
pub struct ForecastView {
    /// The run's header: when, horizon, lead time, review period, service level, model.
    pub run: ForecastRun,
    /// Items with a recommendation first (largest quantity first), then by name.
    pub lines: Vec<ForecastLine>,
}

impl ForecastView {
    /// The lines with something to order, still in display order.
    pub fn to_order(&self) -> impl Iterator<Item = &ForecastLine> {
        self.lines.iter().filter(|l| l.recommended_qty > 0 && l.active)
    }
}

/// One item of a forecast run, joined with the catalog.
#[derive(Clone, Debug, Serialize)]
pub struct ForecastLine {
    /// The item forecast.
    pub item_id: ItemId,
    /// The catalog name; a placeholder when the item has not reached this device yet.
    pub name: String,
    /// Its barcode, if it has one.
    pub barcode: Option<String>,
    /// False for an item withdrawn from the catalog (or unknown here): never ordered.
    pub active: bool,
    /// Expected demand over the horizon, after the bias correction.
    pub expected: DemandQty,
    /// 5 % and 95 % bounds of the horizon's demand.
    pub low: DemandQty,
    /// See `low`.
    pub high: DemandQty,
    /// Demand at the service level: the order-up-to level before rounding.
    pub at_service_level: DemandQty,
    /// Stock on hand when the server computed the run, and the part that sells before expiry.
    pub on_hand: i64,
    pub usable_on_hand: i64,
    /// Boxes already ordered and not yet received, when the run was computed.
    pub on_order: i64,
    /// Boxes to order now (0: nothing to order).
    pub recommended_qty: i64,
    /// Most an order may hold and still sell before expiry; `None`: no limit known.
    pub expiry_cap: Option<i64>,
    /// The correction the managers' verdicts applied, in percent.
    pub bias_pct: i32,
    /// The forecasting method chosen for the item by the backtest.
    pub method: String,
    /// Smooth, erratic, intermittent or lumpy (ADI / CV²).
    pub demand_class: String,
    /// The French explanation of the recommendation.
    pub rationale: String,
    /// The item's current purchase cost: what an order line from this forecast costs.
    pub unit_cost: Money,
    /// Stock on this device now (it moves during the day; the run's figure does not).
    pub on_hand_now: i64,
}

impl Store {
    /// The newest forecast run (by generation time) with its items, or `None` when none
    /// has arrived yet.
    pub fn latest_forecast(&self) -> Result<Option<ForecastView>> {
        let Some(run) = self.latest_run()? else { return Ok(None) };
        let mut st = self.conn.prepare_cached(
            "SELECT f.item_id, i.name, i.barcode, COALESCE(i.active, 0), f.expected_x100, f.low_x100,
                    f.high_x100, f.at_service_level_x100, f.on_hand, f.usable_on_hand, f.on_order,
                    f.recommended_qty, f.expiry_cap, f.bias_pct, f.method, f.demand_class, f.rationale,
                    COALESCE(i.unit_cost, 0), COALESCE(s.on_hand, 0)
             FROM forecast_snapshots f
             LEFT JOIN items i ON i.id = f.item_id
             LEFT JOIN item_stock s ON s.item_id = f.item_id
             WHERE f.run_id = ?1
             ORDER BY f.recommended_qty DESC, i.name IS NULL, i.name, f.item_id",
        )?;
        let mut rows = st.query([run.run_id.to_string()])?;
        let mut lines = Vec::new();
        while let Some(r) = rows.next()? {
            lines.push(forecast_line(r)?);
        }
        Ok(Some(ForecastView { run, lines }))
    }

    fn latest_run(&self) -> Result<Option<ForecastRun>> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT id, generated_at, first_day, horizon_days, lead_time_days, review_days,
                        service_level_bp, model_version, items
                 FROM forecast_runs ORDER BY generated_at DESC, id DESC LIMIT 1",
            )?
            .query_row([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, u32>(3)?,
                    r.get::<_, u32>(4)?,
                    r.get::<_, u32>(5)?,
                    r.get::<_, u32>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, u32>(8)?,
                ))
            })
            .optional()?;
        let Some((id, generated_at, first_day, horizon, lead, review, service, model, items)) = row else {
            return Ok(None);
        };
        Ok(Some(ForecastRun {
            run_id: parse("prévision", &id)?,
            generated_at: parse::<chrono::DateTime<chrono::FixedOffset>>("date", &generated_at)?.to_utc(),
            first_day: parse("date", &first_day)?,
            horizon_days: horizon,
            lead_time_days: lead,
            review_days: review,
            service_level_bp: service,
            model_version: model,
            items,
        }))
    }

    /// Records a manager's verdict on the newest forecast of `item`, in that run's
    /// document: it syncs to the server, which corrects the item's next forecasts.
    pub fn forecast_feedback(
        &mut self,
        actor: &Actor,
        item: ItemId,
        verdict: Verdict,
        comment: &str,
    ) -> Result<FeedbackId, ForecastError> {
        self.write(|this| {
            this.authorize(actor, Permission::ManageOrders)?;
            let comment = comment.trim();
            let len = comment.chars().count();
            if len > MAX_FEEDBACK_COMMENT {
                return Err(ForecastError::CommentTooLong { len, max: MAX_FEEDBACK_COMMENT });
            }
            // The snapshot's own generation time: it is indexed with the item, and a run's
            // snapshots always carry the run's time.
            let run: Option<String> = this
                .conn
                .prepare_cached(
                    "SELECT run_id FROM forecast_snapshots WHERE item_id = ?1
                     ORDER BY generated_at DESC, run_id DESC LIMIT 1",
                )?
                .query_row([item.to_string()], |r| r.get(0))
                .optional()?;
            let Some(run) = run else {
                return Err(ForecastError::NoForecastForItem { item: this.item_label(item)? });
            };
            let run_id: ForecastRunId = parse("prévision", &run)?;
            let id = FeedbackId::new(this.ids());
            let fact = ForecastFeedback {
                id,
                run_id,
                item_id: item,
                verdict,
                comment: comment.to_string(),
                by: actor.user_id,
                at: this.now(),
            };
            this.commit(&DocId::forecast(run_id), Batch::default().fact(Fact::ForecastFeedback(fact)))?;
            Ok(id)
        })
    }

    /// A draft supplier order holding the newest forecast's recommendations (only those of
    /// `only_items` when given), at each item's current unit cost. Withdrawn items are
    /// left out; it goes through [`Store::create_order`], which checks and audits.
    pub fn order_from_forecast(
        &mut self,
        actor: &Actor,
        supplier: &str,
        only_items: Option<&[ItemId]>,
    ) -> Result<OrderId, ForecastError> {
        self.authorize(actor, Permission::ManageOrders)?;
        let view = self.latest_forecast()?.ok_or(ForecastError::NoForecast)?;
        if let Some(wanted) = only_items {
            for item in wanted {
                if !view.lines.iter().any(|l| l.item_id == *item) {
                    return Err(ForecastError::NoForecastForItem { item: self.item_label(*item)? });
                }
            }
        }
        let lines: Vec<OrderLineInput> = view
            .to_order()
            .filter(|l| only_items.is_none_or(|w| w.contains(&l.item_id)))
            .map(|l| OrderLineInput { item_id: l.item_id, qty: l.recommended_qty, unit_cost: l.unit_cost })
            .collect();
        if lines.is_empty() {
            let generated = match self.pharmacy()?.tz() {
                Ok(tz) => view.run.generated_at.with_timezone(&tz).format("%d/%m/%Y").to_string(),
                Err(_) => view.run.generated_at.format("%d/%m/%Y").to_string(),
            };
            return Err(ForecastError::NothingToOrder { generated });
        }
        Ok(self.create_order(actor, supplier, None, lines)?)
    }

    /// How an item is named in a message: its catalog name, else its id.
    fn item_label(&self, item: ItemId) -> Result<String> {
        let name: Option<String> = self
            .conn
            .prepare_cached("SELECT name FROM items WHERE id = ?1")?
            .query_row([item.to_string()], |r| r.get(0))
            .optional()?;
        Ok(name.map(|n| format!("« {n} »")).unwrap_or_else(|| item.to_string()))
    }
}

fn forecast_line(r: &Row<'_>) -> Result<ForecastLine> {
    let item: String = r.get(0)?;
    let item_id: ItemId = parse("produit", &item)?;
    let qty = |i: usize| -> Result<DemandQty> { Ok(DemandQty::from_hundredths(r.get(i)?)) };
    Ok(ForecastLine {
        item_id,
        name: r.get::<_, Option<String>>(1)?.unwrap_or_else(|| format!("produit inconnu ({item})")),
        barcode: r.get(2)?,
        active: r.get(3)?,
        expected: qty(4)?,
        low: qty(5)?,
        high: qty(6)?,
        at_service_level: qty(7)?,
        on_hand: r.get(8)?,
        usable_on_hand: r.get(9)?,
        on_order: r.get(10)?,
        recommended_qty: r.get(11)?,
        expiry_cap: r.get(12)?,
        bias_pct: r.get(13)?,
        method: r.get(14)?,
        demand_class: r.get(15)?,
        rationale: r.get(16)?,
        unit_cost: Money(r.get(17)?),
        on_hand_now: r.get(18)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_read_as_french_sentences() {
        let e = ForecastError::CommentTooLong { len: 612, max: MAX_FEEDBACK_COMMENT };
        assert_eq!(e.to_string(), "commentaire trop long : 612 caractères (500 au plus)");
        assert!(ForecastError::NoForecast.to_string().starts_with("aucune prévision reçue du serveur"));
    }
}
