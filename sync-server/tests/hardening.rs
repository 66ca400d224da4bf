//! The smaller holes found from outside, each kept shut: enrollment input, reserved
//! device ids, document-name aliases, the quarantine's size, the enrollment throttle,
//! `Retry-After`, revoked devices' `last_seen_at`, the bearer scheme's case.
#![allow(clippy::unwrap_used)]

mod common;

use common::device::Device;
use common::*;
use pharma_core::protocol::{DocChanges, EnrollRequest, PROTOCOL_HEADER};
use pharma_sync_server::{Limits, admin, db};
use reqwest::StatusCode;
use std::borrow::Cow;
use std::net::IpAddr;
use uuid::Uuid;

fn enroll_req(code: &str, name: &str, id: Uuid) -> EnrollRequest {
    EnrollRequest { code: code.into(), device_name: name.into(), device_id: id }
}

#[tokio::test]
async fn a_device_name_with_nul_or_control_characters_gets_400_and_the_code_survives() {
    let s = setup(Limits::default()).await;
    let code = admin::enroll_code(&s.db.pool, s.tenant, 60).await.unwrap();
    let c = Client::new(&s.server);
    for name in ["Comptoir\u{0}1", "Comptoir\n2", "\u{7f}"] {
        let (status, body) = c.post("/v1/enroll", &enroll_req(&code, name, Uuid::from_u128(21))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name:?} {body}");
        assert_eq!(body["code"], "device_name");
    }
    assert_eq!(table_count(&s.db, "devices").await, 0);
    let mut c = c;
    c.enroll(&code, Uuid::from_u128(21)).await;
    s.server.stop().await;
}

#[tokio::test]
async fn the_nil_and_max_device_ids_are_reserved() {
    let s = setup(Limits::default()).await;
    let code = admin::enroll_code(&s.db.pool, s.tenant, 60).await.unwrap();
    let c = Client::new(&s.server);
    for id in [Uuid::nil(), Uuid::max()] {
        let (status, body) = c.post("/v1/enroll", &enroll_req(&code, "Comptoir", id)).await;
        assert_eq!(status, StatusCode::CONFLICT, "{id} {body}");
        assert_eq!(body["code"], "device_id_reserved");
    }
    assert_eq!(table_count(&s.db, "devices").await, 0);
    s.server.stop().await;
}

