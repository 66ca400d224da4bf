//! What every request handler shares: the pool, the limits, the counters, the fan-out.

use crate::config::Limits;
use crate::feed::Feed;
use crate::metrics::Metrics;
use crate::rate::RateLimiter;
use sqlx_postgres::PgPool;
use std::net::IpAddr;
use std::sync::Arc;
use tokio::sync::watch;

#[derive(Clone, Debug)]
pub struct AppState {
    pub pool: PgPool,
    pub limits: Arc<Limits>,
    pub metrics: Arc<Metrics>,
    pub feed: Feed,
    pub rate: Arc<RateLimiter<uuid::Uuid>>,
    /// Enrollment attempts per client address (see `routes::enroll`).
    pub enroll_rate: Arc<RateLimiter<IpAddr>>,
    /// The secret `/metrics` asks for; None: loopback peers only.
    pub metrics_token: Option<Arc<str>>,
    /// Turns true when the server shuts down: live sockets close.
    pub shutdown: watch::Receiver<bool>,
}

impl AppState {
    pub fn new(pool: PgPool, limits: Limits, feed: Feed, shutdown: watch::Receiver<bool>) -> Self {
        AppState {
            pool,
            rate: Arc::new(RateLimiter::new(limits.pushes_per_minute_per_device)),
            enroll_rate: Arc::new(RateLimiter::new(limits.enroll_attempts_per_minute_per_address)),
            metrics_token: None,
            limits: Arc::new(limits),
            metrics: Arc::new(Metrics::default()),
            feed,
            shutdown,
        }
    }

    pub fn with_metrics_token(mut self, token: Option<&str>) -> Self {
        self.metrics_token = token.map(Arc::from);
        self
    }
}
