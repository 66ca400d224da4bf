//! The server process SIGKILLed while a push is in flight: after a restart the device
//! pushes again, and every change is there exactly once, consolidated exactly once.
#![allow(clippy::unwrap_used)]

mod common;

use common::device::Device;
use common::process::Spawned;
use common::*;
use pharma_core::protocol::DocChanges;
use reqwest::StatusCode;

#[tokio::test]
async fn a_push_cut_by_sigkill_is_pushed_again_and_nothing_is_lost_or_doubled() {
    let db = test_db().await;
    let tenant = pharma_sync_server::admin::create_tenant(&db.pool, "Pharmacie Atlas").await.unwrap();
    let mut counter = Device::pharmacy(91, 300);
    let all: Vec<DocChanges> = counter.all_changes();
    let total = count(&all) as u64;
    let mut killed_mid_push = 0;
    let mut credential: Option<String> = None;
    for round in 0..6u64 {
        let server = Spawned::serve(&db.url);
        let mut client = Client { base: server.base.clone(), ..Client::new_detached() };
        match &credential {
            None => {
                let code = pharma_sync_server::admin::enroll_code(&db.pool, tenant, 60).await.unwrap();
                client.enroll(&code, counter.id()).await;
                credential = client.credential.clone();
            }
            Some(c) => client.credential = Some(c.clone()),
        }
        if round < 5 {
            // The push goes out; the server is killed a few milliseconds later.
            let pusher = client.clone();
            let docs = all.clone();
            let push = tokio::spawn(async move { pusher.push(docs).await });
            tokio::time::sleep(std::time::Duration::from_millis(5 + 15 * round)).await;
            let pid = server.child.id().to_string();
            std::process::Command::new("kill").args(["-KILL", &pid]).status().unwrap();
            let mut child = server.child;
            child.wait().unwrap();
            if push.await.map(|(s, _)| s != StatusCode::OK).unwrap_or(true) {
                killed_mid_push += 1;
            }
            // Whatever happened, the raw changes are all there or none of this push is.
            let stored = table_count(&db, "changes").await as u64;
            assert!(stored == 0 || stored == total, "a push is all or nothing: {stored} of {total}");
        } else {
            let (status, body) = client.push(all.clone()).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["accepted"].as_u64().unwrap() + body["duplicates"].as_u64().unwrap(), total);
            assert!(server.terminate());
        }
    }
    assert!(killed_mid_push > 0, "at least one push must have been cut");
    assert_eq!(table_count(&db, "changes").await as u64, total);
    let export = counter.store.export().unwrap().0;
    for table in ["sales", "payments", "stock_movements", "tickets", "audit_log", "applied_facts"] {
        assert_eq!(table_count(&db, table).await, export[table].as_array().unwrap().len() as i64, "{table}");
    }
}
