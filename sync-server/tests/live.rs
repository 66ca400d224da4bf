//! The live WebSocket: a device hears about another device's push, across two server
//! instances sharing one database; never its own pushes, never another pharmacy's.
#![allow(clippy::unwrap_used)]

mod common;

use common::device::Device;
use common::ws::{self, Socket, next_event};
use common::*;
use futures_util::{SinkExt, StreamExt};
use pharma_core::protocol::LiveEvent;
use pharma_sync_server::Limits;
use reqwest::StatusCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

async fn connect(
    server: &Server,
    credential: Option<&str>,
    protocol: Option<&str>,
) -> Result<Socket, WsError> {
    ws::connect(&server.ws_url("/v1/live"), credential, protocol).await
}

#[tokio::test]
async fn another_devices_push_reaches_the_live_socket_and_only_that() {
    let Setup { db, server, tenant } = setup(Limits::default()).await;
    let tenant_b = pharma_sync_server::admin::create_tenant(&db.pool, "Pharmacie B").await.unwrap();
    let mut counter = Device::pharmacy(81, 1);
    let mut other_pharmacy = Device::pharmacy(82, 1);
    let mut tablet_dev = Device::pharmacy(83, 0);
    let a = enrolled(&db, &server, tenant, counter.id()).await;
    let tablet = enrolled(&db, &server, tenant, tablet_dev.id()).await;
    let b = enrolled(&db, &server, tenant_b, other_pharmacy.id()).await;

    // Refused without a credential or with a wrong version, before any upgrade.
    match connect(&server, None, Some("1")).await {
        Err(WsError::Http(r)) => assert_eq!(r.status(), StatusCode::UNAUTHORIZED),
        other => panic!("{other:?}"),
    }
    match connect(&server, tablet.credential.as_deref(), None).await {
        Err(WsError::Http(r)) => assert_eq!(r.status(), StatusCode::UPGRADE_REQUIRED),
        other => panic!("{other:?}"),
    }

    let mut tablet_ws = connect(&server, tablet.credential.as_deref(), Some("1")).await.unwrap();
    let mut counter_ws = connect(&server, a.credential.as_deref(), Some("1")).await.unwrap();
    // Pharmacy B pushes first: the tablet must not hear of it.
    assert_eq!(b.push(other_pharmacy.all_changes()).await.0, StatusCode::OK);
    let pushed = counter.all_changes();
    assert_eq!(a.push(pushed.clone()).await.0, StatusCode::OK);
    let LiveEvent::Changed { doc_ids } = next_event(&mut tablet_ws).await;
    let mut expected: Vec<String> = pushed.iter().map(|d| d.doc_id.clone()).collect();
    expected.sort();
    assert_eq!(doc_ids, expected, "the tablet hears of pharmacy A's push, not B's");

    // The counter does not hear of its own push: the next thing it hears is the tablet's.
    let from_tablet = tablet_dev.all_changes();
    assert_eq!(tablet.push(from_tablet.clone()).await.0, StatusCode::OK);
    let LiveEvent::Changed { doc_ids } = next_event(&mut counter_ws).await;
    let mut expected: Vec<String> = from_tablet.iter().map(|d| d.doc_id.clone()).collect();
    expected.sort();
    assert_eq!(doc_ids, expected);
    let metrics = reqwest::get(server.url("/metrics")).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("pharma_sync_live_connections 2"), "{metrics}");
    counter_ws.send(Message::Ping(vec![1].into())).await.unwrap();
    tablet_ws.close(None).await.unwrap();
    drop(tablet_ws);
    server.stop().await;
    // Shutdown closes the remaining socket cleanly.
    let rest: Vec<_> = counter_ws.collect().await;
    assert!(rest.iter().all(|m| !matches!(m, Ok(Message::Text(_)))), "{rest:?}");
}

#[tokio::test]
async fn two_instances_on_one_database_push_on_one_hear_and_pull_on_the_other() {
    let db = test_db().await;
    let one = start_server(&db, Limits::default()).await;
    let two = start_server(&db, Limits::default()).await;
    let tenant = pharma_sync_server::admin::create_tenant(&db.pool, "Pharmacie Atlas").await.unwrap();
    let mut counter = Device::pharmacy(91, 5);
    let mut tablet = Device::empty(92);
    let a = enrolled(&db, &one, tenant, counter.id()).await;
    let b = enrolled(&db, &two, tenant, tablet.id()).await;

    let mut ws = connect(&two, b.credential.as_deref(), Some("1")).await.unwrap();
    let pushed = counter.all_changes();
    let n = count(&pushed);
    let started = std::time::Instant::now();
    assert_eq!(a.push(pushed).await.0, StatusCode::OK);
    let LiveEvent::Changed { doc_ids } = next_event(&mut ws).await;
    let heard = started.elapsed();
    assert!(!doc_ids.is_empty());
    let (pulled, _) = b.pull_until(None, n).await;
    tablet.apply(&pulled);
    assert!(counter.store.export().unwrap().0 == tablet.store.export().unwrap().0);
    eprintln!("push on one instance → live event on the other: {heard:?}");

    // A device may talk to either instance: the same credential works on both.
    let (pulled, _) = b.on(&one).pull_until(None, n).await;
    assert_eq!(count(&pulled), n);
    one.stop().await;
    two.stop().await;
}

#[tokio::test]
async fn a_revoked_device_loses_its_live_socket() {
    let Setup { db, server, tenant } = setup(Limits { live_auth_recheck_secs: 1, ..Limits::default() }).await;
    let device = uuid::Uuid::from_u128(0x5EC);
    let c = enrolled(&db, &server, tenant, device).await;
    let mut ws = connect(&server, c.credential.as_deref(), Some("1")).await.unwrap();
    pharma_sync_server::admin::revoke_device(&db.pool, device).await.unwrap();
    // Closed within the recheck delay (1 s here), without any event.
    let rest = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        let mut texts = 0;
        while let Some(Ok(m)) = ws.next().await {
            texts += usize::from(matches!(m, Message::Text(_)));
        }
        texts
    })
    .await
    .expect("the socket of a revoked device stays open");
    assert_eq!(rest, 0);
    server.stop().await;
}
