//! A change that is valid Automerge, signed by the pushing device's own actor, but whose
//! content does not read (an entity field that is not JSON or of the wrong type, a fact
//! that is not JSON or not a fact) is the device's fault: refused 400 `malformed_content`
//! naming the document and the key, its bytes quarantined, nothing stored, and the same
//! push retried gets the same answer. It used to be a 500 on every retry, which a device
//! retries forever, its whole outbox stuck behind one document.
#![allow(clippy::unwrap_used)]

mod common;

use automerge::transaction::Transactable;
use common::device::Device;
use common::*;
use pharma_core::docid::DocId;
use pharma_core::protocol::DocChanges;
use pharma_sync_server::Limits;
use reqwest::StatusCode;

/// One change by `device`'s actor on top of the document's history, writing `value` (a
/// string, as the store writes every field and fact) under the root key `key`.
fn raw_change(device: &mut Device, doc_id: &DocId, key: &str, value: &str) -> Vec<u8> {
    let history: Vec<u8> = device.store.changes_for(doc_id, &[]).unwrap().into_iter().flatten().collect();
    let mut doc = automerge::AutoCommit::load(&history).unwrap();
    doc.set_actor(automerge::ActorId::from(device.id().as_bytes().as_slice()));
    doc.put(automerge::ROOT, key, value).unwrap();
    let hash = doc.commit().unwrap();
    doc.get_change_by_hash(&hash).unwrap().raw_bytes().to_vec()
}

#[tokio::test]
async fn malformed_content_from_the_device_itself_is_refused_and_quarantined_not_a_server_error() {
    let Setup { db, server, tenant } = setup(Limits::default()).await;
    let mut counter = Device::pharmacy(93, 2);
    let a = enrolled(&db, &server, tenant, counter.id()).await;
    let (status, body) = a.push(counter.all_changes()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let item = counter.items[0];
    let session = DocId::session(counter.session.unwrap());
    let sale_id = uuid::Uuid::from_u128(0x5A1E);
    let cases: Vec<(DocId, String, String)> = vec![
        // A field the store always writes as JSON, written raw.
        (DocId::settings(), "e/pharmacy/legal_name".into(), "raw:42".into()),
        // A price fact that is not JSON.
        (DocId::catalog(), format!("f/price/{}", uuid::Uuid::from_u128(0x9121)), "pas du json".into()),
        // A sale fact that is JSON but not a sale: its total is text, its lines missing.
        (
            session.clone(),
            format!("f/sale/{sale_id}"),
            serde_json::json!({"type": "sale_recorded", "sale_id": sale_id, "total": "beaucoup"}).to_string(),
        ),
        // An item name that is JSON of the wrong type.
        (DocId::catalog(), format!("e/item/{item}/name"), "[]".into()),
    ];
    for (k, (doc_id, key, value)) in cases.into_iter().enumerate() {
        let bytes = raw_change(&mut counter, &doc_id, &key, &value);
        let push = vec![DocChanges { doc_id: doc_id.0.clone(), changes: vec![bytes] }];
        let changes_before = table_count(&db, "changes").await;
        let items_before = table_count(&db, "items").await;
        for attempt in 0..2 {
            let (status, body) = a.push(push.clone()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{key}, attempt {attempt}: {body}");
            assert_eq!(body["code"], "malformed_content", "{key}: {body}");
            let message = body["message"].as_str().unwrap();
            assert!(message.contains(&format!("« {} »", doc_id.0)), "{message}");
            assert!(message.contains(&format!("« {key} »")), "{message}");
            assert!(message.contains("Rien n'a été enregistré"), "{message}");
            assert_eq!(table_count(&db, "changes").await, changes_before, "{key}: nothing stored");
            assert_eq!(table_count(&db, "items").await, items_before, "{key}");
            assert_eq!(table_count(&db, "quarantine").await, (2 * k + attempt + 1) as i64, "{key}");
        }
        let (reason, kept): (String, Vec<u8>) = sqlx_core::query_as::query_as(
            "SELECT reason, bytes FROM quarantine WHERE tenant_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(tenant)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        assert!(reason.contains(&key), "{reason}");
        assert_eq!(kept, push[0].changes[0], "the offending bytes are kept");
    }
    // The pharmacy's name is still the one the device set up.
    let (name,): (String,) =
        sqlx_core::query_as::query_as("SELECT legal_name FROM pharmacy WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(name, pharma_core::store::InitPharmacy::demo().legal_name);
    // The device is not shut out: its next good change is stored.
    let owner = counter.store.sign_in("fatima", "1234").unwrap();
    let before: std::collections::HashSet<Vec<u8>> =
        counter.all_changes().into_iter().flat_map(|d| d.changes).collect();
    common::device::sell(&mut counter.store, &owner, counter.session.unwrap(), item);
    let new: Vec<DocChanges> = counter
        .all_changes()
        .into_iter()
        .map(|d| DocChanges {
            doc_id: d.doc_id,
            changes: d.changes.into_iter().filter(|c| !before.contains(c)).collect(),
        })
        .filter(|d| !d.changes.is_empty())
        .collect();
    let (status, body) = a.push(new).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["accepted"], 1);
}
