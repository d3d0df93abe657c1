//! Load benchmark (a script, not a test): boots a release `spci demo` with a synthetic dataset
//! (default 10,000 runs × 200 regression tests, SQLite in a temporary directory), reports
//! latency percentiles and throughput of the read paths that scale with it at concurrency 1
//! and 16, then restarts the server on the same database and reports what the restart judged.
//!
//! ```sh
//! cargo build --release -p spci && cargo bench -p contract-tests --bench load
//! LOAD_RUNS=1000 LOAD_TESTS=50 LOAD_REQUESTS=100 cargo bench -p contract-tests --bench load
//! LOAD_DATABASE_URL=postgres://ci@127.0.0.1:55432/load cargo bench -p contract-tests --bench load
//! LOAD_ONLY=comparison,flaky,status=fail cargo bench -p contract-tests --bench load
//! ```
//!
//! Each cell runs at least `LOAD_REQUESTS` requests and at least `LOAD_SECONDS` (default 5).
//! Clients are threads on loopback, each with its own keep-alive connection; the figures include
//! HTTP, JSON and the database.
use contract_tests::server::{Boot, Server, release_binary};
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The first status-filtered request waits for the first judging of every run: no 30 s limit.
fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(900))
        .build()
        .expect("an HTTP client")
}

#[derive(Clone)]
struct Client {
    http: reqwest::blocking::Client,
    base: String,
    /// None: an anonymous client.
    token: Option<String>,
    /// Sent as If-None-Match.
    etag: Option<String>,
    /// The status every answer must have (any 2xx when 200).
    expect: u16,
}

impl Client {
    fn new(server: &Server) -> Self {
        Self {
            http: http(),
            base: server.base.clone(),
            token: Some(server.token.clone()),
            etag: None,
            expect: 200,
        }
    }

    fn get(&self, path: &str) -> (Duration, Value) {
        self.get_with_etag(path).0
    }

    /// The answer's time and body (null without one), and its ETag.
    fn get_with_etag(&self, path: &str) -> ((Duration, Value), Option<String>) {
        let started = Instant::now();
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(etag) = &self.etag {
            request = request.header("If-None-Match", etag);
        }
        let response = request.send().unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = response.status();
        let etag = response
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = response.bytes().expect("a body");
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let took = started.elapsed();
        let expected = if self.expect == 200 {
            status.is_success()
        } else {
            status.as_u16() == self.expect
        };
        assert!(expected, "GET {path}: {status} {body}");
        ((took, body), etag)
    }
}

struct Stats {
    count: usize,
    p50: Duration,
    p99: Duration,
    per_second: f64,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// At least `n` requests of `path` from `concurrency` clients, and for at least `window`
/// (short runs are at the mercy of one scheduler hiccup), after a warm-up on each client.
fn measure(client: &Client, path: &str, n: usize, concurrency: usize, window: Duration) -> Stats {
    let per_client = n.div_ceil(concurrency);
    // Every client is connected and warm before the clock starts.
    let ready = std::sync::Arc::new(std::sync::Barrier::new(concurrency + 1));
    let start = std::sync::Arc::new(std::sync::OnceLock::<Instant>::new());
    let handles: Vec<_> = (0..concurrency)
        .map(|_| {
            let c = Client {
                http: http(),
                ..client.clone()
            };
            let path = path.to_string();
            let (ready, start) = (ready.clone(), start.clone());
            std::thread::spawn(move || {
                for _ in 0..3 {
                    c.get(&path);
                }
                ready.wait();
                let started = *start.get_or_init(Instant::now);
                let mut took = vec![];
                while took.len() < per_client || started.elapsed() < window {
                    took.push(c.get(&path).0);
                }
                took
            })
        })
        .collect();
    ready.wait();
    let started = *start.get_or_init(Instant::now);
    let mut took: Vec<Duration> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("a client thread"))
        .collect();
    let wall = started.elapsed();
    took.sort();
    Stats {
        count: took.len(),
        p50: percentile(&took, 0.50),
        p99: percentile(&took, 0.99),
        per_second: took.len() as f64 / wall.as_secs_f64(),
    }
}

/// How many runs the server said it judged since it started (its JSON log, at info level).
fn judged_since_start(log: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(log).ok()?;
    text.lines()
        .rev()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find_map(|v| v["fields"]["judged_since_start"].as_u64())
}

fn boot(database_url: &str, demo_args: Vec<String>, log: &Path) -> Server {
    Server::boot(Boot {
        binary: release_binary(),
        demo_args,
        database_url: Some(database_url.to_string()),
        seed_timeout: Duration::from_secs(3600),
        env: vec![
            ("RUST_LOG".into(), "warn,spci::startup=info".into()),
            ("SPCI_LOG_FORMAT".into(), "json".into()),
        ],
        log: Some(log.to_path_buf()),
        fd_limit: None,
    })
}

