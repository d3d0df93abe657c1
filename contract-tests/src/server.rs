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
    /// A token of the admin that has expired (`SPCI_EXPIRED_TOKEN` for a live server).
    pub expired_token: Option<String>,
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

fn target_dir() -> PathBuf {
    std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| workspace_root().join("target"))
}

/// The `spci` binary: `SPCI_BIN`, else the workspace's debug build (built here first, so it is
/// never stale).
pub fn debug_binary() -> PathBuf {
    if let Ok(p) = std::env::var("SPCI_BIN") {
        return p.into();
    }
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "-q", "-p", "spci", "--bin", "spci"])
        .current_dir(workspace_root())
        .status()
        .expect("run cargo build");
    assert!(status.success(), "building spci failed");
    target_dir().join("debug").join("spci")
}

/// `SPCI_BIN`, else the workspace's release build, which the caller builds first: `cargo bench`
/// keeps the build lock while a bench runs, so a bench cannot build it itself.
pub fn release_binary() -> PathBuf {
    let path = std::env::var("SPCI_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|_| target_dir().join("release").join("spci"));
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --release -p spci` first",
        path.display()
    );
    path
}

/// How to boot a fresh `spci demo`.
pub struct Boot {
    pub binary: PathBuf,
    /// Extra arguments after `demo`.
    pub demo_args: Vec<String>,
    /// `None`: a SQLite file in the temporary directory.
    pub database_url: Option<String>,
    /// How long seeding may take before the admin token is printed.
    pub seed_timeout: Duration,
    /// Environment set last (e.g. small rate limits for a test of the limiter).
    pub env: Vec<(String, String)>,
    /// Where the server's log (stderr) goes; `None`: this process's stderr.
    pub log: Option<PathBuf>,
    /// The server's limit of open file descriptors (`ulimit -n`); `None`: inherited.
    pub fd_limit: Option<u32>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    /// The booted server's process id and storage root (`None` for a live server).
    pub fn local(&self) -> Option<(u32, PathBuf)> {
        Some((
            self.child.as_ref()?.id(),
            self._dir.as_ref()?.path().join("storage"),
        ))
    }

    /// The server's `host:port`, for tests that speak HTTP over a raw connection.
    pub fn addr(&self) -> std::net::SocketAddr {
        let host = self
            .base
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap_or_default();
        host.parse()
            .unwrap_or_else(|_| panic!("{} names no address", self.base))
    }

    /// Lets uploads of these extensions through on a server this harness booted. The contract
    /// harness fuzzes the forbidden-extension list of the database it shares with the tests
    /// after it, and may forbid one of them (it once forbade `ts`, and a later upload of a
    /// `.ts` file was refused). A live server's list is its own and is left alone.
    pub fn allow_uploads_of(&self, extensions: &[&str]) {
        if self.child.is_none() {
            return;
        }
        let http = reqwest::blocking::Client::new();
        for ext in extensions {
            let r = http
                .delete(format!("{}/system/forbidden-extensions/{ext}", self.base))
                .bearer_auth(&self.token)
                .send()
                .expect("request");
            let status = r.status().as_u16();
            assert!(
                matches!(status, 200 | 404),
                "allowing .{ext}: {status} {}",
                r.text().unwrap_or_default()
            );
        }
    }

    /// The booted server's process, to signal and wait for.
    pub fn process(&mut self) -> Option<&mut Child> {
        self.child.as_mut()
    }

    /// GET `path` (under the API base) as the admin: the status and the JSON body.
    pub fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let r = reqwest::blocking::Client::new()
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().unwrap_or_default())
    }

    /// The file behind artifact `id` of `run`, written into this server's storage when it lacks
    /// it: the demo's rows outlive one boot on a shared database, while its files live in each
    /// boot's own storage root. Returns the file name. Nothing is written to a server this
    /// harness did not start.
    pub fn ensure_artifact(&self, run: i64, id: &str, bytes: &[u8]) -> String {
        let (_, artifacts) = self.get(&format!("/runs/{run}/artifacts?limit=100"));
        let artifact = artifacts["data"]
            .as_array()
            .expect("a page of artifacts")
            .iter()
            .find(|a| a["artifact_id"] == id)
            .unwrap_or_else(|| panic!("artifact {id} of run {run} listed"))
            .clone();
        let name = artifact["filename"].as_str().unwrap().to_string();
        if artifact["storage_status"] == "missing"
            && let Some((_, storage)) = self.local()
        {
            std::fs::write(storage.join("TestResults").join(&name), bytes).unwrap();
        }
        name
    }

    /// An output that differs from its baseline in the newest failing demo run that has one
    /// (some fail only on a missing output or an exit code), as (run, sample, regression test,
    /// output) ids.
    pub fn differing_output(&self) -> (i64, i64, i64, i64) {
        let (_, runs) = self.get("/runs?status=fail&limit=50");
        let runs: Vec<i64> = runs["data"]
            .as_array()
            .expect("a page of runs")
            .iter()
            .filter_map(|r| r["run_id"].as_i64())
            .collect();
        assert!(!runs.is_empty(), "a failing demo run");
        runs.into_iter()
            .find_map(|run| {
                let (_, samples) = self.get(&format!("/runs/{run}/samples?status=fail&limit=100"));
                samples["data"].as_array()?.iter().find_map(|s| {
                    let o = s["outputs"]
                        .as_array()?
                        .iter()
                        .find(|o| o["status"] == "fail")?;
                    Some((
                        run,
                        s["sample_id"].as_i64()?,
                        s["regression_test_id"].as_i64()?,
                        o["output_id"].as_i64()?,
                    ))
                })
            })
            .expect("a differing output in a failing demo run")
    }

    /// The server `SPCI_URL` + `SPCI_TOKEN` name, else a debug `spci demo` with the demo data
    /// (on `CONTRACT_DATABASE_URL` when set).
    pub fn start() -> Self {
        if let (Ok(url), Ok(token)) = (std::env::var("SPCI_URL"), std::env::var("SPCI_TOKEN")) {
            return Self {
                base: url.trim_end_matches('/').to_string(),
                token,
                expired_token: std::env::var("SPCI_EXPIRED_TOKEN").ok(),
                child: None,
                _dir: None,
            };
        }
        Self::boot(Boot {
            binary: debug_binary(),
            demo_args: vec![],
            database_url: std::env::var("CONTRACT_DATABASE_URL").ok(),
            seed_timeout: Duration::from_secs(120),
            env: vec![],
            log: None,
            fd_limit: None,
        })
    }

    pub fn boot(boot: Boot) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let db = boot
            .database_url
            .unwrap_or_else(|| format!("sqlite:{}?mode=rwc", dir.path().join("spci.db").display()));
        let mut command = match boot.fd_limit {
            Some(n) => {
                let mut c = Command::new("sh");
                c.arg("-c")
                    .arg(format!("ulimit -n {n} && exec \"$0\" \"$@\""))
                    .arg(&boot.binary);
                c
            }
            None => Command::new(&boot.binary),
        };
        let mut child = command
            .arg("demo")
            .args(boot.demo_args)
            .env("DATABASE_URL", db)
            .env("SPCI_STORAGE", dir.path().join("storage"))
            .env("SPCI_BIND", format!("127.0.0.1:{port}"))
            // The harness sends many requests from one address: it configures generous limits
            // (the limiter stays on; its own tests prove it refuses).
            .env("SPCI_RATE_READS", "1000000")
            .env("SPCI_RATE_CONDITIONAL", "1000000")
            .env("SPCI_RATE_WRITES", "1000000")
            .env("SPCI_RATE_PER_IP", "1000000")
            .env("SPCI_RATE_CREDENTIALS", "1000000")
            .env("SPCI_RATE_FAILED_AUTH", "1000000")
            .env("SPCI_RATE_LOGIN_FAILURES", "1000000")
            // Upstream's sha512_crypt (1,024,000 rounds) costs ~1 s per login in this debug
            // build, and the harness logs in for every token-revoking case: argon2 (a supported
            // format, ~30 ms) keeps CI's time on the contract. The spci suite covers both formats.
            .env("SPCI_PASSWORD_FORMAT", "argon2id")
            // GitHub is never the real one in a test: a local port nothing listens on, so
            // what needs GitHub answers its documented 503 at once.
            .env("SPCI_GITHUB_API_URL", "http://127.0.0.1:9")
            .env("SPCI_GITHUB_OAUTH_URL", "http://127.0.0.1:9")
            .env("RUST_LOG", "warn")
            .envs(boot.env)
            .stdout(Stdio::piped())
            .stderr(match &boot.log {
                Some(path) => Stdio::from(std::fs::File::create(path).expect("a log file")),
                None => Stdio::inherit(),
            })
            .spawn()
            .expect("start spci demo");
        let stdout = child.stdout.take().expect("stdout");
        // Keep draining stdout for the server's lifetime so its writes never hit a closed pipe.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            // `spci demo` prints the expired token first, then the admin token.
            let mut expired = None;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(t) = line.strip_prefix("expired token: ") {
                    expired = t.split_whitespace().next().map(str::to_string);
                }
                if let Some(t) = line.strip_prefix("admin token: ") {
                    let _ = tx.send((t.trim().to_string(), expired.take()));
                }
            }
        });
        let (token, expired_token) = rx
            .recv_timeout(boot.seed_timeout)
            .expect("spci demo printed an admin token");
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
            expired_token,
            child: Some(child),
            _dir: Some(dir),
        }
    }
}
