//! PharmaSaaS sync server: the meeting point of a pharmacy's devices.
//!
//! It owns device enrollment (a one-time code becomes a device credential, of which only
//! a hash is kept), authorization (credential → device → pharmacy on every request),
//! ingest of Automerge change sets (validated before anything is stored, all or nothing,
//! idempotent by change hash, hostile bytes quarantined), the change feed devices pull
//! (bounded by the oldest transaction in flight, so nothing committed late is skipped),
//! the live WebSocket fan-out across instances (Postgres `LISTEN/NOTIFY`), health and
//! metrics, the admin command line, and the nightly demand forecasts ([`forecast_run`]: loading the
//! histories, running the pure engine of [`pharma_forecast`], publishing). The raw changes in Postgres, append-only, are
//! the source of truth; instances keep no state of their own, so several can serve one
//! database. The wire types are [`pharma_core::protocol`]'s.
//!
//! Tests and embedders bind their own listener and run [`serve`]:
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let mut config = pharma_sync_server::Config::default();
//! config.database_url = "postgres://pharma@localhost/pharma_sync".into();
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! println!("on {}", listener.local_addr()?);
//! pharma_sync_server::serve(config, listener, pharma_sync_server::server::shutdown_signal()).await?;
//! # Ok(()) }
//! ```

pub mod admin;
pub mod audit;
pub mod auth;
pub mod body;
pub mod cli;
pub mod config;
pub mod conn_limit;
pub mod consolidate;
pub mod db;
pub mod doc_aliases;
pub mod error;
pub mod feed;
pub mod forecast_run;
pub mod ingest;
pub mod integrity;
pub mod metrics;
pub mod rate;
pub mod routes;
pub mod server;
pub mod state;
pub mod version;

pub use config::{Config, Limits};
pub use routes::build_app;
pub use server::serve;
pub use state::AppState;
