//! Load benchmark (a script, not a test): boots a release `spci demo` with a synthetic dataset
//! (default 10,000 runs × 200 regression tests, SQLite in a temporary directory) and reports
//! latency percentiles of the read paths that scale with it.
//!
//! ```sh
//! cargo build --release -p spci && cargo bench -p contract-tests --bench load
//! LOAD_RUNS=1000 LOAD_TESTS=50 LOAD_REQUESTS=100 cargo bench -p contract-tests --bench load
//! LOAD_DATABASE_URL=postgres://ci@127.0.0.1:55432/load cargo bench -p contract-tests --bench load
//! ```
//!
//! Requests are sequential from one client on loopback, so the figures are per-request latency
//! including HTTP, JSON and the database, not throughput.
use contract_tests::server::{Boot, Server, release_binary};
use serde_json::Value;
use std::time::{Duration, Instant};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Client {
    http: reqwest::blocking::Client,
    base: String,
    token: String,
}

impl Client {
    fn get(&self, path: &str) -> (Duration, Value) {
        let started = Instant::now();
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = response.status();
        let body: Value = response.json().expect("a JSON body");
        let took = started.elapsed();
        assert!(status.is_success(), "GET {path}: {status} {body}");
        (took, body)
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not meaningful here.
    let runs = env_or("LOAD_RUNS", 10_000);
    let tests = env_or("LOAD_TESTS", 200);
    let requests = env_or("LOAD_REQUESTS", 200);

    let started = Instant::now();
    let server = Server::boot(Boot {
        binary: release_binary(),
        demo_args: vec![
            "--runs".into(),
            runs.to_string(),
            "--tests".into(),
            tests.to_string(),
        ],
        database_url: std::env::var("LOAD_DATABASE_URL").ok(),
        seed_timeout: Duration::from_secs(3600),
        env: vec![],
    });
    let seeded = started.elapsed();
    let client = Client {
        http: reqwest::blocking::Client::new(),
        base: server.base.clone(),
        token: server.token.clone(),
    };

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
        "dataset: {runs} runs x {tests} regression tests ({} result rows); seeded and serving in {:.1} s",
        runs * tests,
        seeded.as_secs_f64()
    );
    println!(
        "first status-filtered list (judges every run once): {} ms",
        ms(warm)
    );
    println!("sequential requests (n) after 5 warm-up requests each:");
    println!(
        "{:<56} {:>5} {:>8} {:>8} {:>8} {:>8}",
        "request", "n", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    // The status-filtered history judges every result of the sample: fewer rounds of it.
    let slow = (requests / 10).max(5);
    let paths = [
        ("/runs?limit=50".to_string(), requests),
        ("/runs?status=fail&limit=50".to_string(), requests),
        (
            "/runs?status=pass&limit=50&offset=5000".to_string(),
            requests,
        ),
        (format!("/runs/{run_id}/summary"), requests),
        (format!("/runs/{run_id}/samples?limit=50"), requests),
        (format!("/samples/{sample_id}/history?limit=50"), requests),
        (
            format!("/samples/{sample_id}/history?status=fail&limit=50"),
            slow,
        ),
    ];
    for (path, n) in &paths {
        for _ in 0..5 {
            client.get(path);
        }
        let mut took: Vec<Duration> = (0..*n).map(|_| client.get(path).0).collect();
        took.sort();
        println!(
            "{:<56} {:>5} {:>8} {:>8} {:>8} {:>8}",
            format!("GET {path}"),
            n,
            ms(percentile(&took, 0.50)),
            ms(percentile(&took, 0.95)),
            ms(percentile(&took, 0.99)),
            ms(*took.last().unwrap()),
        );
    }
}
