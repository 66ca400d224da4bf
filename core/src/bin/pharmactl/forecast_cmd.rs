//! The demand forecast the sync server sends: reading it, judging it, ordering from it.

use crate::Ctx;
use crate::args::OrderCmd;
use anyhow::{Result, bail};
use chrono::{DateTime, Utc};
use clap::Subcommand;
use pharma_core::forecasting::Verdict;
use pharma_core::ids::ItemId;
use pharma_core::money::Money;
use pharma_core::store::{ForecastLine, ForecastView};
use serde_json::json;
use std::collections::HashMap;

#[derive(Subcommand, Debug)]
pub enum ForecastCmd {
    /// The newest forecast and what it recommends to order.
    Show {
        /// Every item of the run, not only those to order.
        #[arg(long)]
        all: bool,
    },
    /// Tell the forecast it was right, too low or too high for an item (it corrects itself).
    Feedback {
        /// The item: its id or its barcode.
        #[arg(long)]
        item: String,
        /// juste | sous (too low: we ran short) | sur (too high: boxes left over).
        #[arg(long)]
        verdict: String,
        #[arg(long, default_value = "")]
        comment: String,
    },
}

/// Supplier orders: create, submit, cancel, receive, show — or draft one from the forecast.
#[derive(Subcommand, Debug)]
pub enum OrderCommand {
    #[command(flatten)]
    Base(OrderCmd),
    /// A draft order with the newest forecast's recommended quantities.
    FromForecast {
        #[arg(long)]
        supplier: String,
        /// Only these items (id or barcode), repeatable; default: every recommendation.
        #[arg(long = "item")]
        items: Vec<String>,
    },
}

pub fn forecast(ctx: &mut Ctx, c: ForecastCmd) -> Result<()> {
    match c {
        ForecastCmd::Show { all } => show(ctx, all),
        ForecastCmd::Feedback { item, verdict, comment } => {
            let actor = ctx.actor()?;
            let item = item_id(ctx, &item)?;
            let Some(verdict) = Verdict::parse(&verdict) else {
                bail!("avis inconnu « {verdict} » : juste, sous (prévision trop basse) ou sur (trop haute)")
            };
            let id = ctx.store.forecast_feedback(&actor, item, verdict, &comment)?;
            let name: String = ctx
                .store
                .conn()
                .query_row("SELECT name FROM items WHERE id = ?1", [item.to_string()], |r| r.get(0))
                .unwrap_or_else(|_| item.to_string());
            ctx.print(&json!({"feedback": id.to_string(), "item": item.to_string(), "verdict": verdict.code()}), || {
                format!(
                    "Avis enregistré pour {name} : prévision {} ; il partira au serveur à la prochaine synchronisation.",
                    verdict.label_fr()
                )
            })
        }
    }
}

pub fn order(ctx: &mut Ctx, c: OrderCommand) -> Result<()> {
    match c {
        OrderCommand::Base(c) => crate::stock_cmd::order(ctx, c),
        OrderCommand::FromForecast { supplier, items } => {
            let actor = ctx.actor()?;
            let only = match items.as_slice() {
                [] => None,
                list => Some(list.iter().map(|s| item_id(ctx, s)).collect::<Result<Vec<_>>>()?),
            };
            let id = ctx.store.order_from_forecast(&actor, &supplier, only.as_deref())?;
            let st = ctx.store.order_state(id)?;
            let names: HashMap<ItemId, String> = ctx
                .store
                .latest_forecast()?
                .map(|v| v.lines.into_iter().map(|l| (l.item_id, l.name)).collect())
                .unwrap_or_default();
            let name = |i: &ItemId| names.get(i).cloned().unwrap_or_else(|| i.to_string());
            let rows: Vec<_> = st
                .created
                .lines
                .iter()
                .enumerate()
                .map(|(i, l)| json!({"line": i + 1, "item": l.item_id.to_string(), "name": name(&l.item_id), "ordered": l.qty, "unit_cost": l.unit_cost}))
                .collect();
            let value = json!({"order": id.to_string(), "status": st.status().code(), "supplier": st.created.supplier, "total": st.total(), "lines": rows});
            ctx.print(&value, || {
                let mut t = format!(
                    "Commande {id} créée ({}) d'après la prévision — {} — total {}",
                    st.status().label_fr(),
                    st.created.supplier,
                    st.total()
                );
                for (i, l) in st.created.lines.iter().enumerate() {
                    t.push_str(&format!(
                        "\n  {}. {} : {} commandés, {} l'unité",
                        i + 1,
                        name(&l.item_id),
                        l.qty,
                        l.unit_cost
                    ));
                }
                t
            })
        }
    }
}

