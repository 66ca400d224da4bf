//! Caps on open connections, in all and per client address, held from `accept` until
//! the socket is closed (a live WebSocket keeps its place after the HTTP upgrade).
//!
//! A connection over a cap is dropped as soon as it is accepted: holding it, even to
//! write an error, would spend the very descriptors the cap protects.

use crate::metrics::Metrics;
use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The address a request came from (None when the app is served without [`crate::serve`],
/// which records it). No `X-Forwarded-For` is believed: any client can write one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub Option<IpAddr>);

impl ClientAddr {
    /// The key a per-address limit counts under: the address, or its /64 for IPv6 (one
    /// subscriber holds a whole /64, so per-address would be no limit at all).
    pub fn limit_key(self) -> IpAddr {
        match self.0 {
            Some(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(std::net::Ipv6Addr::from(bits))
            }
            Some(IpAddr::V6(v6)) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
            Some(v4) => v4,
            None => IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
        }
    }

    pub fn is_loopback(self) -> bool {
        self.0.is_some_and(|ip| match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(v6.is_loopback(), |v4| v4.is_loopback()),
            IpAddr::V4(v4) => v4.is_loopback(),
        })
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        let info = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>();
        Ok(ClientAddr(info.map(|i| i.0.ip())))
    }
}

/// Admits connections while under both caps.
#[derive(Debug)]
pub struct Gate {
    total: Arc<Semaphore>,
    per_address: usize,
    by_address: Mutex<HashMap<IpAddr, usize>>,
    metrics: Arc<Metrics>,
}

/// A connection's place under the caps, given back when dropped.
#[derive(Debug)]
pub struct Ticket {
    gate: Arc<Gate>,
    ip: IpAddr,
    _permit: OwnedSemaphorePermit,
}

impl Gate {
    /// `per_address` 0 means no per-address cap.
    pub fn new(total: usize, per_address: usize, metrics: Arc<Metrics>) -> Arc<Gate> {
        Arc::new(Gate {
            total: Arc::new(Semaphore::new(total.clamp(1, Semaphore::MAX_PERMITS))),
            per_address,
            by_address: Mutex::new(HashMap::new()),
            metrics,
        })
    }

    /// A place for a connection from `ip`, or None (the caller closes it at once).
    pub fn admit(self: &Arc<Gate>, ip: IpAddr) -> Option<Ticket> {
        let ticket = self.try_admit(ip);
        match &ticket {
            Some(_) => self.metrics.open_connections.fetch_add(1, Ordering::Relaxed),
            None => {
                self.metrics.connections_refused.fetch_add(1, Ordering::Relaxed);
                0
            }
        };
        ticket
    }

    fn try_admit(self: &Arc<Gate>, ip: IpAddr) -> Option<Ticket> {
        let permit = Arc::clone(&self.total).try_acquire_owned().ok()?;
        if self.per_address > 0 {
            let mut by = self.by_address.lock().unwrap_or_else(PoisonError::into_inner);
            let n = by.entry(ip).or_insert(0);
            if *n >= self.per_address {
                return None;
            }
            *n += 1;
        }
        Some(Ticket { gate: Arc::clone(self), ip, _permit: permit })
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.gate.metrics.open_connections.fetch_sub(1, Ordering::Relaxed);
        if self.gate.per_address > 0 {
            let mut by = self.gate.by_address.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(n) = by.get_mut(&self.ip) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    // Addresses seen once are not kept: the map holds open connections only.
                    by.remove(&self.ip);
                }
            }
        }
    }
}

/// A TCP stream that holds its [`Ticket`] for as long as the stream lives.
#[derive(Debug)]
pub struct Admitted {
    pub stream: TcpStream,
    pub ticket: Ticket,
}

impl AsyncRead for Admitted {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Admitted {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn caps_hold_in_all_and_per_address_and_places_come_back() {
        let metrics = Arc::new(Metrics::default());
        let gate = Gate::new(3, 2, Arc::clone(&metrics));
        let (a, b, c): (IpAddr, IpAddr, IpAddr) =
            ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap(), "10.0.0.3".parse().unwrap());
        let a1 = gate.admit(a).unwrap();
        let _a2 = gate.admit(a).unwrap();
        assert!(gate.admit(a).is_none(), "per-address cap");
        let _b1 = gate.admit(b).unwrap();
        assert!(gate.admit(c).is_none(), "total cap");
        assert_eq!(metrics.open_connections.load(Ordering::Relaxed), 3);
        assert_eq!(metrics.connections_refused.load(Ordering::Relaxed), 2);
        drop(a1);
        assert!(gate.admit(c).is_some());
        assert_eq!(metrics.open_connections.load(Ordering::Relaxed), 2, "c admitted, then dropped");
        let unlimited = Gate::new(10, 0, metrics);
        let held: Vec<Ticket> = (0..10).map(|_| unlimited.admit(a).unwrap()).collect();
        assert_eq!(held.len(), 10);
    }

    #[test]
    fn ipv6_clients_are_limited_by_their_64_and_loopback_is_recognised() {
        let key = |s: &str| ClientAddr(Some(s.parse().unwrap())).limit_key();
        assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:bbbb::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:10.0.0.1"), key("10.0.0.1"));
        assert!(ClientAddr(Some("127.0.0.2".parse().unwrap())).is_loopback());
        assert!(ClientAddr(Some("::1".parse().unwrap())).is_loopback());
        assert!(!ClientAddr(Some("10.0.0.1".parse().unwrap())).is_loopback());
        assert!(!ClientAddr(None).is_loopback());
    }
}
