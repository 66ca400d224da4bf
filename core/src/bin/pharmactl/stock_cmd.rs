//! Stock, orders, audit, rebuild and export commands.

use crate::Ctx;
use crate::args::*;
use crate::out::date;
use anyhow::{Context, Result, bail};
use pharma_core::audit::verify_all;
use pharma_core::facts::AdjustReason;
use pharma_core::ids::OrderId;
use pharma_core::money::parse_mad;
use pharma_core::store::{OrderLineInput, ReceiveLine, Store, rebuild_into};
use serde_json::json;
use std::path::Path;

pub fn stock(ctx: &mut Ctx, c: StockCmd) -> Result<()> {
    match c {
        StockCmd::Count { barcode, counted } => {
            let actor = ctx.actor()?;
            let item = ctx.store.item_by_barcode(&barcode)?;
            let mut lines = Vec::new();
            for c in &counted {
                let (lot, qty) =
                    c.split_once('=').with_context(|| format!("« {c} » : attendu LOT=QUANTITÉ"))?;
                let qty: i64 =
                    qty.trim().parse().map_err(|_| anyhow::anyhow!("quantité invalide « {qty} »"))?;
                lines.push((lot.trim().to_string(), qty));
            }
            let id = ctx.store.stock_count(&actor, item, &lines)?;
            let on_hand = ctx.store.item_on_hand(item)?;
            ctx.print(&json!({"count": id.to_string(), "on_hand": on_hand}), || {
                format!("Inventaire enregistré ; stock : {on_hand}")
            })
        }
        StockCmd::Adjust { barcode, lot, delta, reason, note } => {
            let actor = ctx.actor()?;
            let item = ctx.store.item_by_barcode(&barcode)?;
            let reason = match reason.as_str() {
                "damage" | "casse" => AdjustReason::Damage,
                "expiry" | "peremption" | "péremption" => AdjustReason::Expiry,
                "correction" => AdjustReason::Correction,
                "recall" | "rappel" => AdjustReason::Recall,
                r => bail!(
                    "motif inconnu « {r} » (damage, expiry, correction, recall ; un inventaire passe par `stock count`)"
                ),
            };
            ctx.store.stock_adjust(&actor, item, &lot, delta, reason, &note)?;
            let on_hand = ctx.store.item_on_hand(item)?;
            ctx.print(&json!({"on_hand": on_hand}), || format!("Ajustement enregistré ; stock : {on_hand}"))
        }
        StockCmd::Opening { barcode, lot, expiry, qty, cost } => {
            let actor = ctx.actor()?;
            let item = ctx.store.item_by_barcode(&barcode)?;
            let expiry = date(Some(&expiry))?.context("date de péremption requise")?;
            ctx.store.opening_stock(&actor, item, &lot, expiry, qty, parse_mad(&cost)?, None)?;
            let on_hand = ctx.store.item_on_hand(item)?;
            ctx.print(&json!({"on_hand": on_hand}), || format!("Lot {lot} entré ; stock : {on_hand}"))
        }
        StockCmd::Lots { barcode } => {
            let item = ctx.store.item_by_barcode(&barcode)?;
            let lots = ctx.store.lots_of(item)?;
            ctx.print(&lots, || {
                lots.iter()
                    .map(|l| {
                        format!(
                            "{:<14} exp. {}  stock {:>5}{}",
                            l.lot_number,
                            l.expiry.format("%d/%m/%Y"),
                            l.on_hand,
                            if l.recalled { "  RAPPELÉ" } else { "" }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        StockCmd::Alerts => {
            let today = ctx.store.today()?;
            let alerts = ctx.store.alerts(today)?;
            ctx.print(&alerts, || {
                if alerts.is_empty() {
                    return "Aucune alerte de stock.".into();
                }
                alerts.iter().map(|a| a.message_fr()).collect::<Vec<_>>().join("\n")
            })
        }
    }
}

fn order_id(s: &str) -> Result<OrderId> {
    s.parse().map_err(|_| anyhow::anyhow!("identifiant de commande invalide « {s} »"))
}

pub fn order(ctx: &mut Ctx, c: OrderCmd) -> Result<()> {
    match c {
        OrderCmd::Create { supplier, expected, lines } => {
            let actor = ctx.actor()?;
            let mut input = Vec::new();
            for l in &lines {
                let parts: Vec<&str> = l.split(':').collect();
                let [code, qty, cost] = parts.as_slice() else {
                    bail!("ligne « {l} » : attendu CODE:QTÉ:COÛT")
                };
                input.push(OrderLineInput {
                    item_id: ctx.store.item_by_barcode(code)?,
                    qty: qty.trim().parse().map_err(|_| anyhow::anyhow!("quantité invalide « {qty} »"))?,
                    unit_cost: parse_mad(cost)?,
                });
            }
            let id = ctx.store.create_order(&actor, &supplier, date(expected.as_deref())?, input)?;
            ctx.print(&json!({"order": id.to_string()}), || format!("Commande {id} créée (brouillon)."))
        }
        OrderCmd::Submit { order } => {
            let actor = ctx.actor()?;
            ctx.store.submit_order(&actor, order_id(&order)?)?;
            ctx.print(&json!({"status": "submitted"}), || "Commande envoyée.".into())
        }
        OrderCmd::Cancel { order } => {
            let actor = ctx.actor()?;
            ctx.store.cancel_order(&actor, order_id(&order)?)?;
            ctx.print(&json!({"status": "cancelled"}), || "Commande annulée.".into())
        }
        OrderCmd::Receive { order, lines, confirm_over_receipt } => {
            let actor = ctx.actor()?;
            let id = order_id(&order)?;
            let st = ctx.store.order_state(id)?;
            let mut input = Vec::new();
            for l in &lines {
                let parts: Vec<&str> = l.split(':').collect();
                let [no, qty, lot, expiry] = parts.as_slice() else {
                    bail!("ligne « {l} » : attendu N°LIGNE:QTÉ:LOT:PÉREMPTION")
                };
                let no: usize =
                    no.trim().parse().map_err(|_| anyhow::anyhow!("numéro de ligne invalide « {no} »"))?;
                let line = st
                    .created
                    .lines
                    .get(no.wrapping_sub(1))
                    .with_context(|| format!("la commande n'a pas de ligne {no}"))?;
                input.push(ReceiveLine {
                    line_id: line.line_id,
                    qty: qty.trim().parse().map_err(|_| anyhow::anyhow!("quantité invalide « {qty} »"))?,
                    lot_number: lot.to_string(),
                    expiry: date(Some(expiry))?.context("date de péremption requise")?,
                    unit_cost: None,
                    sticker_price: None,
                });
            }
            ctx.store.receive_goods(&actor, id, input, confirm_over_receipt)?;
            let status = ctx.store.order_state(id)?.status();
            ctx.print(&json!({"status": status.code()}), || {
                format!("Réception enregistrée ; commande {}.", status.label_fr())
            })
        }
        OrderCmd::Show { order } => {
            let st = ctx.store.order_state(order_id(&order)?)?;
            let got = st.received();
            let rows: Vec<_> = st
                .created
                .lines
                .iter()
                .enumerate()
                .map(|(i, l)| json!({"line": i + 1, "item": l.item_id.to_string(), "ordered": l.qty, "received": got.get(&l.line_id).copied().unwrap_or(0), "unit_cost": l.unit_cost}))
                .collect();
            ctx.print(&json!({"status": st.status().code(), "supplier": st.created.supplier, "total": st.total(), "lines": rows}), || {
                let mut t = format!("Commande {} — {} — {} — total {}", order, st.created.supplier, st.status().label_fr(), st.total());
                for (i, l) in st.created.lines.iter().enumerate() {
                    t.push_str(&format!("\n  {}. {} commandés, {} reçus, {} l'unité", i + 1, l.qty, got.get(&l.line_id).copied().unwrap_or(0), l.unit_cost));
                }
                t
            })
        }
    }
}

pub fn audit(ctx: &mut Ctx, c: AuditCmd) -> Result<()> {
    match c {
        AuditCmd::Verify => {
            let entries = ctx.store.audit_entries()?;
            let n = entries.len();
            let report = verify_all(&entries);
            let broken: Vec<_> =
                report.iter().filter_map(|(d, r)| r.as_ref().err().map(|b| (d, b))).collect();
            if let Some((device, b)) = broken.first() {
                bail!(
                    "journal d'audit altéré (appareil {device}) : {} — entrée n° {}{}",
                    b.message_fr,
                    b.seq,
                    b.id.map(|i| format!(" ({i})")).unwrap_or_default()
                );
            }
            ctx.print(&json!({"entries": n, "devices": report.len(), "ok": true}), || {
                format!("Journal d'audit intègre : {n} entrées, {} appareil(s).", report.len())
            })
        }
    }
}

pub fn rebuild(ctx: Ctx, db: &Path) -> Result<()> {
    let json = ctx.json;
    let before = ctx.store.export()?;
    let tmp = db.with_extension("rebuilt");
    for ext in ["", "-wal", "-shm"] {
        let p = format!("{}{ext}", tmp.display());
        let _ = std::fs::remove_file(p);
    }
    rebuild_into(&ctx.store, &tmp)?;
    let rebuilt = Store::open(&tmp)?;
    let after = rebuilt.export()?;
    drop(rebuilt);
    if before.0 != after.0 {
        let diff: Vec<&String> = before.0.keys().filter(|k| before.0.get(*k) != after.0.get(*k)).collect();
        bail!(
            "la reconstruction diffère des tables actuelles ({diff:?}) : base conservée, copie dans {}",
            tmp.display()
        );
    }
    drop(ctx);
    let backup = db.with_extension(format!(
        "avant-reconstruction-{}",
        pharma_core::clock::Clock::now(&pharma_core::clock::SystemClock).format("%Y%m%dT%H%M%S")
    ));
    std::fs::rename(db, &backup).context("sauvegarde de l'ancienne base")?;
    for ext in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
    }
    std::fs::rename(&tmp, db).context("mise en place de la base reconstruite")?;
    let tables = after.0.len();
    if json {
        println!("{}", json!({"identical": true, "tables": tables, "backup": backup.display().to_string()}));
    } else {
        println!(
            "Projections reconstruites ({tables} tables identiques) ; ancienne base : {}",
            backup.display()
        );
    }
    Ok(())
}

pub fn export(ctx: &mut Ctx, a: ExportArgs) -> Result<()> {
    let e = ctx.store.export()?;
    let text = serde_json::to_string_pretty(&e.0)?;
    match a.out {
        Some(p) => std::fs::write(&p, text).with_context(|| format!("écriture de {}", p.display()))?,
        None => crate::out::emit(&text)?,
    }
    Ok(())
}
