//! Server-sent events under load (a script, not a test): boots a release `spci demo` on SQLite,
//! opens `SSE_CLIENTS` (default 1,000) streams of one running run, then plays upstream's
//! worker, writing that run's result rows and finally its `completed` row straight into the
//! database (Python's sqlite3, as another process would). Reports the server's extra memory
//! with every stream open, whether every client received every event once and in order, and
//! the delivery lag from a row's commit to each client's receipt (p50 / p99).
//!
//! ```sh
//! cargo build --release -p spci && ulimit -n 16384 && cargo bench -p contract-tests --bench sse
//! ```
use contract_tests::server::{Boot, Server, release_binary};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// One client: the (event id, kind, subject, receipt time) of each event until the stream ends.
type Received = Vec<(String, String, i64, Instant)>;

fn follow(mut r: BufReader<TcpStream>) -> Received {
    let mut line = String::new();
    let mut got = vec![];
    let (mut id, mut event) = (String::new(), String::new());
    loop {
        line.clear();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return got;
        }
        let l = line.trim_end();
        if let Some(v) = l.strip_prefix("id:") {
            id = v.trim().into();
        } else if let Some(v) = l.strip_prefix("event:") {
            event = v.trim().into();
        } else if let Some(v) = l.strip_prefix("data:") {
            let data: serde_json::Value = serde_json::from_str(v.trim()).unwrap_or_default();
            let subject = data["result"]["regression_test_id"].as_i64().unwrap_or(-1);
            got.push((id.clone(), event.clone(), subject, Instant::now()));
            if event == "completed" {
                return got;
            }
        } else if l == "0" {
            return got; // the chunked body's end
        }
    }
}

/// Connects and reads the response head; the reader is at the body.
fn open(addr: &str, path: &str, token: &str) -> Result<BufReader<TcpStream>, String> {
    let mut s = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .map_err(|e| format!("send: {e}"))?;
    let mut r = BufReader::new(s);
    let mut line = String::new();
    r.read_line(&mut line).map_err(|e| format!("status: {e}"))?;
    if !line.starts_with("HTTP/1.1 200") {
        return Err(format!("status: {}", line.trim_end()));
    }
    loop {
        line.clear();
        match r.read_line(&mut line) {
            Ok(0) => return Err("closed in the head".into()),
            Ok(_) if line == "\r\n" => return Ok(r),
            Ok(_) => {}
            Err(e) => return Err(format!("head: {e}")),
        }
    }
}

