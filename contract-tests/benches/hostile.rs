//! Hostile-day benchmark (a script, not a test): boots a release `spci demo` and reports
//! - `flood`: 300 client IPs (through a trusted proxy's X-Forwarded-For) each sending 6 wrong
//!   logins at once, in argon2id mode: the server's peak and settled resident memory, how the
//!   logins were answered, and the latency of ordinary reads made during the flood;
//! - `mixed`: `MIXED_SECONDS` (default 300) of mixed load at concurrency 32 (reads, run creation
//!   and cancel, token creation and revocation), no flood: every status class seen, and the
//!   resident memory sampled every 10 s after a 60 s warm-up.
//!
//! `HOSTILE_PASSWORD_FORMAT=sha512_crypt` runs the mixed load with upstream's password format;
//! `HOSTILE_LOG=<file>` keeps the server's log (warnings and errors) after the run.
//!
//! ```sh
//! cargo build --release -p spci
//! cargo bench -p contract-tests --bench hostile                       # both, SQLite
//! HOSTILE=mixed LOAD_DATABASE_URL=postgres://ci@127.0.0.1:5432/load cargo bench -p contract-tests --bench hostile
//! ```
use contract_tests::server::{Boot, Server, release_binary};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn boot(env: &[(&str, &str)]) -> (Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let database_url = std::env::var("LOAD_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite:{}?mode=rwc", dir.path().join("h.db").display()));
    let server = Server::boot(Boot {
        binary: release_binary(),
        demo_args: vec![],
        database_url: Some(database_url),
        seed_timeout: Duration::from_secs(600),
        env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        // HOSTILE_LOG keeps the server's log (warnings and errors) after the run.
        log: Some(
            std::env::var("HOSTILE_LOG")
                .map(std::path::PathBuf::from)
                .unwrap_or_else(|_| dir.path().join("spci.log")),
        ),
        fd_limit: None,
    });
    (server, dir)
}

/// (VmRSS, VmHWM) in MiB.
fn memory_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| -> f64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap()
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1000.0
}

