//! The process as an operator runs it: SIGTERM (what every container runtime sends) drains
//! in-flight requests before exiting, and `spci demo` refuses a production database.
use contract_tests::server::{Boot, Server, debug_binary};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

fn boot() -> Server {
    Server::boot(Boot {
        binary: debug_binary(),
        demo_args: vec![],
        database_url: None,
        seed_timeout: Duration::from_secs(120),
        env: vec![("SPCI_SHUTDOWN_GRACE".into(), "10".into())],
        log: None,
        fd_limit: None,
    })
}

fn signal(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .expect("run kill")
        .success();
    assert!(ok, "kill {sig} {pid}");
}

#[test]
fn sigterm_drains_an_in_flight_request_then_exits_cleanly() {
    let mut server = boot();
    let (pid, _) = server.local().expect("a booted server");
    let addr = server.addr().to_string();
    // A request whose body is still arriving when the signal comes: it is in flight.
    let body =
        r#"{"email": "nobody@example.com", "password": "wrong-password", "token_name": "drain"}"#;
    let (head, tail) = body.split_at(20);
    let mut conn = TcpStream::connect(&addr).unwrap();
    write!(
        conn,
        "POST /api/v1/auth/tokens HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{head}",
        body.len()
    )
    .unwrap();
    conn.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    signal(pid, "-TERM");
    std::thread::sleep(Duration::from_millis(300));
    conn.write_all(tail.as_bytes()).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut answer = String::new();
    let _ = conn.read_to_string(&mut answer);
    assert!(
        answer.starts_with("HTTP/1.1 401"),
        "the in-flight request is answered in full: {answer:?}"
    );
    assert!(answer.contains("invalid_credentials"), "{answer}");

    let child = server.process().unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "spci did not exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "a drained shutdown exits 0: {status:?}");
    assert!(
        TcpStream::connect(&addr).is_err(),
        "nothing listens after the drain"
    );
}

#[test]
fn demo_refuses_production_mode_before_touching_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("prod.db");
    let out = Command::new(debug_binary())
        .args(["demo", "--no-serve"])
        .env("SPCI_MODE", "production")
        .env(
            "SPCI_SECRET",
            "a-production-secret-of-more-than-32-characters",
        )
        .env("DATABASE_URL", format!("sqlite:{}?mode=rwc", db.display()))
        .env("SPCI_STORAGE", dir.path().join("storage"))
        .output()
        .expect("run spci demo");
    assert!(!out.status.success(), "spci demo must fail in production");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("SPCI_MODE=production"), "{stderr}");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("admin token"),
        "no token is printed"
    );
    assert!(!db.exists(), "the database was never opened");
}