fn main() {
    let clients: usize = std::env::var("SSE_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let server = Server::boot(Boot {
        binary: release_binary(),
        demo_args: vec![],
        database_url: None,
        seed_timeout: Duration::from_secs(300),
        env: [
            ("SPCI_STREAMS_PER_TOKEN", "100000"),
            ("SPCI_STREAMS_MAX", "100000"),
            ("SPCI_MAX_CONNECTIONS_PER_IP", "100000"),
            ("SPCI_MAX_CONNECTIONS", "100000"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
        log: None,
        fd_limit: Some(16384),
    });
    let (pid, storage) = server.local().expect("a local server");
    let db = storage.parent().unwrap().join("spci.db");
    let (_, queue) = server.get("/system/queue?status=running&limit=1");
    let run = queue["data"][0]["run_id"]
        .as_i64()
        .expect("a running demo run");
    let (_, config) = server.get(&format!("/runs/{run}/config"));
    let (_, samples) = server.get(&format!("/runs/{run}/samples?limit=100"));
    let pending: Vec<i64> = samples["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] != "pass" && s["status"] != "fail")
        .filter_map(|s| s["regression_test_id"].as_i64())
        .collect();
    let _ = config;
    assert!(
        !pending.is_empty(),
        "the running run has tests without a result"
    );
    std::thread::sleep(Duration::from_secs(2));
    let before = rss_kib(pid);

    let addr = server.addr().to_string();
    let path = format!("/api/v1/runs/{run}/events");
    // Clients arrive one after another (as a thousand dashboards would, not in the same
    // millisecond): each is connected and past the response head before the next.
    let opened = Instant::now();
    let mut failures: HashMap<String, usize> = HashMap::new();
    let handles: Vec<_> = (0..clients)
        .filter_map(|_| match open(&addr, &path, &server.token) {
            Ok(r) => Some(r),
            Err(e) => {
                *failures.entry(e).or_default() += 1;
                None
            }
        })
        .map(|r| {
            std::thread::Builder::new()
                .stack_size(128 * 1024)
                .spawn(move || follow(r))
                .unwrap()
        })
        .collect();
    let connect_all = opened.elapsed();
    std::thread::sleep(Duration::from_secs(1));
    let open_rss = rss_kib(pid);

    // Upstream's worker: a result row at a time, then the run completed.
    let mut py = Command::new("python3")
        .args([
            "-u",
            "-c",
            "import sqlite3,sys\n\
             db=sqlite3.connect(sys.argv[1])\n\
             for line in sys.stdin:\n\
             \tw=line.split()\n\
             \tif w[0]=='result': db.execute('INSERT OR IGNORE INTO test_result (test_id, regression_test_id, runtime, exit_code, expected_rc) VALUES (?,?,100,0,0)',(int(w[1]),int(w[2])))\n\
             \telse: db.execute(\"INSERT INTO test_progress (test_id, status, timestamp, message) VALUES (?, 'completed', datetime('now'), 'done')\",(int(w[1]),))\n\
             \tdb.commit()\n\
             \tprint('ok', flush=True)\n",
            db.to_str().unwrap(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    let mut to_py = py.stdin.take().unwrap();
    let mut from_py = BufReader::new(py.stdout.take().unwrap());
    let mut committed: HashMap<i64, Instant> = HashMap::new();
    let mut ack = String::new();
    for rt in &pending {
        writeln!(to_py, "result {run} {rt}").unwrap();
        ack.clear();
        from_py.read_line(&mut ack).unwrap();
        committed.insert(*rt, Instant::now());
        std::thread::sleep(Duration::from_millis(50));
    }
    writeln!(to_py, "completed {run}").unwrap();
    ack.clear();
    from_py.read_line(&mut ack).unwrap();
    let completed_at = Instant::now();
    drop(to_py);

    let received: Vec<Received> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let _ = py.wait();
    let first: Vec<&String> = received[0].iter().map(|e| &e.0).collect();
    let all_same = received
        .iter()
        .all(|r| r.iter().map(|e| &e.0).collect::<Vec<_>>() == first);
    // The backlog holds the results recorded before the clients came; count the new ones.
    let results = received[0]
        .iter()
        .filter(|e| e.1 == "sample_result" && committed.contains_key(&e.2))
        .count();
    let mut lags: Vec<Duration> = received
        .iter()
        .flat_map(|r| {
            r.iter()
                .filter_map(|(_, kind, subject, at)| match kind.as_str() {
                    "sample_result" => committed.get(subject).map(|c| at.duration_since(*c)),
                    "completed" => Some(at.duration_since(completed_at)),
                    _ => None,
                })
        })
        .collect();
    lags.sort();
    let pct = |p: f64| lags[((lags.len() - 1) as f64 * p) as usize];
    println!(
        "{clients} clients of run {run}: connected in {:.2} s; server RSS {} MiB before, {} MiB with every stream open (+{:.1} MiB, {:.1} KiB per stream)",
        connect_all.as_secs_f64(),
        before / 1024,
        open_rss / 1024,
        (open_rss.saturating_sub(before)) as f64 / 1024.0,
        (open_rss.saturating_sub(before)) as f64 / clients as f64,
    );
    println!(
        "{} result rows and the completion written; each client received {} events ({} results), every client the same ids in the same order: {all_same}",
        pending.len(),
        first.len(),
        results
    );
    println!(
        "delivery lag, commit to receipt, over {} receipts: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        lags.len(),
        pct(0.5).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
        lags.last().unwrap().as_secs_f64() * 1000.0
    );
    assert!(failures.is_empty(), "clients failed: {failures:?}");
    assert!(
        all_same && results == pending.len(),
        "every client received every event"
    );
}
