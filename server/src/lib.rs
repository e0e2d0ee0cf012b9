//! The composition root: the only crate that knows axum, HTTP, WebSocket,
//! configuration and the process environment.
//!
//! [`Application::build`] opens the backends named by the [`Config`],
//! applies migrations, creates the first administrator and assembles the
//! domain and the schema; [`Application::serve`] runs the HTTP server on a
//! listener the caller bound, until the shutdown future completes. Tests use
//! the same two calls on `127.0.0.1:0`.

mod calendar;
pub mod config;
mod connections;
mod files;
mod graphql_http;
mod http_error;
mod links;
mod lock;
pub mod metrics;
mod metrics_http;
pub mod previews;
mod routes;
mod state;
pub mod telemetry;
mod transfers;
mod web;
pub mod ws;

use std::future::Future;
use std::sync::Arc;

use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

pub use config::{Cli, Config};
pub use state::ClientAddr;

/// Why the server could not start. Each message is one line for the operator.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Lock(#[from] lock::LockError),
    #[error(transparent)]
    Store(#[from] store::OpenError),
    #[error(transparent)]
    Search(#[from] search::OpenError),
    #[error("first administrator: {0}")]
    Admin(String),
    #[error("preview workers: {0}")]
    Previews(std::io::Error),
}

/// A built, not yet serving, server.
pub struct Application {
    state: state::AppState,
    /// Sign-in details generated on first start, to show once.
    generated_admin: Option<app::Credentials>,
    _locks: lock::DataLocks,
}

impl Application {
    pub async fn build(config: Config) -> Result<Application, StartError> {
        Self::build_with_clock(config, Arc::new(app::SystemClock)).await
    }

    /// As [`Application::build`], with a clock of the caller's (tests move time).
    pub async fn build_with_clock(
        config: Config,
        clock: Arc<dyn app::Clock>,
    ) -> Result<Application, StartError> {
        let locations: Vec<_> = [
            config.database.local_path()?,
            config.objects.local_path()?,
            config.search.local_path().cloned(),
        ]
        .into_iter()
        .flatten()
        .collect();
        let locks = lock::DataLocks::acquire(&locations)?;

        let database = store::Database::open(&config.database).await?;
        let objects = store::Objects::open(&config.objects)?;
        let search = search::open(&config.search).await?;
        let previews =
            previews::PreviewWorkers::new(config.previews.clone()).map_err(StartError::Previews)?;
        let app = app::App::new(app::AppParts {
            repo: Arc::new(database),
            objects: Arc::new(objects),
            search,
            previews: Arc::new(previews),
            clock,
            accounts: config.accounts.clone(),
            files: config.files,
        });
        let generated_admin = app
            .accounts()
            .ensure_platform_admin(
                config.admin_email.as_deref(),
                config.admin_password.as_deref(),
            )
            .await
            .map_err(|e| match e {
                app::Error::Invalid { field, reason } => StartError::Admin(format!(
                    "invalid {} (LFF_ADMIN_{}): {reason}",
                    field,
                    field.to_ascii_uppercase()
                )),
                other => StartError::Admin(other.to_string()),
            })?;
        let schema = schema::build(app.clone(), &config.schema);
        let live = schema::Live::new(schema.clone());
        let mut metrics = metrics::Metrics::new();
        metrics.watch_live(live.clone());
        let state = state::AppState {
            app,
            live,
            schema,
            config: Arc::new(config),
            metrics: Arc::new(metrics),
            shutdown: CancellationToken::new(),
            sockets: TaskTracker::new(),
            sockets_per_person: Default::default(),
        };
        Ok(Application {
            state,
            generated_admin,
            _locks: locks,
        })
    }

    /// The domain handle, for tests and tools that seed data.
    pub fn app(&self) -> &app::App {
        &self.state.app
    }

    /// Sign-in details generated on first start (once; `None` afterwards).
    pub fn take_generated_admin(&mut self) -> Option<app::Credentials> {
        self.generated_admin.take()
    }

    /// Waits until the embedded database of `config` has closed after every
    /// handle to it was dropped, so that a restart in the same process (or the
    /// process exit) finds it cleanly shut. False if it did not within the
    /// shutdown timeout.
    pub async fn wait_closed(config: &Config) -> bool {
        config
            .database
            .wait_closed(config.http.shutdown_timeout)
            .await
    }

    /// Serves until `shutdown` completes, then stops accepting, lets running
    /// requests finish, closes WebSockets with 1001 and returns (waiting at
    /// most the configured shutdown timeout).
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send,
    ) -> std::io::Result<()> {
        let state = self.state.clone();
        let router = routes::router(state.clone());
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(state.config.http.header_read_timeout);
        let builder = builder.http1_only();
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let http = &state.config.http;
        let connections = connections::Connections::new(
            connections::connection_ceiling(http.max_connections),
            http.max_connections_per_address,
            state.config.trusted_proxies.clone(),
        );
        let write_timeout = http.write_timeout;
        tokio::pin!(shutdown);
        // The server owns three tasks: the hourly collection, the search
        // indexer and the reminders. The domain starts two more on first use
        // (`app::live::log::Writer`: the space log's and the live rooms'); they
        // are not under the shutdown token on purpose: a write a request
        // still waits for must be committed and answered, and each ends when
        // the `App` is dropped, after the last request has finished.
        let collector = tokio::spawn(collect_orphans(
            state.app.clone(),
            state.shutdown.clone(),
            state.config.space_events_kept,
        ));
        let indexer = tokio::spawn({
            let app = state.app.clone();
            let stop = state.shutdown.clone();
            async move { app.searching().run_indexer(stop.cancelled()).await }
        });
        let reminders = tokio::spawn({
            let app = state.app.clone();
            let before = chrono::Duration::from_std(state.config.event_reminder)
                .unwrap_or(app::DEFAULT_REMINDER);
            async move { app.events().run_reminders(before).await }
        });

        loop {
            let (stream, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(conn) => conn,
                    Err(e) => {
                        // Out of file descriptors and the like: back off briefly, keep serving.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let Some(admitted) = connections.admit(peer.ip()) else {
                // Over a cap: closed before a byte is read.
                tracing::debug!(peer = %peer.ip(), "refused a connection over the caps");
                state.metrics.refused_connections.inc();
                continue;
            };
            let _ = stream.set_nodelay(true);
            let mut stream = tokio_io_timeout::TimeoutStream::new(stream);
            stream.set_write_timeout(Some(write_timeout));
            let stream = Box::pin(stream);
            let svc = router.clone().map_request(
                move |mut req: axum::extract::Request<hyper::body::Incoming>| {
                    req.extensions_mut().insert(ClientAddr(peer));
                    req
                },
            );
            let conn = builder
                .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(svc))
                .into_owned();
            let conn = graceful.watch(conn);
            tokio::spawn(async move {
                let _admitted = admitted;
                if let Err(e) = conn.await {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
            });
        }

        drop(listener);
        collector.abort();
        reminders.abort();
        tracing::info!("shutting down: no new connections; finishing requests and closing sockets");
        state.shutdown.cancel();
        state.sockets.close();
        let grace = state.config.http.shutdown_timeout;
        let drained = tokio::time::timeout(grace, async {
            let _ = tokio::join!(graceful.shutdown(), state.sockets.wait(), indexer);
        })
        .await;
        if drained.is_err() {
            tracing::warn!("shutdown timeout reached with work still running");
        }
        Ok(())
    }
}

/// Once an hour until shutdown: deletes uploads that were never attached,
/// abandoned resumable uploads and file blobs nothing uses, and forgets space events older than `events_kept`.
async fn collect_orphans(
    app: app::App,
    shutdown: CancellationToken,
    events_kept: std::time::Duration,
) {
    let keep = chrono::Duration::from_std(events_kept).unwrap_or(chrono::Duration::days(30));
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = every.tick() => {}
            () = shutdown.cancelled() => return,
        }
        match app.network().collect_orphan_files().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(files = n, "collected unattached uploads"),
            Err(e) => tracing::warn!(error = %e, "collecting unattached uploads failed"),
        }
        match app.materials().collect_material_files().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                blobs = n,
                "collected abandoned uploads and unused file blobs"
            ),
            Err(e) => tracing::warn!(error = %e, "collecting material files failed"),
        }
        match app.spaces().prune_space_logs(keep).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(events = n, "forgot old space events"),
            Err(e) => tracing::warn!(error = %e, "pruning space events failed"),
        }
    }
}
