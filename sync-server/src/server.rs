//! Running one instance: migrations, the notification listener, the HTTP server, and a
//! graceful shutdown.
//!
//! Connections are served here rather than by `axum::serve`, which sets no timer and so
//! no header read timeout: 20,000 half-sent requests once held every descriptor of the
//! process. Each connection is admitted under the caps of [`crate::conn_limit`] and given
//! `header_read_timeout_secs` to send each request's headers (the same bound applies to
//! an idle keep-alive connection, whose wait for its next request is a header read).

use crate::config::{Config, Limits};
use crate::conn_limit::{Admitted, Gate};
use crate::db;
use crate::feed::{self, Feed};
use crate::routes::build_app;
use crate::state::AppState;
use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

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
    let state = AppState::new(pool.clone(), config.limits.clone(), feed, stop_rx.clone())
        .with_metrics_token(config.metrics_token.as_deref());
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
    let gate = Gate::new(
        config.limits.max_open_connections,
        config.limits.max_connections_per_address,
        state.metrics.clone(),
    );
    let app = build_app(state);
    let addr = listener.local_addr()?;
    tracing::info!("listening on {addr}");
    let result = accept_loop(listener, app, gate, &config.limits, async move {
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

/// Accepts until `shutdown` resolves, then lets every connection finish its request and
/// waits for them.
async fn accept_loop(
    listener: TcpListener,
    app: Router,
    gate: Arc<Gate>,
    limits: &Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let header_timeout = Duration::from_secs(limits.header_read_timeout_secs.max(1));
    // Dropping `draining` tells every connection to finish; each holds a `done` receiver,
    // so `done_tx.closed()` resolves once the last one is gone.
    let (draining, drain_rx) = watch::channel(());
    let (done_tx, done_rx) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(ticket) = gate.admit(peer.ip()) else {
            tracing::debug!(%peer, "connection over the cap: closed");
            drop(stream);
            continue;
        };
        let io = TokioIo::new(Admitted { stream, ticket });
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(req)
        });
        let mut drain = drain_rx.clone();
        let done = done_rx.clone();
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(header_timeout);
            let mut conn = pin!(builder.serve_connection(io, service).with_upgrades());
            let result = tokio::select! {
                r = conn.as_mut() => r,
                _ = drain.changed() => {
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = result {
                // Timeouts, resets and malformed requests: the client's doing, not ours.
                tracing::debug!(%peer, error = %e, "connection ended");
            }
            drop(done);
        });
    }
    drop(listener);
    drop(draining);
    drop(done_rx);
    done_tx.closed().await;
    Ok(())
}

/// A failed `accept`: the client's side gave up (go on at once), or the process is out of
/// descriptors or memory (wait a little: retrying at once would spin).
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::ConnectionRefused
    ) {
        return;
    }
    tracing::error!(error = %e, "accept failed");
    tokio::time::sleep(Duration::from_millis(200)).await;
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
