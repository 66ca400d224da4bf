//! Connections cannot be exhausted without a credential: half-sent requests are closed
//! after the header read timeout, connections over the per-address or total cap are
//! closed at once, a trickled body gets 408, and `/healthz` keeps answering throughout.
//! The limits are small here (set through the config) so the test is quick.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use pharma_sync_server::Limits;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

const HALF_SENT: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: x\r\n";

fn small_limits() -> Limits {
    Limits {
        header_read_timeout_secs: 1,
        body_read_timeout_secs: 1,
        max_connections_per_address: 8,
        max_open_connections: 32,
        ..Limits::default()
    }
}

/// A connection from `from` (any 127.0.0.0/8 address is this machine's loopback).
async fn connect_from(from: &str, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(from.parse::<IpAddr>().unwrap(), 0)).unwrap();
    socket.connect(to).await.unwrap()
}

async fn half_sent_from(from: &str, to: SocketAddr, n: usize) -> Vec<TcpStream> {
    let mut out = Vec::new();
    for _ in 0..n {
        let mut s = connect_from(from, to).await;
        // The server may already have closed it: a failed write is a closed connection.
        let _ = s.write_all(HALF_SENT).await;
        out.push(s);
    }
    out
}

/// Waits until the server closes `s` (end of stream or reset), up to `within`; the time
/// it took, or None when still open.
async fn closed_within(s: &mut TcpStream, within: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout_at((start + within).into(), s.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(start.elapsed()),
            // An answer (a 408 or the like) may come before the close: keep reading.
            Ok(Ok(_)) => continue,
        }
    }
}

async fn healthz_time(server: &Server) -> Duration {
    let start = Instant::now();
    let resp = reqwest::Client::new()
        .get(server.url("/healthz"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), reqwest::StatusCode::OK);
    start.elapsed()
}

async fn metric(server: &Server, name: &str) -> i64 {
    let text = reqwest::get(server.url("/metrics")).await.unwrap().text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("{name} missing:\n{text}"))
        .parse()
        .unwrap()
}

#[tokio::test]
async fn half_sent_requests_over_the_per_address_cap_are_closed_at_once_the_rest_after_the_timeout() {
    let s = setup(small_limits()).await;
    let to = s.server.addr;
    // Twice the per-address cap, from one address.
    let sent = Instant::now();
    let mut held = half_sent_from("127.0.0.2", to, 16).await;
    // All watched at once: the window must end well before the 1 s header timeout.
    let verdicts =
        futures_util::future::join_all(held.iter_mut().map(|c| closed_within(c, Duration::from_millis(300))))
            .await;
    let closed_at_once = verdicts.iter().filter(|v| v.is_some()).count();
    let mut still_open: Vec<TcpStream> =
        held.into_iter().zip(&verdicts).filter(|(_, v)| v.is_none()).map(|(c, _)| c).collect();
    assert_eq!(closed_at_once, 8, "over the per-address cap: closed on accept");
    assert_eq!(still_open.len(), 8);
    // Another client is served at once meanwhile.
    assert!(healthz_time(&s.server).await < Duration::from_secs(1));
    assert!(metric(&s.server, "pharma_sync_connections_refused_total").await >= 8);
    // The half-sent ones are closed by the header read timeout (1 s), not kept.
    for c in &mut still_open {
        let took = closed_within(c, Duration::from_secs(5)).await;
        assert!(took.is_some(), "half-sent request still open after 5 s");
    }
    let took = sent.elapsed();
    assert!(took >= Duration::from_millis(900) && took < Duration::from_secs(3), "{took:?}");
    // Its places came back: the same address is served again.
    let mut again = connect_from("127.0.0.2", to).await;
    again.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut answer = String::new();
    again.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    s.server.stop().await;
}