#[tokio::test]
async fn document_name_aliases_are_refused_and_store_nothing() {
    let s = setup(Limits::default()).await;
    let mut d = Device::pharmacy(31, 1);
    let c = s.client(d.id()).await;
    let all = d.all_changes();
    let session = all.iter().find(|x| x.doc_id.starts_with("session/")).unwrap().clone();
    let uuid = session.doc_id.trim_start_matches("session/").to_string();
    for alias in [
        format!("session/{{{uuid}}}"),
        format!("session/{}", uuid.replace('-', "")),
        format!("session/urn:uuid:{uuid}"),
        format!("session/{}", uuid.to_uppercase()),
    ] {
        let (status, body) = c.push(vec![DocChanges { doc_id: alias.clone(), ..session.clone() }]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{alias} {body}");
        assert_eq!(body["code"], "unknown_doc", "{alias}");
    }
    assert_eq!(table_count(&s.db, "changes").await, 0);
    let (status, body) = c.push(all).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    s.server.stop().await;
}

/// Before the migration that refuses them, an alias could be stored. After it, such
/// rows are reported by `doc aliases`, no longer sent to devices, and no new one fits.
#[tokio::test]
async fn aliases_stored_before_the_migration_are_reported_not_sent_and_no_new_one_is_stored() {
    let url = pg::fresh_database().await;
    let pool = db::connect(&url, 2).await.unwrap();
    let mut before = db::migrator();
    let n = before.migrations.len();
    before.migrations = Cow::Owned(before.migrations[..n - 1].to_vec());
    before.run(&pool).await.unwrap();
    let tenant = admin::create_tenant(&pool, "Pharmacie Atlas").await.unwrap();
    let writer = Uuid::from_u128(41);
    let alias = "session/{01900000-0000-7000-8000-000000000041}";
    sqlx_core::query::query(
        "INSERT INTO changes (tenant_id, doc_id, hash, bytes, device_id) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tenant)
    .bind(alias)
    .bind(vec![7u8; 32])
    .bind(b"not sent".to_vec())
    .bind(writer)
    .execute(&pool)
    .await
    .unwrap();
    db::migrate(&pool).await.unwrap();
    let test = TestDb { url, pool };

    let (ok, out, err) = cli(&test, &["doc", "aliases"]);
    assert!(!ok, "aliases found: the command fails");
    assert!(
        out.contains(&format!("{tenant}\t{alias}\t→ session/01900000-0000-7000-8000-000000000041")),
        "{out}"
    );
    assert!(out.contains(&writer.to_string()), "{out}");
    assert!(err.contains("1 nom(s)"), "{err}");

    let refused = sqlx_core::query::query(
        "INSERT INTO changes (tenant_id, doc_id, hash, bytes, device_id) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tenant)
    .bind("session/0190000000007000800000000000aaaa")
    .bind(vec![8u8; 32])
    .bind(b"x".to_vec())
    .bind(writer)
    .execute(&test.pool)
    .await
    .unwrap_err();
    assert!(refused.to_string().contains("changes_doc_id_canonical"), "{refused}");

    let server = start_server(&test, Limits::default()).await;
    let reader = enrolled(&test, &server, tenant, Uuid::from_u128(42)).await;
    let (docs, _) = reader.pull_until(None, 0).await;
    assert!(docs.is_empty(), "the alias was sent: {docs:?}");
    server.stop().await;
    let (ok, out, _) = cli(&test, &["doc", "aliases", "--tenant", &Uuid::from_u128(9).to_string()]);
    assert!(ok && out.contains("aucun alias"), "{out}");
}

#[tokio::test]
async fn the_quarantine_keeps_a_bounded_sample_per_device_and_counts_the_rest() {
    let limits = Limits {
        quarantine_max_rows_per_device: 3,
        quarantine_max_bytes_per_device: 64 * 1024,
        ..Limits::default()
    };
    let s = setup(limits).await;
    let a = s.client(Uuid::from_u128(51)).await;
    let b = s.client(Uuid::from_u128(52)).await;
    let junk = |i: u8| vec![DocChanges { doc_id: "catalog".into(), changes: vec![vec![i; 30 * 1024]] }];
    for i in 0..10u8 {
        let (status, body) = a.push(junk(i)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
    let (status, _) = b.push(junk(99)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let kept: Vec<(Uuid, i64, i64)> = sqlx_core::query_as::query_as(
        "SELECT device_id, count(*), sum(octet_length(bytes))::bigint FROM quarantine GROUP BY 1 ORDER BY 1",
    )
    .fetch_all(&s.db.pool)
    .await
    .unwrap();
    // Two rows of 30 KiB fit in 64 KiB; the third would not. The other device has its own.
    assert_eq!(kept, vec![(Uuid::from_u128(51), 2, 60 * 1024), (Uuid::from_u128(52), 1, 30 * 1024)]);
    let metrics = reqwest::get(s.server.url("/metrics")).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("pharma_quarantine_dropped_total 8\n"), "{metrics}");
    assert!(metrics.contains("pharma_sync_quarantined_total 11\n"), "{metrics}");
    s.server.stop().await;
}

#[tokio::test]
async fn enrollment_attempts_are_limited_per_address_with_retry_after() {
    let limits = Limits { enroll_attempts_per_minute_per_address: 3, ..Limits::default() };
    let s = setup(limits).await;
    let code = admin::enroll_code(&s.db.pool, s.tenant, 60).await.unwrap();
    let from = |ip: &str| {
        let mut c = Client::new(&s.server);
        c.http = reqwest::Client::builder().local_address(ip.parse::<IpAddr>().unwrap()).build().unwrap();
        c
    };
    let guesser = from("127.0.0.21");
    for i in 0..3u128 {
        let (status, _) =
            guesser.post("/v1/enroll", &enroll_req("AAAA-BBBB-CCCC", "x", Uuid::from_u128(60 + i))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    // Even the right code is refused now, before it is looked up.
    let resp = guesser
        .http
        .post(s.server.url("/v1/enroll"))
        .header(PROTOCOL_HEADER, "1")
        .json(&enroll_req(&code, "Comptoir", Uuid::from_u128(61)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = resp.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "enroll_throttled");
    // Another address enrolls with it.
    let mut other = from("127.0.0.22");
    other.enroll(&code, Uuid::from_u128(61)).await;
    let metrics = reqwest::get(s.server.url("/metrics")).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("pharma_sync_enroll_throttled_total 1\n"), "{metrics}");
    s.server.stop().await;
}

#[tokio::test]
async fn a_push_over_the_rate_gets_429_with_retry_after() {
    let s = setup(Limits { pushes_per_minute_per_device: 1, ..Limits::default() }).await;
    let c = s.client(Uuid::from_u128(71)).await;
    assert_eq!(c.push(vec![]).await.0, StatusCode::OK);
    let resp = c
        .http
        .post(s.server.url("/v1/push"))
        .header(PROTOCOL_HEADER, "1")
        .bearer_auth(c.credential.as_ref().unwrap())
        .json(&serde_json::json!({ "docs": [] }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(resp.headers()["retry-after"], "60");
    s.server.stop().await;
}

#[tokio::test]
async fn a_revoked_devices_requests_leave_last_seen_at_alone() {
    let s = setup(Limits::default()).await;
    let id = Uuid::from_u128(81);
    let c = s.client(id).await;
    assert_eq!(c.push(vec![]).await.0, StatusCode::OK);
    admin::revoke_device(&s.db.pool, id).await.unwrap();
    sqlx_core::query::query("UPDATE devices SET last_seen_at = '2026-01-01T00:00:00Z' WHERE device_id = $1")
        .bind(id)
        .execute(&s.db.pool)
        .await
        .unwrap();
    assert_eq!(c.push(vec![]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(c.post("/v1/pull", &serde_json::json!({})).await.0, StatusCode::FORBIDDEN);
    let seen = admin::list_devices(&s.db.pool, s.tenant).await.unwrap()[0].last_seen_at.unwrap();
    assert_eq!(seen.to_rfc3339(), "2026-01-01T00:00:00+00:00");
    s.server.stop().await;
}

#[tokio::test]
async fn the_bearer_scheme_is_read_in_any_case_and_401_names_it() {
    let s = setup(Limits::default()).await;
    let c = s.client(Uuid::from_u128(91)).await;
    let credential = c.credential.clone().unwrap();
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let resp = c
            .http
            .post(s.server.url("/v1/pull"))
            .header(PROTOCOL_HEADER, "1")
            .header("authorization", format!("{scheme} {credential}"))
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{scheme}");
    }
    let resp = c
        .http
        .post(s.server.url("/v1/pull"))
        .header(PROTOCOL_HEADER, "1")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(resp.headers()["www-authenticate"], "Bearer");
    s.server.stop().await;
}

#[tokio::test]
async fn bodies_must_be_objects_integral_floats_count_as_integers_and_a_bad_websocket_key_gets_400() {
    let s = setup(Limits::default()).await;
    let c = s.client(Uuid::from_u128(95)).await;
    let (status, body) = c.post_raw("/v1/pull", b"[null, null]".to_vec()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "bad_json");
    let (status, body) = c.post_raw("/v1/pull", br#"{"limit": 5.0}"#.to_vec()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = c.post_raw("/v1/pull", br#"{"limit": 5.5}"#.to_vec()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let handshake = |key: &'static str| {
        c.http
            .get(s.server.url("/v1/live"))
            .header(PROTOCOL_HEADER, "1")
            .bearer_auth(c.credential.as_ref().unwrap())
            .header("connection", "Upgrade")
            .header("upgrade", "websocket")
            .header("sec-websocket-version", "13")
            .header("sec-websocket-key", key)
            .send()
    };
    assert_eq!(handshake("pas-une-clé").await.unwrap().status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        handshake("AAAAAAAAAAAAAAAAAAAAAA==").await.unwrap().status(),
        StatusCode::SWITCHING_PROTOCOLS
    );
    s.server.stop().await;
}