fn main() {
    let runs = env_or("LOAD_RUNS", 10_000);
    let tests = env_or("LOAD_TESTS", 200);
    let requests = env_or("LOAD_REQUESTS", 320);
    let window = Duration::from_secs(env_or("LOAD_SECONDS", 5) as u64);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let database_url = std::env::var("LOAD_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite:{}?mode=rwc", dir.path().join("load.db").display()));
    let log = dir.path().join("spci.log");

    let started = Instant::now();
    let server = boot(
        &database_url,
        vec![
            "--runs".into(),
            runs.to_string(),
            "--tests".into(),
            tests.to_string(),
        ],
        &log,
    );
    let seeded = started.elapsed();
    let client = Client::new(&server);

    // The first filtered list waits for the startup judging of every run: report it apart.
    let (warm, _) = client.get("/runs?status=fail&limit=1");
    let (_, failing) = client.get("/runs?status=fail&limit=1");
    let run_id = failing["data"][0]["run_id"]
        .as_i64()
        .expect("a failing run exists");
    let (_, samples) = client.get("/samples?name=load-sample-0&limit=1");
    let sample_id = samples["data"][0]["sample_id"]
        .as_i64()
        .expect("the synthetic sample exists");

    println!(
        "dataset: {runs} runs x {tests} regression tests ({} result rows) on {}; seeded and serving in {:.1} s",
        runs * tests,
        database_url.split(':').next().unwrap_or("?"),
        seeded.as_secs_f64()
    );
    println!(
        "first status-filtered list (waits for the first judging of every run): {} ms",
        ms(warm)
    );
    println!(
        "{:<54} {:>12} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>6}",
        "request",
        "n c1/c16",
        "c1 p50",
        "c1 p99",
        "c1 r/s",
        "c16 p50",
        "c16 p99",
        "c16 r/s",
        "ratio"
    );
    let (_, progress_etag) = client.get_with_etag(&format!("/runs/{run_id}/progress"));
    let polling = Client {
        etag: progress_etag,
        expect: 304,
        ..client.clone()
    };
    let anonymous = Client {
        token: None,
        expect: 404,
        ..client.clone()
    };
    let cells = [
        (
            format!("/runs/{run_id}/progress (If-None-Match: 304)"),
            requests,
            &polling,
        ),
        (
            "/no-such-path (no token: 404)".to_string(),
            requests,
            &anonymous,
        ),
        (format!("/runs/{run_id}/progress"), requests, &client),
    ];
    let paths = [
        ("/runs?limit=50".to_string(), requests),
        ("/runs?status=fail&limit=50".to_string(), requests),
        ("/runs?status=canceled&limit=50".to_string(), requests),
        ("/runs?effective_status=fail&limit=50".to_string(), requests),
        (
            "/runs?status=pass&limit=50&offset=5000".to_string(),
            requests,
        ),
        ("/system/queue?limit=50".to_string(), requests),
        (format!("/runs/{run_id}"), requests),
        (format!("/runs/{run_id}/summary"), requests),
        (format!("/runs/{run_id}/samples?limit=50"), requests),
        (format!("/samples/{sample_id}/history?limit=50"), requests),
        (
            format!("/samples/{sample_id}/history?status=fail&limit=50"),
            requests,
        ),
        (
            format!("/runs/{run_id}/comparison?base=master&limit=50"),
            requests,
        ),
        (
            "/regression-tests/flaky?platform=linux&window=50&limit=50".to_string(),
            requests,
        ),
        (format!("/runs/{run_id}/failure-groups"), requests),
    ];
    // LOAD_ONLY=comparison,flaky measures only the paths containing one of those words.
    let only: Vec<String> = std::env::var("LOAD_ONLY")
        .map(|v| v.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    let cells = cells
        .into_iter()
        .chain(paths.into_iter().map(|(p, n)| (p, n, &client)));
    for (label, n, c) in cells {
        if !only.is_empty() && !only.iter().any(|w| label.contains(w.as_str())) {
            continue;
        }
        // The label's words after the path are for the table.
        let path = label.split(' ').next().unwrap_or_default();
        let (one, sixteen) = (
            measure(c, path, n, 1, window),
            measure(c, path, n, 16, window),
        );
        let path = &label;
        println!(
            "{:<54} {:>12} {:>8} {:>8} {:>8.0} {:>8} {:>8} {:>8.0} {:>6.2}",
            format!("GET {path}"),
            format!("{}/{}", one.count, sixteen.count),
            ms(one.p50),
            ms(one.p99),
            one.per_second,
            ms(sixteen.p50),
            ms(sixteen.p99),
            sixteen.per_second,
            sixteen.per_second / one.per_second,
        );
    }
    let first_judged = judged_since_start(&log);
    drop(server);

    // A restart on the judged database: nothing is judged again.
    let started = Instant::now();
    let server = boot(&database_url, vec![], &log);
    let client = Client::new(&server);
    let (first, _) = client.get("/runs?status=fail&limit=50");
    let restarted = started.elapsed();
    std::thread::sleep(Duration::from_millis(500));
    println!(
        "restart on the judged database: serving in {:.1} s, first status-filtered list {} ms; runs judged: first start {}, restart {}",
        restarted.as_secs_f64(),
        ms(first),
        first_judged.map_or("?".into(), |n| n.to_string()),
        judged_since_start(&log).map_or("?".into(), |n| n.to_string()),
    );
}
