//! Running one instance: migrations, the notification listener, the HTTP server, and a
//! graceful shutdown.

use crate::config::Config;
use crate::db;
use crate::feed::{self, Feed};
use crate::routes::build_app;
use crate::state::AppState;
use std::future::Future;
use tokio::net::TcpListener;
use tokio::sync::watch;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("connexion à la base impossible : {0}")]
    Connect(#[source] sqlx_core::Error),
    #[error("migration de la base impossible : {0}")]
    Migrate(#[from] sqlx_core::migrate::MigrateError),
    #[error("écoute des notifications impossible : {0}")]
    Listen(#[source] sqlx_core::Error),
    #[error("serveur HTTP : {0}")]
    Io(#[from] std::io::Error),
}

/// Serves on `listener` until `shutdown` resolves, then drains requests, closes the live
/// sockets and the pool. Migrations are applied first (requests wait in the listen queue).
pub async fn serve(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let pool =
        db::connect(&config.database_url, config.max_connections).await.map_err(ServeError::Connect)?;
    db::migrate(&pool).await?;
    let feed = Feed::default();
    let listen_task = feed::listen(&pool, feed.clone()).await.map_err(ServeError::Listen)?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let state = AppState::new(pool.clone(), config.limits.clone(), feed, stop_rx.clone());
    let forecast_task = config.forecast.enabled.then(|| {
        let clock = crate::forecast_run::schedule::system_clock();
        tokio::spawn(crate::forecast_run::schedule::nightly(
            pool.clone(),
            config.forecast.clone(),
            clock,
            state.metrics.clone(),
            stop_rx,
        ))
    });
    let app = build_app(state);
    let addr = listener.local_addr()?;
    tracing::info!("listening on {addr}");
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down");
            let _ = stop_tx.send(true);
        })
        .await;
    listen_task.abort();
    if let Some(task) = forecast_task {
        // A run in progress is one transaction: stopping it mid-way writes nothing.
        task.abort();
    }
    pool.close().await;
    result.map_err(ServeError::Io)
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
