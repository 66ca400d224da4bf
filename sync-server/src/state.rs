//! What every request handler shares: the pool, the limits, the counters, the fan-out.

use crate::config::Limits;
use crate::feed::Feed;
use crate::metrics::Metrics;
use crate::rate::RateLimiter;
use sqlx_postgres::PgPool;
use std::sync::Arc;
use tokio::sync::watch;

#[derive(Clone, Debug)]
pub struct AppState {
    pub pool: PgPool,
    pub limits: Arc<Limits>,
    pub metrics: Arc<Metrics>,
    pub feed: Feed,
    pub rate: Arc<RateLimiter>,
    /// Turns true when the server shuts down: live sockets close.
    pub shutdown: watch::Receiver<bool>,
}

impl AppState {
    pub fn new(pool: PgPool, limits: Limits, feed: Feed, shutdown: watch::Receiver<bool>) -> Self {
        AppState {
            pool,
            rate: Arc::new(RateLimiter::new(limits.pushes_per_minute_per_device)),
            limits: Arc::new(limits),
            metrics: Arc::new(Metrics::default()),
            feed,
            shutdown,
        }
    }
}
