//! Starting and stopping: the application state from configuration, every background task, and
//! the server with a bounded drain on SIGINT and SIGTERM.
//!
//! Background work has one home: [`Background`] starts each task and stops it on shutdown. A
//! task that must run once across replicas takes a database lease (`data::lease`) itself.
use crate::config::Config;
use crate::data::availability::PROBE_PERIOD;
use crate::data::connect;
use crate::http::{self, API_PREFIX, ratelimit::Limits};
use crate::metrics::{Gauges, Metrics};
use crate::state::AppState;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// How often the mail sender looks for retries due (new messages wake it at once).
const MAIL_PERIOD: Duration = Duration::from_secs(15);
/// How often noted token uses are written (each token at most once a minute anyway).
const TOKEN_USE_PERIOD: Duration = Duration::from_secs(15);
/// How often failed file removals are retried (each with its own backoff, 30 s to 1 h).
const FILE_REMOVAL_PERIOD: Duration = Duration::from_secs(30);

/// Connects, migrates and opens storage as `config` says.
pub async fn open(config: Config) -> Result<Arc<AppState>, String> {
    config.validate()?;
    let db = connect::connect(config.database_url.as_str(), config.db_timeout())
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
    metrics: Arc<Metrics>,
}

impl Background {
    /// Starts every background task of a serving process.
    pub fn start(state: &Arc<AppState>, limits: &Arc<Limits>) -> Self {
        let (stop, _) = watch::channel(false);
        let mut bg = Self {
            stop,
            tasks: JoinSet::new(),
            metrics: state.metrics.clone(),
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
                    Ok(r) => {
                        if r.reconciled + r.rejudged > 0 || before == 0 {
                            tracing::info!(
                                reconciled = r.reconciled,
                                rejudged = r.rejudged,
                                judged_since_start = s.verdicts.judged(),
                                elapsed_ms = started.elapsed().as_millis() as u64,
                                "run verdicts refreshed"
                            );
                        }
                        true
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "run verdict refresh failed; retrying");
                        false
                    }
                }
            }
        });
        // Between requests too, so an outage is known (and answered 503 at once) and a recovery
        // noticed within a second.
        let s = state.clone();
        bg.every("database probe", PROBE_PERIOD, PROBE_PERIOD, move || {
            let s = s.clone();
            async move { s.availability.probe(&s.db, s.config.db_timeout()).await }
        });
        // Mail: woken by each queued message, and every few seconds for retries.
        let s = state.clone();
        bg.every_or_woken(
            "mail sender",
            MAIL_PERIOD,
            state.mailer.wake.clone(),
            move || {
                let s = s.clone();
                async move {
                    loop {
                        match crate::mail::sender::deliver_due(&s.db, &s.mailer).await {
                            Ok(n) if n as u64 == crate::mail::sender::BATCH => continue,
                            Ok(_) => return true,
                            Err(e) => {
                                tracing::warn!(error = %e, "mail outbox unreadable; retrying");
                                return false;
                            }
                        }
                    }
                }
            },
        );
        // The event log: recorded on one replica (a lease), read by every replica's hub.
        let s = state.clone();
        let poll = Duration::from_millis(state.config.event_poll_ms);
        bg.every_or_woken(
            "event recorder",
            poll,
            state.live.record.clone(),
            move || {
                let s = s.clone();
                async move {
                    match s.live.recorder.pass(&s.db, &s.verdicts).await {
                        Ok(r) => {
                            if r.entries > 0 {
                                // Streams here hear of it now, not at the hub's next poll.
                                let _ = s.live.hub.pass(&s.db).await;
                            }
                            if r.deliveries > 0 {
                                s.live.send.notify_one();
                            }
                            true
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "events not recorded; retrying");
                            false
                        }
                    }
                }
            },
        );
        let s = state.clone();
        bg.every("event hub", Duration::ZERO, poll, move || {
            let s = s.clone();
            async move {
                match s.live.hub.pass(&s.db).await {
                    Ok(_) => true,
                    Err(e) => {
                        tracing::warn!(error = %e, "event log unreadable; retrying");
                        false
                    }
                }
            }
        });
        let s = state.clone();
        let period = Duration::from_millis(state.config.webhook_poll_ms);
        bg.every_or_woken(
            "webhook sender",
            period,
            state.live.send.clone(),
            move || {
                let s = s.clone();
                async move {
                    loop {
                        match s.live.sender.deliver_due(&s.db).await {
                            Ok(n) if n as u64 == crate::live::sender::BATCH => continue,
                            Ok(_) => return true,
                            Err(e) => {
                                tracing::warn!(error = %e, "webhook outbox unreadable; retrying");
                                return false;
                            }
                        }
                    }
                }
            },
        );
        let s = state.clone();
        bg.every(
            "token use flush",
            TOKEN_USE_PERIOD,
            TOKEN_USE_PERIOD,
            move || {
                let s = s.clone();
                async move {
                    match crate::data::token_use::flush(&s.db, &s.token_use).await {
                        Ok(_) => true,
                        Err(e) => {
                            tracing::warn!(error = %e, "token use not written; retrying");
                            false
                        }
                    }
                }
            },
        );
        let s = state.clone();
        bg.every(
            "file removal retries",
            FILE_REMOVAL_PERIOD,
            FILE_REMOVAL_PERIOD,
            move || {
                let s = s.clone();
                async move {
                    loop {
                        match crate::files::removal::retry_due(&s.db, &s.storage).await {
                            Ok(n) if n as u64 == crate::files::removal::BATCH => continue,
                            Ok(_) => return true,
                            Err(e) => {
                                tracing::warn!(error = %e, "file removals unreadable; retrying");
                                return false;
                            }
                        }
                    }
                }
            },
        );
        // Temporary uploads a crashed process left behind: at start, then hourly.
        let s = state.clone();
        bg.every(
            "temporary upload sweeper",
            Duration::ZERO,
            Duration::from_secs(3600),
            move || {
                let s = s.clone();
                async move {
                    let n = crate::files::upload::sweep_stale_temps(&s.storage).await;
                    if n > 0 {
                        tracing::info!(removed = n, "stale temporary uploads removed");
                    }
                    true
                }
            },
        );
        // Idempotency keys past the day they are kept.
        let s = state.clone();
        bg.every(
            "idempotency key sweeper",
            Duration::from_secs(60),
            Duration::from_secs(3600),
            move || {
                let s = s.clone();
                async move {
                    match crate::data::idempotency::sweep(&s.db).await {
                        Ok(n) => {
                            if n > 0 {
                                tracing::info!(removed = n, "expired idempotency keys removed");
                            }
                            true
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "idempotency keys not swept; retrying");
                            false
                        }
                    }
                }
            },
        );
        let l = limits.clone();
        let s = state.clone();
        bg.every(
            "rate-limit sweeper",
            Duration::from_secs(60),
            Duration::from_secs(60),
            move || {
                l.sweep();
                s.login_throttle.sweep();
                async { true }
            },
        );
        bg
    }

    /// Runs `work` after `first`, then every `period`, until stopped; each pass says whether it
    /// succeeded, for the metrics.
    fn every<F, Fut>(&mut self, name: &'static str, first: Duration, period: Duration, work: F)
    where
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = bool> + Send,
    {
        let mut stop = self.stop.subscribe();
        let metrics = self.metrics.clone();
        self.tasks.spawn(async move {
            let mut next = tokio::time::Instant::now() + first;
            loop {
                tokio::select! {
                    _ = tokio::time::sleep_until(next) => {}
                    _ = stop.changed() => break,
                }
                // A pass in progress finishes before the task stops (its writes are atomic).
                metrics.task(name, work().await);
                next = tokio::time::Instant::now() + period;
            }
            tracing::debug!(task = name, "stopped");
        });
    }

    /// Runs `work` at once, then every `period` or as soon as `wake` is notified.
    fn every_or_woken<F, Fut>(
        &mut self,
        name: &'static str,
        period: Duration,
        wake: Arc<tokio::sync::Notify>,
        work: F,
    ) where
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = bool> + Send,
    {
        let mut stop = self.stop.subscribe();
        let metrics = self.metrics.clone();
        self.tasks.spawn(async move {
            loop {
                metrics.task(name, work().await);
                tokio::select! {
                    _ = tokio::time::sleep(period) => {}
                    _ = wake.notified() => {}
                    _ = stop.changed() => break,
                }
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
    let limits = Limits::from_config(
        &state.config,
        state.metrics.clone(),
        state.rate_book.clone(),
    );
    let background = Background::start(&state, &limits);
    let addr = state.config.bind;
    let grace = Duration::from_secs(state.config.shutdown_grace);
    let metrics_server = state.config.metrics_bind.map(|bind| {
        tracing::info!(%bind, "metrics at http://{bind}/metrics");
        tokio::spawn(serve_metrics(bind, state.clone()))
    });
    let server_limits = http::server::ServerLimits::from_config(&state.config);
    let app = http::build_app(state, limits);
    let listener = http::server::listen(addr).map_err(|e| format!("listen on {addr}: {e}"))?;
    tracing::info!(%addr, "listening; docs at http://{addr}{API_PREFIX}/docs");
    http::server::serve(listener, app, server_limits, shutdown_signal(), grace).await;
    let served = Ok(());
    background.stop(grace).await;
    if let Some(m) = metrics_server {
        m.abort();
    }
    tracing::info!("stopped");
    served
}

/// `GET /metrics` in Prometheus' text format, on its own address so it is never part of the
/// public API (bind it to a private interface).
async fn serve_metrics(bind: std::net::SocketAddr, state: Arc<AppState>) {
    use poem::{EndpointExt, Route, get, handler, web::Data};
    #[handler]
    fn metrics(Data(state): Data<&Arc<AppState>>) -> poem::Response {
        poem::Response::builder()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .body(render_metrics(state))
    }
    let app = Route::new().at("/metrics", get(metrics)).data(state);
    if let Err(e) = poem::Server::new(poem::listener::TcpListener::bind(bind))
        .run(app)
        .await
    {
        tracing::error!(%bind, error = %e, "metrics endpoint stopped");
    }
}

pub fn render_metrics(state: &AppState) -> String {
    let (pool_connections, pool_idle) = crate::data::connect::pool_use(&state.db);
    state.metrics.render(Gauges {
        pool_connections,
        pool_idle,
        database_up: !state.availability.is_down(),
        hash_slots_busy: state.hashing.busy(),
    })
}
