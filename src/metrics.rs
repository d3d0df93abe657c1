//! Prometheus metrics: requests per operation by status class, latency histograms, database
//! pool use, the database probe's view, rate-limiter rejections, password-hashing slots, and
//! background task health. Exposed only on `SPCI_METRICS_BIND` (nothing by default), never on
//! the public API.
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    operation: &'static str,
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabel {
    operation: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LimiterLabel {
    limiter: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TaskOutcome {
    task: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TaskLabel {
    task: &'static str,
}

type Histograms = Family<OperationLabel, Histogram, fn() -> Histogram>;

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Histograms,
    rejections: Family<LimiterLabel, Counter>,
    task_runs: Family<TaskOutcome, Counter>,
    task_last_ok: Family<TaskLabel, Gauge>,
    pool_connections: Gauge,
    pool_idle: Gauge,
    database_up: Gauge,
    hash_slots_busy: Gauge,
}

fn latency_histogram() -> Histogram {
    // 0.5 ms to ~8 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("spci");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "Requests answered, by operation (or `none`) and status class",
            requests.clone(),
        );
        let latency: Histograms = Family::new_with_constructor(latency_histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time from request to response head, by operation",
            latency.clone(),
        );
        let rejections = Family::<LimiterLabel, Counter>::default();
        registry.register(
            "rate_limit_rejections",
            "Requests refused with 429, by limiter",
            rejections.clone(),
        );
        let task_runs = Family::<TaskOutcome, Counter>::default();
        registry.register(
            "background_task_runs",
            "Passes of each background task, by outcome",
            task_runs.clone(),
        );
        let task_last_ok = Family::<TaskLabel, Gauge>::default();
        registry.register(
            "background_task_last_success_timestamp_seconds",
            "Unix time of each background task's last successful pass",
            task_last_ok.clone(),
        );
        let gauge = |registry: &mut Registry, name: &str, help: &str| {
            let g = Gauge::default();
            registry.register(name, help, g.clone());
            g
        };
        let pool_connections = gauge(
            &mut registry,
            "db_pool_connections",
            "Open database connections",
        );
        let pool_idle = gauge(
            &mut registry,
            "db_pool_idle_connections",
            "Idle database connections",
        );
        let database_up = gauge(
            &mut registry,
            "database_up",
            "1 while the database probe reaches the database",
        );
        let hash_slots_busy = gauge(
            &mut registry,
            "password_hash_slots_busy",
            "Password checks running now",
        );
        Self {
            registry,
            requests,
            latency,
            rejections,
            task_runs,
            task_last_ok,
            pool_connections,
            pool_idle,
            database_up,
            hash_slots_busy,
        }
    }
}

/// What the scrape reads from the rest of the process at that moment.
pub struct Gauges {
    pub pool_connections: u32,
    pub pool_idle: u32,
    pub database_up: bool,
    pub hash_slots_busy: usize,
}

impl Metrics {
    pub fn request(&self, operation: Option<&'static str>, status: u16, took: Duration) {
        let operation = operation.unwrap_or("none");
        let status = match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        self.requests
            .get_or_create(&RequestLabels { operation, status })
            .inc();
        self.latency
            .get_or_create(&OperationLabel { operation })
            .observe(took.as_secs_f64());
    }

    pub fn rejected(&self, limiter: &'static str) {
        self.rejections
            .get_or_create(&LimiterLabel { limiter })
            .inc();
    }

    pub fn task(&self, task: &'static str, ok: bool) {
        let outcome = if ok { "ok" } else { "failed" };
        self.task_runs
            .get_or_create(&TaskOutcome { task, outcome })
            .inc();
        if ok {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            self.task_last_ok
                .get_or_create(&TaskLabel { task })
                .set(now);
        }
    }

    /// The text exposition format, with the gauges as they are now.
    pub fn render(&self, now: Gauges) -> String {
        self.pool_connections.set(i64::from(now.pool_connections));
        self.pool_idle.set(i64::from(now.pool_idle));
        self.database_up.set(i64::from(now.database_up));
        self.hash_slots_busy.set(now.hash_slots_busy as i64);
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_rejections_and_tasks_are_counted() {
        let m = Metrics::default();
        m.request(Some("getRun"), 200, Duration::from_millis(3));
        m.request(Some("getRun"), 404, Duration::from_millis(1));
        m.request(None, 404, Duration::from_millis(1));
        m.rejected("per_ip");
        m.task("verdict refresher", true);
        let text = m.render(Gauges {
            pool_connections: 3,
            pool_idle: 2,
            database_up: true,
            hash_slots_busy: 0,
        });
        for line in [
            r#"spci_http_requests_total{operation="getRun",status="2xx"} 1"#,
            r#"spci_http_requests_total{operation="getRun",status="4xx"} 1"#,
            r#"spci_http_requests_total{operation="none",status="4xx"} 1"#,
            r#"spci_http_request_duration_seconds_count{operation="getRun"} 2"#,
            r#"spci_rate_limit_rejections_total{limiter="per_ip"} 1"#,
            r#"spci_background_task_runs_total{task="verdict refresher",outcome="ok"} 1"#,
            "spci_db_pool_connections 3",
            "spci_database_up 1",
        ] {
            assert!(text.contains(line), "{line} not in\n{text}");
        }
    }
}
