//! Starting and stopping: the application state from configuration, every background task, and
//! the server with a bounded drain on SIGINT and SIGTERM.
//!
//! Background work has one home: [`Background`] starts each task and stops it on shutdown. A
//! task that must run once across replicas takes a database lease (`data::lease`) itself.
use crate::config::Config;
use crate::data::connect;
use crate::http::{self, API_PREFIX, ratelimit::Limits};
use crate::state::AppState;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Connects, migrates and opens storage as `config` says.
pub async fn open(config: Config) -> Result<Arc<AppState>, String> {
    config.validate()?;
    let db = connect::connect(config.database_url.as_str())
        .await
        .map_err(|e| format!("database: {e}"))?;
    connect::migrate(&db)
        .await
        .map_err(|e| format!("migrations: {e}"))?;
    AppState::new(config, db)
}

/// The running background tasks; [`Background::stop`] ends them.
pub struct Background {
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

impl Background {
    /// Starts every background task of a serving process.
    pub fn start(state: &Arc<AppState>, limits: &Arc<Limits>) -> Self {
        let (stop, _) = watch::channel(false);
        let mut bg = Self {
            stop,
            tasks: JoinSet::new(),
        };
        // Judging every run once (nothing on a database judged before), then the refresher.
        let s = state.clone();
        let every = Duration::from_secs(state.config.verdict_refresh);
        bg.every("verdict refresher", Duration::ZERO, every, move || {
            let s = s.clone();
            async move {
                let started = std::time::Instant::now();
                let before = s.verdicts.judged();
                match s.verdicts.refresh(&s.db).await {
                    Ok(r) if r.reconciled + r.rejudged > 0 || before == 0 => tracing::info!(
                        reconciled = r.reconciled,
                        rejudged = r.rejudged,
                        judged_since_start = s.verdicts.judged(),
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "run verdicts refreshed"
                    ),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "run verdict refresh failed; retrying"),
                }
            }
        });
        let l = limits.clone();
        bg.every(
            "rate-limit sweeper",
            Duration::from_secs(60),
            Duration::from_secs(60),
            move || {
                l.sweep();
                async {}
            },
        );
        bg
    }

    /// Runs `work` after `first`, then every `period`, until stopped.
    fn every<F, Fut>(&mut self, name: &'static str, first: Duration, period: Duration, work: F)
    where
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send,
    {
        let mut stop = self.stop.subscribe();
        self.tasks.spawn(async move {
            let mut next = tokio::time::Instant::now() + first;
            loop {
                tokio::select! {
                    _ = tokio::time::sleep_until(next) => {}
                    _ = stop.changed() => break,
                }
                // A pass in progress finishes before the task stops (its writes are atomic).
                work().await;
                next = tokio::time::Instant::now() + period;
            }
            tracing::debug!(task = name, "stopped");
        });
    }

    /// Stops every task, waiting at most `grace` for passes in progress.
    pub async fn stop(mut self, grace: Duration) {
        let _ = self.stop.send(true);
        let all = async { while self.tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!("background tasks did not stop in time; aborting them");
            self.tasks.abort_all();
        }
    }
}

/// Resolves on SIGINT or SIGTERM (what container runtimes send).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down: draining in-flight requests");
}

/// Serves until SIGINT or SIGTERM, then stops accepting connections, gives in-flight requests
/// `SPCI_SHUTDOWN_GRACE` seconds to finish, and stops the background tasks.
pub async fn serve(state: Arc<AppState>) -> Result<(), String> {
    let limits = Limits::from_config(&state.config);
    let background = Background::start(&state, &limits);
    let addr = state.config.bind;
    let grace = Duration::from_secs(state.config.shutdown_grace);
    let app = http::build_app(state, limits);
    tracing::info!(%addr, "listening; docs at http://{addr}{API_PREFIX}/docs");
    let served = poem::Server::new(poem::listener::TcpListener::bind(addr))
        .run_with_graceful_shutdown(app, shutdown_signal(), Some(grace))
        .await
        .map_err(|e| format!("server: {e}"));
    background.stop(grace).await;
    tracing::info!("stopped");
    served
}
