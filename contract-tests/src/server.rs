//! The server under test: a live one (`SPCI_URL` + `SPCI_TOKEN`), or the real `spci` binary
//! booted on a free port with freshly seeded demo data in a temporary directory.
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    pub base: String,
    pub token: String,
    child: Option<Child>,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(c) = &mut self.child {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The `spci` binary: `SPCI_BIN`, else the workspace's debug build (built here if missing).
fn binary() -> PathBuf {
    if let Ok(p) = std::env::var("SPCI_BIN") {
        return p.into();
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| workspace_root().join("target"));
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "-q", "--workspace", "--bins"])
        .current_dir(workspace_root())
        .status()
        .expect("run cargo build");
    assert!(status.success(), "building spci failed");
    target.join("debug").join("spci")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    pub fn start() -> Self {
        if let (Ok(url), Ok(token)) = (std::env::var("SPCI_URL"), std::env::var("SPCI_TOKEN")) {
            return Self {
                base: url.trim_end_matches('/').to_string(),
                token,
                child: None,
                _dir: None,
            };
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let db = std::env::var("CONTRACT_DATABASE_URL").unwrap_or_else(|_| {
            format!("sqlite:{}?mode=rwc", dir.path().join("spci.db").display())
        });
        let mut child = Command::new(binary())
            .arg("demo")
            .env("DATABASE_URL", db)
            .env("SPCI_STORAGE", dir.path().join("storage"))
            .env("SPCI_BIND", format!("127.0.0.1:{port}"))
            // The harness sends many requests from one address: it configures generous limits
            // (the limiter stays on; its own tests prove it refuses).
            .env("SPCI_RATE_READS", "1000000")
            .env("SPCI_RATE_WRITES", "1000000")
            .env("SPCI_RATE_PER_IP", "1000000")
            .env("SPCI_RATE_CREDENTIALS", "1000000")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start spci demo");
        let stdout = child.stdout.take().expect("stdout");
        // Keep draining stdout for the server's lifetime so its writes never hit a closed pipe.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(t) = line.strip_prefix("admin token: ") {
                    let _ = tx.send(t.trim().to_string());
                }
            }
        });
        let token = rx.recv_timeout(Duration::from_secs(120)).ok();
        let token = token.expect("spci demo printed an admin token");
        let base = format!("http://127.0.0.1:{port}/api/v1");
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = reqwest::blocking::Client::new();
        while client.get(format!("{base}/system/health")).send().is_err() {
            assert!(Instant::now() < deadline, "spci did not start listening");
            std::thread::sleep(Duration::from_millis(100));
        }
        Self {
            base,
            token,
            child: Some(child),
            _dir: Some(dir),
        }
    }
}