/// An item given as its id or as its barcode.
fn item_id(ctx: &Ctx, s: &str) -> Result<ItemId> {
    match s.parse::<ItemId>() {
        Ok(id) => Ok(id),
        Err(_) => Ok(ctx.store.item_by_barcode(s.trim())?),
    }
}

fn show(ctx: &mut Ctx, all: bool) -> Result<()> {
    let Some(mut view) = ctx.store.latest_forecast()? else {
        return ctx.print(&serde_json::Value::Null, || "Aucune prévision reçue du serveur.".into());
    };
    if !all {
        view.lines.retain(|l| l.recommended_qty > 0 && l.active);
    }
    let tz = ctx.store.pharmacy()?.tz()?;
    ctx.print(&view, || text(&view, |t| t.with_timezone(&tz).format("%d/%m/%Y à %H:%M").to_string(), all))
}

fn text(view: &ForecastView, local: impl Fn(DateTime<Utc>) -> String, all: bool) -> String {
    let r = &view.run;
    let mut t = format!(
        "Prévision du {} (modèle {}) : {} jours à couvrir (délai {} + revue {}), niveau de service {}",
        local(r.generated_at),
        r.model_version,
        r.horizon_days,
        r.lead_time_days,
        r.review_days,
        percent(r.service_level_bp)
    );
    if view.lines.is_empty() {
        t.push_str(if all { "\nAucun produit dans cette prévision." } else { "\nRien à commander." });
        return t;
    }
    t.push_str(&format!(
        "\n{:<36} {:>14} {:>6} {:>10} {:>11} {:>11}  {}",
        "Produit", "Demande prévue", "Stock", "Utilisable", "En commande", "À commander", "Explication"
    ));
    for l in &view.lines {
        t.push_str(&format!(
            "\n{:<36} {:>14} {:>6} {:>10} {:>11} {:>11}  {}",
            name(l),
            pharma_core::forecasting::boxes(l.expected.boxes()),
            l.on_hand,
            l.usable_on_hand,
            l.on_order,
            l.recommended_qty,
            l.rationale
        ));
    }
    let to_order: Vec<&ForecastLine> = view.to_order().collect();
    let cost: Money = to_order.iter().map(|l| l.unit_cost * l.recommended_qty).sum();
    t.push_str(&format!("\n{} produit(s) à commander, coût estimé {cost}", to_order.len()));
    t
}

/// The name in its column: cut to fit, marked when the item is withdrawn.
fn name(l: &ForecastLine) -> String {
    let full = if l.active { l.name.clone() } else { format!("{} (inactif)", l.name) };
    if full.chars().count() <= 36 {
        return full;
    }
    let mut cut: String = full.chars().take(35).collect();
    cut.push('…');
    cut
}

/// Basis points as a French percentage: `95 %`, `97,5 %`.
fn percent(bp: u32) -> String {
    match (bp / 100, bp % 100) {
        (whole, 0) => format!("{whole} %"),
        (whole, x) if x.is_multiple_of(10) => format!("{whole},{} %", x / 10),
        (whole, x) => format!("{whole},{x:02} %"),
    }
}
