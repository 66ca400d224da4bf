//! Consolidation: what devices push lands in PostgreSQL's relational tables through the
//! devices' own projection code, so the consolidated totals equal the devices' own — by
//! tender, by register, stock by lot, tickets without gaps — and a replayed push changes
//! nothing.
#![allow(clippy::unwrap_used)]

mod common;

use common::device::Device;
use common::*;
use pharma_core::protocol::DocChanges;
use pharma_sync_server::Limits;
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::BTreeMap;

/// Rows of a device export table.
fn rows<'a>(export: &'a serde_json::Map<String, Value>, table: &str) -> &'a Vec<Value> {
    export[table].as_array().unwrap()
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap()
}

async fn pg_pairs(db: &TestDb, sql: &str, tenant: uuid::Uuid) -> BTreeMap<String, i64> {
    let rows: Vec<(String, i64)> =
        sqlx_core::query_as::query_as(sql).bind(tenant).fetch_all(&db.pool).await.unwrap();
    rows.into_iter().collect()
}

#[tokio::test]
async fn consolidated_tables_equal_the_devices_facts() {
    let Setup { db, server, tenant } = setup(Limits::default()).await;
    let mut counter = Device::pharmacy(31, 30);
    let mut tablet = Device::empty(32);
    let a = enrolled(&db, &server, tenant, counter.id()).await;
    let b = enrolled(&db, &server, tenant, tablet.id()).await;
    let all = counter.all_changes();
    let (status, body) = a.push(all.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (pulled, _) = b.pull_until(None, count(&all)).await;
    tablet.apply(&pulled);
    // The tablet sells too, in the same session (its own tickets continue the register's).
    let owner = tablet.store.sign_in("fatima", "1234").unwrap();
    let before: std::collections::HashSet<Vec<u8>> =
        tablet.all_changes().into_iter().flat_map(|d| d.changes).collect();
    for k in 0..7 {
        common::device::sell(&mut tablet.store, &owner, counter.session.unwrap(), counter.items[k % 2]);
    }
    let own: Vec<DocChanges> = tablet
        .all_changes()
        .into_iter()
        .map(|d| DocChanges {
            doc_id: d.doc_id,
            changes: d.changes.into_iter().filter(|c| !before.contains(c)).collect(),
        })
        .filter(|d| !d.changes.is_empty())
        .collect();
    let (status, body) = b.push(own.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (pulled, _) = a.pull_until(None, count(&own)).await;
    counter.apply(&pulled);
    let export = counter.store.export().unwrap().0;
    assert!(export == tablet.store.export().unwrap().0, "the devices agree");

    // Sales and their totals.
    let (n, total): (i64, i64) = sqlx_core::query_as::query_as(
        "SELECT COUNT(*), COALESCE(SUM(total), 0)::bigint FROM sales WHERE tenant_id = $1",
    )
    .bind(tenant)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let sales = rows(&export, "sales");
    assert_eq!(n, sales.len() as i64);
    assert_eq!(total, sales.iter().map(|s| int(&s["total"])).sum::<i64>());
    assert_eq!(n, 37);
    // By tender.
    let pg = pg_pairs(
        &db,
        "SELECT kind || '/' || direction, SUM(amount)::bigint FROM payments WHERE tenant_id = $1 GROUP BY 1",
        tenant,
    )
    .await;
    let mut dev: BTreeMap<String, i64> = BTreeMap::new();
    for p in rows(&export, "payments") {
        *dev.entry(format!("{}/{}", p["kind"].as_str().unwrap(), p["direction"].as_str().unwrap()))
            .or_default() += int(&p["amount"]);
    }
    assert_eq!(pg, dev);
    // Stock by lot.
    let pg = pg_pairs(&db, "SELECT lot_id, on_hand FROM lot_stock WHERE tenant_id = $1", tenant).await;
    let dev: BTreeMap<String, i64> = rows(&export, "lot_stock")
        .iter()
        .map(|r| (r["lot_id"].as_str().unwrap().to_string(), int(&r["on_hand"])))
        .collect();
    assert_eq!(pg, dev);
    // Tickets per register, without a gap.
    let (count, max): (i64, i64) = sqlx_core::query_as::query_as(
        "SELECT COUNT(*), MAX(ticket_no) FROM tickets WHERE tenant_id = $1 GROUP BY register_id",
    )
    .bind(tenant)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!((count, max), (37, 37));
    // Everything else: row counts per table.
    for table in [
        "items",
        "item_prices",
        "users",
        "registers",
        "lots",
        "stock_movements",
        "audit_log",
        "cash_sessions",
        "applied_facts",
    ] {
        assert_eq!(table_count(&db, table).await, rows(&export, table).len() as i64, "{table}");
    }
    let status: (String,) =
        sqlx_core::query_as::query_as("SELECT status FROM cash_sessions WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(status.0, "open");

    // A replay of everything, from both devices, changes nothing.
    let before = table_count(&db, "stock_movements").await;
    let (status, body) = a.push(all).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["accepted"], 0);
    let (status, body) = b.push(own).await;
    assert_eq!((status, body["accepted"].as_u64()), (StatusCode::OK, Some(0)));
    assert_eq!(table_count(&db, "stock_movements").await, before);
    let again = pg_pairs(&db, "SELECT lot_id, on_hand FROM lot_stock WHERE tenant_id = $1", tenant).await;
    assert_eq!(again, dev);
}

#[tokio::test]
async fn consolidated_financial_rows_cannot_be_edited() {
    let Setup { db, server, tenant } = setup(Limits::default()).await;
    let mut counter = Device::pharmacy(41, 3);
    let a = enrolled(&db, &server, tenant, counter.id()).await;
    let (status, _) = a.push(counter.all_changes()).await;
    assert_eq!(status, StatusCode::OK);
    for sql in [
        "UPDATE sales SET total = 0",
        "DELETE FROM payments",
        "DELETE FROM audit_log",
        "UPDATE stock_movements SET qty = 0",
    ] {
        let e = sqlx_core::query::query(sql).execute(&db.pool).await.unwrap_err().to_string();
        assert!(e.contains("append-only"), "{sql}: {e}");
    }
}

#[tokio::test]
async fn a_change_that_breaks_its_documents_history_is_refused_and_quarantined() {
    use automerge::transaction::Transactable;
    let Setup { db, server, tenant } = setup(Limits::default()).await;
    let mut counter = Device::pharmacy(51, 2);
    let a = enrolled(&db, &server, tenant, counter.id()).await;
    assert_eq!(a.push(counter.all_changes()).await.0, StatusCode::OK);
    let before = (table_count(&db, "changes").await, table_count(&db, "items").await);
    // The device's actor, but a history of its own: its sequence number 1 is taken.
    let mut forged = automerge::AutoCommit::new();
    forged.set_actor(automerge::ActorId::from(counter.id().as_bytes().as_slice()));
    forged.put(automerge::ROOT, "e/item/x/name", "\"Faux\"").unwrap();
    let hash = forged.commit().unwrap();
    let bytes = forged.get_change_by_hash(&hash).unwrap().raw_bytes().to_vec();
    let (status, body) = a.push(vec![DocChanges { doc_id: "catalog".into(), changes: vec![bytes] }]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "conflicting_history");
    assert_eq!((table_count(&db, "changes").await, table_count(&db, "items").await), before);
    assert_eq!(table_count(&db, "quarantine").await, 1);
}

#[tokio::test]
async fn a_gap_in_a_devices_audit_chain_raises_an_alert_until_it_is_filled() {
    let Setup { db, server, tenant } = setup(Limits::default()).await;
    let mut counter = Device::pharmacy(61, 3);
    let a = enrolled(&db, &server, tenant, counter.id()).await;
    let all = counter.all_changes();
    // The session document arrives first: its audit entries come after the ones of the
    // settings, the catalog and the opening stock, still on their way.
    let (session, rest): (Vec<DocChanges>, Vec<DocChanges>) =
        all.into_iter().partition(|d| d.doc_id.starts_with("session/"));
    assert_eq!(a.push(session).await.0, StatusCode::OK);
    let open: Vec<(String, String)> = sqlx_core::query_as::query_as(
        "SELECT kind, subject FROM integrity_alerts WHERE tenant_id = $1 AND resolved_at IS NULL",
    )
    .bind(tenant)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(open, vec![("audit_gap".to_string(), counter.id().to_string())]);
    // The rest arrives: the gap is filled, the alert resolved (and kept for the record).
    assert_eq!(a.push(rest).await.0, StatusCode::OK);
    let (open, resolved): (i64, i64) = sqlx_core::query_as::query_as(
        "SELECT COUNT(*) FILTER (WHERE resolved_at IS NULL), COUNT(*) FILTER (WHERE resolved_at IS NOT NULL) \
         FROM integrity_alerts WHERE tenant_id = $1",
    )
    .bind(tenant)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!((open, resolved), (0, 1));
}

#[tokio::test]
async fn changes_arriving_before_the_ones_they_depend_on_wait_then_project_in_full() {
    let Setup { db, server, tenant } = setup(Limits::default()).await;
    let mut counter = Device::pharmacy(71, 8);
    let a = enrolled(&db, &server, tenant, counter.id()).await;
    let (session, rest): (Vec<DocChanges>, Vec<DocChanges>) =
        counter.all_changes().into_iter().partition(|d| d.doc_id.starts_with("session/"));
    assert_eq!(a.push(rest).await.0, StatusCode::OK);
    let s = &session[0];
    let (early, late) = s.changes.split_at(s.changes.len() / 2);
    // The second half of the session arrives first: accepted, waiting for its history.
    let (status, body) = a.push(vec![DocChanges { doc_id: s.doc_id.clone(), changes: late.to_vec() }]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(table_count(&db, "incomplete_docs").await, 1);
    assert_eq!(table_count(&db, "quarantine").await, 0);
    // The first half arrives: everything is projected, nothing twice.
    let (status, body) = a.push(vec![DocChanges { doc_id: s.doc_id.clone(), changes: early.to_vec() }]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(table_count(&db, "incomplete_docs").await, 0);
    let export = counter.store.export().unwrap().0;
    for table in ["sales", "payments", "stock_movements", "tickets", "audit_log", "applied_facts"] {
        assert_eq!(table_count(&db, table).await, rows(&export, table).len() as i64, "{table}");
    }
    let pg = pg_pairs(&db, "SELECT lot_id, on_hand FROM lot_stock WHERE tenant_id = $1", tenant).await;
    let dev: BTreeMap<String, i64> = rows(&export, "lot_stock")
        .iter()
        .map(|r| (r["lot_id"].as_str().unwrap().to_string(), int(&r["on_hand"])))
        .collect();
    assert_eq!(pg, dev);
}

/// Every consolidated table of `tenant`, rows as JSON without the tenant, sorted.
async fn dump(db: &TestDb, tenant: uuid::Uuid) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    // The device's projection tables are exactly the consolidated ones.
    for table in pharma_core::store::PROJECTIONS {
        let rows: Vec<(String,)> = sqlx_core::query_as::query_as(&format!(
            "SELECT (to_jsonb(t) - 'tenant_id')::text FROM {table} t WHERE tenant_id = $1 ORDER BY 1"
        ))
        .bind(tenant)
        .fetch_all(&db.pool)
        .await
        .unwrap();
        out.insert(table.to_string(), rows.into_iter().map(|(r,)| r).collect());
    }
    out
}

#[tokio::test]
async fn every_change_twice_and_in_any_order_gives_the_same_consolidated_tables() {
    let mut counter = Device::pharmacy(81, 12);
    let all = counter.all_changes();
    // In order, once.
    let first = setup(Limits::default()).await;
    let a = enrolled(&first.db, &first.server, first.tenant, counter.id()).await;
    assert_eq!(a.push(all.clone()).await.0, StatusCode::OK);
    let reference = dump(&first.db, first.tenant).await;
    assert!(reference["sales"].len() == 12);
    // Another server and database: one change per push, shuffled, each sent twice.
    let second = setup(Limits::default()).await;
    let b = enrolled(&second.db, &second.server, second.tenant, counter.id()).await;
    let mut singles: Vec<DocChanges> = all
        .iter()
        .flat_map(|d| {
            d.changes.iter().map(|c| DocChanges { doc_id: d.doc_id.clone(), changes: vec![c.clone()] })
        })
        .collect();
    singles.extend(singles.clone());
    let mut rng = pharma_core::rng::SplitMix64::new(8181);
    for i in (1..singles.len()).rev() {
        singles.swap(i, rng.below(i as u64 + 1) as usize);
    }
    for push in singles {
        let (status, body) = b.push(vec![push]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(table_count(&second.db, "incomplete_docs").await, 0);
    let shuffled = dump(&second.db, second.tenant).await;
    for (table, rows) in &reference {
        assert!(rows == &shuffled[table], "table {table} differs");
    }
}

#[tokio::test]
async fn an_audit_entry_that_fails_its_hash_raises_an_alert_on_ingest() {
    use automerge::transaction::Transactable;
    let Setup { db, server, tenant } = setup(Limits::default()).await;
    let mut counter = Device::pharmacy(91, 2);
    let a = enrolled(&db, &server, tenant, counter.id()).await;
    assert_eq!(a.push(counter.all_changes()).await.0, StatusCode::OK);
    // The device's last audit entry, then a forged successor whose hash is made up.
    let last = counter.store.audit_entries().unwrap().into_iter().max_by_key(|e| e.seq).unwrap();
    let mut forged = last.clone();
    forged.id = pharma_core::ids::AuditId(uuid::Uuid::from_u128(0xF0_26ED));
    forged.seq += 1;
    forged.prev_hash = last.hash.clone();
    forged.event = "cash_pay_out".into();
    forged.hash = "0".repeat(64);
    let fact = pharma_core::facts::Fact::Audit(forged.clone());
    let doc_id = pharma_core::docid::DocId::session(counter.session.unwrap());
    let history: Vec<u8> = counter.store.changes_for(&doc_id, &[]).unwrap().into_iter().flatten().collect();
    let mut doc = automerge::AutoCommit::load(&history).unwrap();
    doc.set_actor(automerge::ActorId::from(counter.id().as_bytes().as_slice()));
    doc.put(automerge::ROOT, format!("f/{}", fact.key()), serde_json::to_string(&fact).unwrap()).unwrap();
    let hash = doc.commit().unwrap();
    let bytes = doc.get_change_by_hash(&hash).unwrap().raw_bytes().to_vec();
    let (status, body) = a.push(vec![DocChanges { doc_id: doc_id.0.clone(), changes: vec![bytes] }]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let open: Vec<(String, String)> = sqlx_core::query_as::query_as(
        "SELECT kind, subject FROM integrity_alerts WHERE tenant_id = $1 AND resolved_at IS NULL",
    )
    .bind(tenant)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(open, vec![("audit_chain".to_string(), format!("{}#{}", counter.id(), forged.seq))]);
}

#[tokio::test]
async fn a_fact_reusing_an_existing_id_is_refused_not_a_server_error() {
    use automerge::transaction::Transactable;
    let Setup { db, server, tenant } = setup(Limits::default()).await;
    let mut counter = Device::pharmacy(92, 2);
    let a = enrolled(&db, &server, tenant, counter.id()).await;
    assert_eq!(a.push(counter.all_changes()).await.0, StatusCode::OK);
    // A new audit entry that carries the id of an existing one.
    let last = counter.store.audit_entries().unwrap().into_iter().max_by_key(|e| e.seq).unwrap();
    let mut copy = last.clone();
    copy.seq += 1;
    let fact = pharma_core::facts::Fact::Audit(copy);
    let doc_id = pharma_core::docid::DocId::session(counter.session.unwrap());
    let history: Vec<u8> = counter.store.changes_for(&doc_id, &[]).unwrap().into_iter().flatten().collect();
    let mut doc = automerge::AutoCommit::load(&history).unwrap();
    doc.set_actor(automerge::ActorId::from(counter.id().as_bytes().as_slice()));
    doc.put(automerge::ROOT, format!("f/{}", fact.key()), serde_json::to_string(&fact).unwrap()).unwrap();
    let hash = doc.commit().unwrap();
    let bytes = doc.get_change_by_hash(&hash).unwrap().raw_bytes().to_vec();
    let before = table_count(&db, "changes").await;
    let (status, body) = a.push(vec![DocChanges { doc_id: doc_id.0.clone(), changes: vec![bytes] }]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "conflicting_fact");
    assert_eq!(table_count(&db, "changes").await, before);
    assert_eq!(table_count(&db, "quarantine").await, 1);
}