fn flood() {
    let (mut server, _dir) = boot(&[
        ("SPCI_PASSWORD_FORMAT", "argon2id"),
        ("SPCI_TRUSTED_PROXIES", "127.0.0.1"),
        // The flood stays within the per-IP credential limit, as the finding describes.
        ("SPCI_RATE_CREDENTIALS", "6"),
    ]);
    let pid = server.process().unwrap().id();
    let (rss_before, _) = memory_mib(pid);
    let statuses = Arc::new(Mutex::new(BTreeMap::<u16, usize>::new()));
    let done = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let attackers: Vec<_> = (0..300)
        .map(|i| {
            let (base, statuses) = (server.base.clone(), statuses.clone());
            std::thread::spawn(move || {
                let http = client();
                for j in 0..6 {
                    let r = http
                        .post(format!("{base}/auth/tokens"))
                        .header(
                            "x-forwarded-for",
                            format!("10.0.{}.{}", i / 250, i % 250 + 1),
                        )
                        .json(&json!({
                            "email": format!("nobody-{i}-{j}@example.com"),
                            "password": "wrong-password",
                            "token_name": "flood"
                        }))
                        .send();
                    let s = r.map(|r| r.status().as_u16()).unwrap_or(0);
                    *statuses.lock().unwrap().entry(s).or_default() += 1;
                }
            })
        })
        .collect();
    // Ordinary reads while the flood lasts.
    let reader = {
        let (base, token, done) = (server.base.clone(), server.token.clone(), done.clone());
        std::thread::spawn(move || {
            let http = client();
            let (mut took, mut failed) = (vec![], 0);
            while !done.load(Ordering::Relaxed) {
                let t = Instant::now();
                match http
                    .get(format!("{base}/runs?limit=10"))
                    .bearer_auth(&token)
                    .send()
                {
                    Ok(r) if r.status() == 200 => took.push(t.elapsed()),
                    _ => failed += 1,
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            took.sort();
            (took, failed)
        })
    };
    let mut peak = 0.0f64;
    while attackers.iter().any(|a| !a.is_finished()) {
        peak = peak.max(memory_mib(pid).0);
        std::thread::sleep(Duration::from_millis(100));
    }
    for a in attackers {
        a.join().unwrap();
    }
    let flood_took = started.elapsed();
    done.store(true, Ordering::Relaxed);
    let (took, failed) = reader.join().unwrap();
    let (_, hwm) = memory_mib(pid);
    std::thread::sleep(Duration::from_secs(10));
    let (settled, _) = memory_mib(pid);
    println!(
        "flood: 300 IPs x 6 wrong logins (argon2id) answered in {:.1} s: {:?}",
        flood_took.as_secs_f64(),
        statuses.lock().unwrap()
    );
    println!(
        "flood: RSS {rss_before:.0} MiB before, peak {:.0} MiB (VmHWM {hwm:.0}), {settled:.0} MiB 10 s after",
        peak.max(hwm)
    );
    println!(
        "flood: GET /runs during the flood: {} answered, {failed} failed, p50 {:.1} ms, p99 {:.1} ms",
        took.len(),
        pct(&took, 0.5),
        pct(&took, 0.99)
    );
}

fn mixed() {
    let seconds: u64 = std::env::var("MIXED_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    // argon2id unless told: the format spci sets when it does not share upstream's database.
    // Upstream's sha512_crypt (1,024,000 rounds) costs each login far more CPU; at this login
    // rate on two cores the hashing pool sheds some of them with 503 (the README's figures).
    let format = std::env::var("HOSTILE_PASSWORD_FORMAT").unwrap_or_else(|_| "argon2id".into());
    let (mut server, _dir) = boot(&[
        ("SPCI_PASSWORD_FORMAT", format.as_str()),
        ("SPCI_RATE_CREDENTIALS", "1000000"),
        ("SPCI_RATE_FAILED_AUTH", "1000000"),
    ]);
    let pid = server.process().unwrap().id();
    let statuses = Arc::new(Mutex::new(BTreeMap::<(String, u16), usize>::new()));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..32)
        .map(|w| {
            let (base, token, statuses) =
                (server.base.clone(), server.token.clone(), statuses.clone());
            std::thread::spawn(move || {
                let http = client();
                let mut n = 0u64;
                let record = |what: &str, s: u16| {
                    *statuses
                        .lock()
                        .unwrap()
                        .entry((what.to_string(), s))
                        .or_default() += 1;
                };
                while Instant::now() < deadline {
                    n += 1;
                    let send = |r: reqwest::blocking::RequestBuilder| {
                        r.bearer_auth(&token)
                            .send()
                            .map(|r| {
                                let s = r.status().as_u16();
                                (s, r.json::<Value>().unwrap_or_default())
                            })
                            .unwrap_or((0, Value::Null))
                    };
                    match n % 20 {
                        // Run creation, then cancel.
                        0 => {
                            let (s, run) = send(http.post(format!("{base}/runs")).json(&json!({
                                "repository": "CCExtractor/ccextractor",
                                "commit_sha": "1978060bf7d2edd119736ba3ba88341f3bec3323",
                                "platform": "linux"
                            })));
                            record("POST /runs", s);
                            if let Some(id) = run["run_id"].as_i64() {
                                let (s, _) = send(
                                    http.post(format!("{base}/runs/{id}/cancel"))
                                        .json(&json!({"reason": "load test"})),
                                );
                                record("POST /runs/{id}/cancel", s);
                            }
                        }
                        // A token created by login (every 200th request), then revoked.
                        10 if n % 200 == 10 => {
                            let r = http
                                .post(format!("{base}/auth/tokens"))
                                .json(&json!({
                                    "email": "admin@example.com",
                                    "password": "demo-admin-password",
                                    "token_name": format!("load-{w}-{n}")
                                }))
                                .send();
                            let (s, t) = r
                                .map(|r| {
                                    (r.status().as_u16(), r.json::<Value>().unwrap_or_default())
                                })
                                .unwrap_or((0, Value::Null));
                            record("POST /auth/tokens", s);
                            if let Some(t) = t["token"].as_str() {
                                let s = http
                                    .delete(format!("{base}/auth/tokens/current"))
                                    .bearer_auth(t)
                                    .send()
                                    .map(|r| r.status().as_u16())
                                    .unwrap_or(0);
                                record("DELETE /auth/tokens/current", s);
                            }
                        }
                        i => {
                            let path = match i % 4 {
                                0 => "/runs?limit=20",
                                1 => "/runs?status=fail&limit=20",
                                2 => "/samples?limit=20",
                                _ => "/system/queue",
                            };
                            let (s, _) = send(http.get(format!("{base}{path}")));
                            record(&format!("GET {path}"), s);
                        }
                    }
                }
            })
        })
        .collect();
    let warm_up = Duration::from_secs(60.min(seconds / 5));
    std::thread::sleep(warm_up);
    let mut samples = vec![];
    while workers.iter().any(|w| !w.is_finished()) {
        samples.push(memory_mib(pid).0);
        std::thread::sleep(Duration::from_secs(10));
    }
    for w in workers {
        w.join().unwrap();
    }
    let statuses = statuses.lock().unwrap();
    let total: usize = statuses.values().sum();
    let errors: usize = statuses
        .iter()
        .filter(|((_, s), _)| *s >= 500 || *s == 0)
        .map(|(_, n)| n)
        .sum();
    println!("mixed: {seconds} s at concurrency 32: {total} responses, {errors} >= 500 or failed");
    for ((what, s), n) in statuses.iter() {
        println!("mixed:   {what:<32} {s} x {n}");
    }
    let (lo, hi) = samples
        .iter()
        .fold((f64::MAX, 0.0f64), |(lo, hi), &r| (lo.min(r), hi.max(r)));
    println!(
        "mixed: RSS after a {} s warm-up: {:.0} MiB first, {lo:.0}..{hi:.0} MiB over {} samples, {:.0} MiB last ({:+.1}% first to last)",
        warm_up.as_secs(),
        samples.first().unwrap_or(&0.0),
        samples.len(),
        samples.last().unwrap_or(&0.0),
        (samples.last().unwrap_or(&0.0) / samples.first().unwrap_or(&1.0) - 1.0) * 100.0
    );
}

fn main() {
    match std::env::var("HOSTILE").as_deref() {
        Ok("flood") => flood(),
        Ok("mixed") => mixed(),
        _ => {
            flood();
            mixed();
        }
    }
}
