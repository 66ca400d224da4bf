//! A stand-in for the sync server, for the client's own tests: protocol v1 over real HTTP
//! on a loopback port, with an in-memory change log. It checks what the real server checks
//! at the edge (protocol header, bearer credential, revocation) and can lose the answer to
//! a push after storing it, the failure that once doubled sales elsewhere. The real server
//! is exercised by the end-to-end tests of the workspace's `tests/` crate.
#![allow(dead_code, clippy::unwrap_used)]

use pharma_core::protocol::*;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

pub const CODE: &str = "ENROLL-OK";

#[derive(Debug, Default)]
pub struct RelayState {
    /// (doc id, change bytes) in arrival order: the feed.
    pub log: Vec<(String, Vec<u8>)>,
    seen: HashSet<[u8; 32]>,
    /// credential -> device id
    pub credentials: HashMap<String, uuid::Uuid>,
    pub revoked: HashSet<uuid::Uuid>,
    /// Store the next push, then close the connection without answering.
    pub lose_next_push_answer: bool,
    /// Answer every request with this status (e.g. 426).
    pub force_status: Option<u16>,
    /// Refuse pushes with more changes than this with 413.
    pub max_push_changes: Option<usize>,
    pub requests: Vec<String>,
    next_credential: u64,
}

#[derive(Debug, Clone)]
pub struct Relay {
    pub url: String,
    pub state: Arc<Mutex<RelayState>>,
}

impl Relay {
    pub fn start() -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(RelayState::default()));
        let st = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let st = st.clone();
                std::thread::spawn(move || serve(conn, &st));
            }
        });
        Relay { url, state }
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut RelayState) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }
}

fn serve(conn: TcpStream, state: &Mutex<RelayState>) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).unwrap();
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body).unwrap();
    let (status, answer) = handle(state, &path, &headers, &body);
    let Some(answer) = answer else { return }; // connection dropped: the answer is lost
    let mut conn = conn;
    let _ = write!(
        conn,
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
        answer.len()
    );
}

fn err(status: u16, code: &str) -> (u16, Option<String>) {
    let b = ErrorBody { code: code.into(), message: format!("refus {code}") };
    (status, Some(serde_json::to_string(&b).unwrap()))
}

fn ok<T: serde::Serialize>(v: &T) -> (u16, Option<String>) {
    (200, Some(serde_json::to_string(v).unwrap()))
}

fn handle(
    state: &Mutex<RelayState>,
    path: &str,
    headers: &HashMap<String, String>,
    body: &[u8],
) -> (u16, Option<String>) {
    let mut s = state.lock().unwrap();
    s.requests.push(path.to_string());
    if let Some(code) = s.force_status {
        return err(code, "forced");
    }
    if headers.get(PROTOCOL_HEADER).map(String::as_str) != Some("1") {
        return err(426, "protocol_version");
    }
    if path == "/v1/enroll" {
        let req: EnrollRequest = serde_json::from_slice(body).unwrap();
        if req.code != CODE {
            return err(401, "unknown_code");
        }
        s.next_credential += 1;
        let credential = format!("cred-{}-{}", s.next_credential, req.device_id);
        s.credentials.insert(credential.clone(), req.device_id);
        return ok(&EnrollResponse {
            tenant_id: uuid::Uuid::from_u128(7),
            device_id: req.device_id,
            credential,
        });
    }
    let bearer = headers.get("authorization").and_then(|v| v.strip_prefix("Bearer ")).unwrap_or("");
    let Some(device) = s.credentials.get(bearer).copied() else { return err(401, "unknown_credential") };
    if s.revoked.contains(&device) {
        return err(403, "revoked");
    }
    match path {
        "/v1/push" => {
            let req: PushRequest = serde_json::from_slice(body).unwrap();
            let n: usize = req.docs.iter().map(|d| d.changes.len()).sum();
            if s.max_push_changes.is_some_and(|m| n > m) {
                return err(413, "too_large");
            }
            let (mut accepted, mut duplicates) = (0, 0);
            for d in req.docs {
                for c in d.changes {
                    let h: [u8; 32] = Sha256::digest(&c).into();
                    if s.seen.insert(h) {
                        s.log.push((d.doc_id.clone(), c));
                        accepted += 1;
                    } else {
                        duplicates += 1;
                    }
                }
            }
            if std::mem::take(&mut s.lose_next_push_answer) {
                return (200, None);
            }
            ok(&PushResponse { accepted, duplicates })
        }
        "/v1/pull" => {
            let req: PullRequest = serde_json::from_slice(body).unwrap();
            let from: usize = req.cursor.map(|c| c.0.parse().unwrap()).unwrap_or(0);
            let limit = req.limit.unwrap_or(1000) as usize;
            let to = (from + limit).min(s.log.len());
            let mut docs: Vec<DocChanges> = Vec::new();
            for (doc, c) in &s.log[from..to] {
                match docs.last_mut() {
                    Some(d) if &d.doc_id == doc => d.changes.push(c.clone()),
                    _ => docs.push(DocChanges { doc_id: doc.clone(), changes: vec![c.clone()] }),
                }
            }
            ok(&PullResponse { docs, cursor: Cursor(to.to_string()), more: to < s.log.len() })
        }
        _ => err(404, "not_found"),
    }
}
