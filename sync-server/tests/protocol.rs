//! Enrollment, credentials, the protocol version and the limits, against a real Postgres.
#![allow(clippy::unwrap_used)]

mod common;

use common::device::Device;
use common::*;
use pharma_core::protocol::{DocChanges, EnrollRequest};
use pharma_sync_server::{Limits, admin};
use reqwest::StatusCode;
use uuid::Uuid;

#[tokio::test]
async fn an_enrollment_code_works_once_and_a_wrong_one_is_refused() {
    let db = test_db().await;
    let server = start_server(&db, Limits::default()).await;
    let (tenant, code) = tenant_with_code(&db, "Pharmacie Atlas").await;
    let mut c = Client::new(&server);

    let wrong = EnrollRequest {
        code: "AAAA-BBBB-CCCC".into(),
        device_name: "Comptoir".into(),
        device_id: Uuid::from_u128(1),
    };
    let (status, body) = c.post("/v1/enroll", &wrong).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], "enroll_code");

    // Typed in lower case, without dashes: still the code.
    let typed = code.replace('-', "").to_lowercase();
    let resp = c.enroll(&typed, Uuid::from_u128(1)).await;
    assert_eq!(resp.tenant_id, tenant);
    assert!(resp.credential.len() >= 43, "{}", resp.credential);

    let again =
        EnrollRequest { code: code.clone(), device_name: "Comptoir 2".into(), device_id: Uuid::from_u128(2) };
    let (status, body) = c.post("/v1/enroll", &again).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // Only hashes are stored.
    let stored: Vec<(Vec<u8>,)> = sqlx_core::query_as::query_as("SELECT credential_hash FROM devices")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].0.windows(8).any(|w| resp.credential.as_bytes().windows(8).any(|x| x == w)));
    server.stop().await;
}

#[tokio::test]
async fn an_expired_code_or_a_taken_device_id_is_refused_and_the_code_survives_the_latter() {
    let db = test_db().await;
    let server = start_server(&db, Limits::default()).await;
    let (tenant, code) = tenant_with_code(&db, "Pharmacie Atlas").await;
    let expired = admin::enroll_code(&db.pool, tenant, 1).await.unwrap();
    sqlx_core::query::query("UPDATE enrollment_codes SET expires_at = now() - interval '1 second' WHERE used_at IS NULL AND expires_at < now() + interval '2 minutes'")
        .execute(&db.pool)
        .await
        .unwrap();
    let mut c = Client::new(&server);
    let req = EnrollRequest { code: expired, device_name: "Comptoir".into(), device_id: Uuid::from_u128(7) };
    let (status, body) = c.post("/v1/enroll", &req).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    c.enroll(&code, Uuid::from_u128(7)).await;
    let code2 = admin::enroll_code(&db.pool, tenant, 60).await.unwrap();
    let req =
        EnrollRequest { code: code2.clone(), device_name: "Autre".into(), device_id: Uuid::from_u128(7) };
    let (status, body) = c.post("/v1/enroll", &req).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "device_exists");
    // The refused enrollment did not consume the code.
    c.enroll(&code2, Uuid::from_u128(8)).await;
    server.stop().await;
}

#[tokio::test]
async fn missing_old_or_new_protocol_versions_get_426_with_the_supported_range() {
    let s = setup(Limits::default()).await;
    let c = s.client(Uuid::from_u128(3)).await;
    let server = s.server;
    for version in [None, Some("0"), Some("2"), Some("v1")] {
        let c = Client { protocol: version.map(String::from), ..c.clone() };
        for path in ["/v1/push", "/v1/pull", "/v1/enroll"] {
            let (status, body) = c.post_raw(path, b"{}".to_vec()).await;
            assert_eq!(status, StatusCode::UPGRADE_REQUIRED, "{path} {version:?}");
            assert_eq!(body["code"], "protocol_version");
            let msg = body["message"].as_str().unwrap();
            assert!(msg.contains("versions 1 à 1"), "{msg}");
        }
    }
    // The description is readable whatever the version.
    let doc: serde_json::Value =
        reqwest::get(server.url("/v1/openapi.json")).await.unwrap().json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    server.stop().await;
}

#[tokio::test]
async fn unknown_credentials_get_401_and_a_revoked_device_403() {
    let db = test_db().await;
    let server = start_server(&db, Limits::default()).await;
    let (tenant, code) = tenant_with_code(&db, "Pharmacie Atlas").await;
    let mut c = Client::new(&server);
    let (status, _) = c.push(vec![]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    c.credential = Some("pas-un-identifiant".into());
    let (status, body) = c.post("/v1/pull", &serde_json::json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "unauthorized");

    let mut d = Device::pharmacy(11, 1);
    c.enroll(&code, d.id()).await;
    let (status, _) = c.push(d.all_changes()).await;
    assert_eq!(status, StatusCode::OK);
    let listed = admin::list_devices(&db.pool, tenant).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].last_seen_at.is_some());

    admin::revoke_device(&db.pool, d.id()).await.unwrap();
    let (status, body) = c.push(d.all_changes()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "device_revoked");
    let (status, _) = c.post("/v1/pull", &serde_json::json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    server.stop().await;
}

#[tokio::test]
async fn oversize_bodies_get_413_too_many_changes_413_and_a_flood_429_storing_nothing() {
    let limits = Limits {
        max_body_bytes: 64 * 1024,
        max_changes_per_push: 3,
        pushes_per_minute_per_device: 3,
        ..Limits::default()
    };
    let Setup { db, server, tenant } = setup(limits).await;
    let mut d = Device::pharmacy(12, 0);
    let c = enrolled(&db, &server, tenant, d.id()).await;

    let big = vec![DocChanges { doc_id: "catalog".into(), changes: vec![vec![0u8; 100 * 1024]] }];
    let (status, body) = c.push(big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["code"], "body_too_large");

    let all = d.all_changes();
    assert!(count(&all) > 3);
    let (status, body) = c.push(all).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["code"], "too_many_changes");
    assert_eq!(table_count(&db, "changes").await, 0);

    let (status, _) = c.push(vec![]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = c.push(vec![]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = c.push(vec![]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["code"], "rate_limited");
    assert_eq!(table_count(&db, "changes").await, 0);

    let metrics = reqwest::get(server.url("/metrics")).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("pharma_sync_http_responses_total{status=\"413\"} 2"), "{metrics}");
    assert!(metrics.contains("pharma_sync_http_responses_total{status=\"429\"} 1"), "{metrics}");
    let health = reqwest::get(server.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    server.stop().await;
}