#[tokio::test]
async fn over_the_total_cap_new_connections_are_closed_and_places_come_back_after_the_timeout() {
    let s = setup(small_limits()).await;
    let to = s.server.addr;
    let mut held = Vec::new();
    for from in ["127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"] {
        held.extend(half_sent_from(from, to, 8).await);
    }
    // 32 held: the total cap. A 33rd, from an address with none open, is closed at once.
    let mut extra = connect_from("127.0.0.7", to).await;
    assert!(closed_within(&mut extra, Duration::from_millis(500)).await.is_some());
    for c in &mut held {
        assert!(closed_within(c, Duration::from_secs(5)).await.is_some());
    }
    // Everything was given back: served again.
    let deadline = Instant::now() + Duration::from_secs(5);
    while metric(&s.server, "pharma_sync_open_connections").await > 1 {
        assert!(Instant::now() < deadline, "places not given back");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(healthz_time(&s.server).await < Duration::from_secs(1));
    s.server.stop().await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_and_a_trickled_body_gets_408() {
    let s = setup(small_limits()).await;
    let to = s.server.addr;
    let mut idle = connect_from("127.0.0.8", to).await;
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut buf = [0u8; 512];
    let n = idle.read(&mut buf).await.unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&buf[..n]));
    let took = closed_within(&mut idle, Duration::from_secs(5)).await;
    assert!(took.is_some_and(|t| t >= Duration::from_millis(500)), "{took:?}");

    let mut slow = connect_from("127.0.0.8", to).await;
    slow.write_all(
        b"POST /v1/enroll HTTP/1.1\r\nHost: x\r\nx-pharma-protocol: 1\r\ncontent-type: application/json\r\n\
          content-length: 100\r\n\r\n{\"code\":",
    )
    .await
    .unwrap();
    let start = Instant::now();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("body_timeout"), "{answer}");
    assert!(start.elapsed() < Duration::from_secs(4));
    s.server.stop().await;
}

/// The measurement, scaled to this machine: 2,000 half-sent requests from one
/// address against the binary with its default caps. The server holds at most the
/// per-address cap of them, stays small and answers `/healthz` at once.
#[tokio::test]
async fn a_flood_of_half_sent_requests_leaves_the_server_process_answering_with_few_descriptors() {
    let db = test_db().await;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pharma-sync-server"))
        .arg("serve")
        .env("PHARMA_SYNC_DATABASE_URL", &db.url)
        .env("PHARMA_SYNC_FORECAST_ENABLED", "false")
        .env("PHARMA_SYNC_LISTEN", "127.0.0.1:0")
        .env("PHARMA_SYNC_HEADER_READ_TIMEOUT_SECS", "2")
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::BufRead;
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let addr: SocketAddr = loop {
        let line = lines.next().expect("serve ended before listening").unwrap();
        if let Some((_, a)) = line.split_once("listening on ") {
            break a.trim().parse().unwrap();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let pid = child.id();
    let fds = || std::fs::read_dir(format!("/proc/{pid}/fd")).unwrap().count();
    let rss_kib = || {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap().to_string();
        line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap()
    };
    let http = reqwest::Client::new();
    let health = format!("http://{addr}/healthz");
    assert!(http.get(&health).send().await.unwrap().status().is_success());
    let before = fds();
    let flood = half_sent_from("127.0.0.9", addr, 2000).await;
    let during = fds();
    let start = Instant::now();
    let resp = http.get(&health).timeout(Duration::from_secs(5)).send().await.unwrap();
    let latency = start.elapsed();
    assert!(resp.status().is_success());
    let rss = rss_kib();
    println!(
        "2000 half-sent: server descriptors {before} → {during}, /healthz in {latency:?}, RSS {} MiB",
        rss / 1024
    );
    // The default per-address cap is 64; a few more for the pool, the log and the health check.
    assert!(during <= before + 64 + 8, "{before} → {during}");
    assert!(latency < Duration::from_secs(1), "{latency:?}");
    assert!(rss < 100 * 1024, "RSS {rss} KiB");
    drop(flood);
    let terminated = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap();
    assert!(terminated.success());
    assert!(child.wait().unwrap().success());
}
