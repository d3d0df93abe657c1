//! Configuration from environment variables (12-factor); `spci --help` lists them all.
use clap::{Args, ValueEnum};
use std::net::{IpAddr, SocketAddr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// How the passwords spci sets are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PasswordFormat {
    /// passlib's sha512_crypt with upstream's 1,024,000 rounds: upstream can verify every
    /// password spci sets, and spci never rewrites a stored hash (safe beside upstream).
    #[value(name = "sha512_crypt")]
    Sha512Crypt,
    /// argon2id; legacy sha-crypt hashes are upgraded at login, after which upstream can no
    /// longer verify that user's password (only for a database spci serves alone).
    #[value(name = "argon2id")]
    Argon2id,
}

/// The secret placeholder shipped as default; production refuses to start with it.
pub const DEFAULT_SECRET: &str = "spci-development-secret-change-me";

/// The link key shipped as default; production refuses it while mailed links are enabled.
pub const DEFAULT_LINK_KEY: &str = "spci-development-link-key";

/// A value that must never reach a log: `Debug` shows only that it is set.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_string()))
    }
}

/// A database URL; `Debug` hides its password (`postgres://ci:***@host/db`).
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = match (self.0.split_once("://"), self.0.rfind('@')) {
            (Some((scheme, rest)), Some(at)) if at > scheme.len() + 3 => {
                let creds = &rest[..at - scheme.len() - 3];
                match creds.split_once(':') {
                    Some((user, _)) => format!("{scheme}://{user}:***{}", &self.0[at..]),
                    None => self.0.clone(),
                }
            }
            _ => self.0.clone(),
        };
        write!(f, "DatabaseUrl({shown:?})")
    }
}

impl std::str::FromStr for DatabaseUrl {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_string()))
    }
}

impl From<&str> for DatabaseUrl {
    fn from(s: &str) -> Self {
        Self(s.to_string())
    }
}

impl From<String> for DatabaseUrl {
    fn from(s: String) -> Self {
        Self(s)
    }
}

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Database URL: sqlite:PATH?mode=rwc (embedded default), postgres://…, mysql://…
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite:spci.db?mode=rwc")]
    pub database_url: DatabaseUrl,

    /// Storage root: a local directory with upstream's layout, or s3://bucket[/prefix], gs://bucket[/prefix]
    #[arg(long, env = "SPCI_STORAGE", default_value = "./spci-data")]
    pub storage: String,

    /// Address to listen on
    #[arg(long, env = "SPCI_BIND", default_value = "127.0.0.1:5000")]
    pub bind: SocketAddr,

    /// development or production; production refuses default secrets
    #[arg(long, env = "SPCI_MODE", value_enum, default_value = "development")]
    pub mode: Mode,

    /// Secret for signed links; must be changed in production
    #[arg(long, env = "SPCI_SECRET", default_value = DEFAULT_SECRET, hide_default_value = true, hide_env_values = true)]
    pub secret: Secret,

    /// Main repository (owner/repo) whose runs staff may start
    #[arg(
        long,
        env = "SPCI_MAIN_REPOSITORY",
        default_value = "CCExtractor/ccextractor"
    )]
    pub main_repository: String,

    /// GitHub's REST API (the account lookups behind blocking; a local stand-in in tests)
    #[arg(
        long,
        env = "SPCI_GITHUB_API_URL",
        default_value = "https://api.github.com"
    )]
    pub github_api_url: String,
    /// Seconds a call to GitHub may take before it counts as GitHub being unreachable
    #[arg(long, env = "SPCI_GITHUB_TIMEOUT", default_value_t = 10)]
    pub github_timeout: u64,

    /// GitHub's web origin, for the OAuth consent page and the code exchange (a local stand-in
    /// in tests)
    #[arg(
        long,
        env = "SPCI_GITHUB_OAUTH_URL",
        default_value = "https://github.com"
    )]
    pub github_oauth_url: String,
    /// Client id of the GitHub OAuth app that connects accounts
    #[arg(long, env = "SPCI_GITHUB_CLIENT_ID", default_value = "")]
    pub github_client_id: String,
    /// Client secret of that OAuth app
    #[arg(
        long,
        env = "SPCI_GITHUB_CLIENT_SECRET",
        default_value = "",
        hide_default_value = true,
        hide_env_values = true
    )]
    pub github_client_secret: Secret,

    /// This server's public base URL (GitHub sends browsers back to
    /// <URL>/api/v1/auth/github/callback); default http://<SPCI_BIND>
    #[arg(long, env = "SPCI_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Base URL of the web pages mailed links open: upstream's site, whose
    /// /account/complete_signup and /account/reset pages accept spci's links
    #[arg(long, env = "SPCI_WEB_URL", default_value = "http://127.0.0.1:5000")]
    pub web_url: String,
    /// Key of the sign-up and reset links: upstream's HMAC_KEY (read as latin-1, as upstream
    /// reads it), so each side accepts the other's links; must be changed in production
    #[arg(long, env = "SPCI_LINK_KEY", default_value = DEFAULT_LINK_KEY, hide_default_value = true, hide_env_values = true)]
    pub link_key: Secret,
    /// Whether POST /auth/signup mails sign-up links
    #[arg(long, env = "SPCI_SIGNUP", default_value_t = true, action = clap::ArgAction::Set)]
    pub signup: bool,
    /// Whether POST /auth/password-reset mails reset links
    #[arg(long, env = "SPCI_PASSWORD_RESET", default_value_t = true, action = clap::ArgAction::Set)]
    pub password_reset: bool,

    /// SMTP server for mail: smtp://host:25 (plain), smtp://user:pass@host:587?tls=required
    /// (STARTTLS), smtps://user:pass@host (TLS); without it development logs each message and
    /// keeps it in the outbox, and production refuses to start while links are enabled
    #[arg(long, env = "SPCI_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<Secret>,
    /// Sender of spci's mail
    #[arg(
        long,
        env = "SPCI_MAIL_FROM",
        default_value = "CCExtractor CI platform <noreply@localhost>"
    )]
    pub mail_from: String,

    /// FTP server named in the upload credentials (upstream's SERVER_NAME)
    #[arg(long, env = "SPCI_FTP_HOST", default_value = "localhost")]
    pub ftp_host: String,
    /// Its port (upstream's FTP_PORT)
    #[arg(long, env = "SPCI_FTP_PORT", default_value_t = 21)]
    pub ftp_port: u16,

    /// Comma-separated proxy IPs whose X-Forwarded-For is trusted for the client IP
    #[arg(long, env = "SPCI_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpAddr>,

    /// Public credential endpoints: requests per window per client IP
    #[arg(long, env = "SPCI_RATE_CREDENTIALS", default_value_t = 5)]
    pub rate_credentials: u32,
    /// Window of the credential limit, seconds
    #[arg(long, env = "SPCI_RATE_CREDENTIALS_WINDOW", default_value_t = 900)]
    pub rate_credentials_window: u64,
    /// Writes (POST/PUT/PATCH/DELETE) per window per token
    #[arg(long, env = "SPCI_RATE_WRITES", default_value_t = 20)]
    pub rate_writes: u32,
    /// Reads (GET) per window per token, or per client IP without a token
    #[arg(long, env = "SPCI_RATE_READS", default_value_t = 120)]
    pub rate_reads: u32,
    /// Conditional reads answered 304 (If-None-Match naming the current ETag) per window per
    /// token, or per client IP without a token: cheap polls get a larger bucket of their own
    #[arg(long, env = "SPCI_RATE_CONDITIONAL", default_value_t = 600)]
    pub rate_conditional: u32,
    /// Window of the read and write limits, seconds
    #[arg(long, env = "SPCI_RATE_WINDOW", default_value_t = 60)]
    pub rate_window: u64,
    /// All requests per window per client IP, whatever token they carry
    #[arg(long, env = "SPCI_RATE_PER_IP", default_value_t = 600)]
    pub rate_per_ip: u32,

    /// Failed token checks (invalid, expired or revoked bearer tokens) per window per client IP
    #[arg(long, env = "SPCI_RATE_FAILED_AUTH", default_value_t = 20)]
    pub rate_failed_auth: u32,
    /// Failed logins per window per account (by normalised email, known or not): throttles
    /// password guessing spread over many IPs, never locks the account
    #[arg(long, env = "SPCI_RATE_LOGIN_FAILURES", default_value_t = 10)]
    pub rate_login_failures: u32,
    /// Window of the per-account failed-login limit, seconds
    #[arg(long, env = "SPCI_RATE_LOGIN_WINDOW", default_value_t = 900)]
    pub rate_login_window: u64,

    /// Password checks and hashes computed at once (0: one per CPU core); each argon2id check
    /// holds 19 MiB, so this bounds the memory a login flood can take
    #[arg(long, env = "SPCI_HASH_CONCURRENCY", default_value_t = 0)]
    pub hash_concurrency: usize,
    /// How long a login waits for a free hashing slot before it is answered 503, milliseconds
    #[arg(long, env = "SPCI_HASH_WAIT_MS", default_value_t = 2000)]
    pub hash_wait_ms: u64,

    /// How long a request waits for a database connection before it is answered 503,
    /// milliseconds (also the health probe's timeout)
    #[arg(long, env = "SPCI_DB_TIMEOUT_MS", default_value_t = 1000)]
    pub db_timeout_ms: u64,

    /// Seconds a client has to send a request's head (slow clients are disconnected); an idle
    /// HTTP/1.1 keep-alive connection is waiting for one, so it is closed after this too
    #[arg(long, env = "SPCI_HEADER_READ_TIMEOUT", default_value_t = 10)]
    pub header_read_timeout: u64,
    /// Seconds a request body may go without a new chunk
    #[arg(long, env = "SPCI_BODY_IDLE_TIMEOUT", default_value_t = 30)]
    pub body_idle_timeout: u64,
    /// Seconds a connection with no traffic either way stays open (HTTP/2, or a stalled
    /// response); idle HTTP/1.1 connections go at SPCI_HEADER_READ_TIMEOUT
    #[arg(long, env = "SPCI_KEEP_ALIVE_TIMEOUT", default_value_t = 60)]
    pub keep_alive_timeout: u64,
    /// Connections served at once; more are closed on arrival
    #[arg(long, env = "SPCI_MAX_CONNECTIONS", default_value_t = 4096)]
    pub max_connections: usize,
    /// Connections served at once from one client address (an IPv6 client by its /64); behind a
    /// reverse proxy every client shares its address, so raise this to SPCI_MAX_CONNECTIONS
    #[arg(long, env = "SPCI_MAX_CONNECTIONS_PER_IP", default_value_t = 1024)]
    pub max_connections_per_ip: usize,
    /// Concurrent streams per HTTP/2 connection
    #[arg(long, env = "SPCI_HTTP2_MAX_STREAMS", default_value_t = 100)]
    pub http2_max_streams: u32,

    /// Server-sent event streams (run events and log streams) one token may hold open at once
    #[arg(long, env = "SPCI_STREAMS_PER_TOKEN", default_value_t = 20)]
    pub streams_per_token: usize,
    /// Server-sent event streams this server holds open at once, for all callers
    #[arg(long, env = "SPCI_STREAMS_MAX", default_value_t = 2000)]
    pub streams_max: usize,
    /// How often the event log is read for new events (and upstream's tables for changes to
    /// record), milliseconds
    #[arg(long, env = "SPCI_EVENT_POLL_MS", default_value_t = 250)]
    pub event_poll_ms: u64,
    /// Seconds between the comment lines that keep an idle event stream open through proxies
    #[arg(long, env = "SPCI_STREAM_HEARTBEAT", default_value_t = 15)]
    pub stream_heartbeat: u64,

    /// Non-public networks webhooks may call, comma-separated: loopback, private, link-local
    /// (none by default: an admin cannot point spci at its own network)
    #[arg(long, env = "SPCI_WEBHOOK_ALLOW", value_delimiter = ',', value_enum)]
    pub webhook_allow: Vec<WebhookNetwork>,
    /// Whether webhooks may use plain http (refused in production)
    #[arg(long, env = "SPCI_WEBHOOK_ALLOW_HTTP", default_value_t = false)]
    pub webhook_allow_http: bool,
    /// Wait before a failed delivery's second attempt, milliseconds; doubling after each
    #[arg(long, env = "SPCI_WEBHOOK_RETRY_BASE_MS", default_value_t = 10_000)]
    pub webhook_retry_base_ms: u64,
    /// How often the webhook outbox is checked for due retries, milliseconds (new deliveries
    /// are sent at once)
    #[arg(long, env = "SPCI_WEBHOOK_POLL_MS", default_value_t = 1000)]
    pub webhook_poll_ms: u64,

    /// Address of the Prometheus metrics endpoint (`GET /metrics`), apart from the API; none
    /// by default
    #[arg(long, env = "SPCI_METRICS_BIND")]
    pub metrics_bind: Option<SocketAddr>,

    /// Comma-separated origins (`https://dash.example.org`) whose browser pages may call the
    /// API; none by default
    #[arg(long, env = "SPCI_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// Format of the passwords spci sets: sha512_crypt (readable by upstream, never rewrites a
    /// stored hash) or argon2id (upgrades legacy hashes at login; upstream cannot read them)
    #[arg(
        long,
        env = "SPCI_PASSWORD_FORMAT",
        value_enum,
        default_value = "sha512_crypt"
    )]
    pub password_format: PasswordFormat,

    /// Smallest JSON or text answer sent compressed (br or gzip, as the client accepts), bytes
    #[arg(long, env = "SPCI_COMPRESS_MIN_BYTES", default_value_t = 1024)]
    pub compress_min_bytes: usize,

    /// Largest accepted JSON request body, bytes
    #[arg(long, env = "SPCI_MAX_BODY", default_value_t = 1024 * 1024)]
    pub max_body: usize,

    /// Largest accepted sample upload, bytes (streamed to storage, never held in memory)
    #[arg(long, env = "SPCI_MAX_UPLOAD", default_value_t = 2 * 1024 * 1024 * 1024)]
    pub max_upload: u64,

    /// Log format
    #[arg(long, env = "SPCI_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,

    /// Seconds between background refreshes of the run verdicts (what upstream's edits to
    /// outputs, variants and active tests change is reflected within this time)
    #[arg(long, env = "SPCI_VERDICT_REFRESH", default_value_t = 10)]
    pub verdict_refresh: u64,

    /// Seconds in-flight requests get to finish after SIGTERM or SIGINT
    #[arg(long, env = "SPCI_SHUTDOWN_GRACE", default_value_t = 10)]
    pub shutdown_grace: u64,
}

impl Config {
    /// Configuration for tests and tools: the documented defaults, no environment.
    pub fn defaults() -> Self {
        use clap::{FromArgMatches, Parser};
        #[derive(Parser)]
        struct Wrapper {
            #[command(flatten)]
            config: Config,
        }
        let matches = <Wrapper as clap::CommandFactory>::command()
            .mut_args(|a| a.env(None::<&str>))
            .get_matches_from(["spci"]);
        Wrapper::from_arg_matches(&matches)
            .expect("defaults parse")
            .config
    }

    /// The link key's bytes, as upstream encodes its HMAC_KEY (checked by `validate`).
    pub fn link_key_bytes(&self) -> Vec<u8> {
        crate::domain::links::latin1(self.link_key.expose()).unwrap_or_default()
    }

    /// This server's public base URL, without a trailing slash.
    pub fn public_base(&self) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.bind),
        }
    }

    pub fn db_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.db_timeout_ms)
    }

    /// Refuses what must never run in production.
    pub fn validate(&self) -> Result<(), String> {
        if self.mode == Mode::Production {
            if self.secret.expose() == DEFAULT_SECRET || self.secret.expose().len() < 32 {
                return Err("SPCI_SECRET must be set to a random value of at least 32 characters in production".into());
            }
            let links = self.signup || self.password_reset;
            if links && self.smtp_url.is_none() {
                return Err("SPCI_SMTP_URL must be set in production while sign-up or password reset is enabled (SPCI_SIGNUP, SPCI_PASSWORD_RESET)".into());
            }
            if links && self.link_key.expose() == DEFAULT_LINK_KEY {
                return Err("SPCI_LINK_KEY must be set in production while sign-up or password reset is enabled (upstream's HMAC_KEY when beside it)".into());
            }
            if self.database_url.as_str().starts_with("sqlite::memory:") {
                return Err(
                    "an in-memory database loses everything on restart; not in production".into(),
                );
            }
        }
        for (name, v) in [
            ("SPCI_RATE_CREDENTIALS", self.rate_credentials),
            ("SPCI_RATE_WRITES", self.rate_writes),
            ("SPCI_RATE_READS", self.rate_reads),
            ("SPCI_RATE_CONDITIONAL", self.rate_conditional),
            ("SPCI_RATE_PER_IP", self.rate_per_ip),
            ("SPCI_RATE_FAILED_AUTH", self.rate_failed_auth),
            ("SPCI_RATE_LOGIN_FAILURES", self.rate_login_failures),
        ] {
            if v == 0 {
                return Err(format!(
                    "{name} must be at least 1: rate limits are configured, never switched off"
                ));
            }
        }
        if self.rate_window == 0 || self.rate_credentials_window == 0 || self.rate_login_window == 0
        {
            return Err("rate-limit windows must be at least one second".into());
        }
        if let Some(bad) = self
            .cors_origins
            .iter()
            .find(|o| !crate::http::cors::is_origin(o))
        {
            return Err(format!(
                "SPCI_CORS_ORIGINS: {bad:?} is not an origin (scheme://host[:port])"
            ));
        }
        if [
            self.header_read_timeout,
            self.body_idle_timeout,
            self.keep_alive_timeout,
        ]
        .contains(&0)
            || self.max_connections == 0
            || self.max_connections_per_ip == 0
            || self.http2_max_streams == 0
        {
            return Err("connection timeouts and limits must be at least 1".into());
        }
        if self.streams_per_token == 0
            || self.streams_max == 0
            || self.event_poll_ms == 0
            || self.stream_heartbeat == 0
            || self.webhook_retry_base_ms == 0
            || self.webhook_poll_ms == 0
        {
            return Err("stream limits, event and webhook periods must be at least 1".into());
        }
        if self.mode == Mode::Production && self.webhook_allow_http {
            return Err("SPCI_WEBHOOK_ALLOW_HTTP: webhooks are https only in production".into());
        }
        if self.db_timeout_ms == 0 {
            return Err("SPCI_DB_TIMEOUT_MS must be at least 1".into());
        }
        if crate::domain::links::latin1(self.link_key.expose()).is_none() {
            return Err("SPCI_LINK_KEY must be latin-1 text (upstream encodes it so)".into());
        }
        // An SMTP URL lettre cannot use is refused at startup, not at the first message.
        if let Some(url) = &self.smtp_url {
            lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url.expose())
                .map_err(|e| format!("SPCI_SMTP_URL: {e}"))?;
        }
        if self.mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(format!(
                "SPCI_MAIL_FROM: {:?} is not a mailbox",
                self.mail_from
            ));
        }
        if self.verdict_refresh == 0 {
            return Err("SPCI_VERDICT_REFRESH must be at least one second".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_refuses_default_secret() {
        let mut c = Config::defaults();
        assert!(c.validate().is_ok(), "development accepts defaults");
        c.mode = Mode::Production;
        assert!(c.validate().unwrap_err().contains("SPCI_SECRET"));
        c.secret = "x".repeat(40).parse().unwrap();
        c.signup = false;
        c.password_reset = false;
        assert!(c.validate().is_ok());
    }

    #[test]
    fn production_refuses_mailed_links_without_smtp_or_with_the_default_key() {
        let mut c = Config::defaults();
        c.mode = Mode::Production;
        c.secret = "x".repeat(40).parse().unwrap();
        let cases = [
            (true, false, false, false, Some("SPCI_SMTP_URL")),
            (false, true, false, false, Some("SPCI_SMTP_URL")),
            (true, true, true, false, Some("SPCI_LINK_KEY")),
            (true, true, true, true, None),
            (false, false, false, false, None),
        ];
        for (signup, reset, smtp, key, refused) in cases {
            c.signup = signup;
            c.password_reset = reset;
            c.smtp_url = smtp.then(|| "smtp://127.0.0.1:2525".parse().unwrap());
            c.link_key = if key {
                "k".repeat(32)
            } else {
                DEFAULT_LINK_KEY.into()
            }
            .parse()
            .unwrap();
            match (c.validate(), refused) {
                (Ok(()), None) => {}
                (Err(e), Some(name)) => assert!(e.contains(name), "{e}"),
                (got, want) => panic!("{signup} {reset} {smtp} {key}: {got:?}, wanted {want:?}"),
            }
        }
    }

    #[test]
    fn link_keys_must_be_latin1() {
        let mut c = Config::defaults();
        c.link_key = "clé".parse().unwrap();
        assert!(c.validate().is_ok());
        assert_eq!(c.link_key_bytes(), vec![b'c', b'l', 0xE9]);
        c.link_key = "ключ".parse().unwrap();
        assert!(c.validate().unwrap_err().contains("latin-1"));
    }

    #[test]
    fn debug_output_shows_no_secret_and_no_database_password() {
        let mut c = Config::defaults();
        c.secret = "s3cr3t-value-that-signs-links-0123456789".parse().unwrap();
        c.database_url = "postgres://spci:hunter2@db.internal:5432/ci".into();
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(
            shown.contains("postgres://spci:***@db.internal:5432/ci"),
            "{shown}"
        );
        let plain: DatabaseUrl = "sqlite:spci.db?mode=rwc".into();
        assert!(format!("{plain:?}").contains("sqlite:spci.db?mode=rwc"));
    }

    #[test]
    fn rate_limits_cannot_be_switched_off() {
        let mut c = Config::defaults();
        c.rate_reads = 0;
        assert!(c.validate().is_err());
    }
}

/// A non-public network webhooks may be allowed to call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WebhookNetwork {
    Loopback,
    Private,
    LinkLocal,
}

impl Config {
    /// The webhook networks as the address rule takes them.
    pub fn webhook_networks(&self) -> crate::domain::webhooks::Allowed {
        let has = |n| self.webhook_allow.contains(&n);
        crate::domain::webhooks::Allowed {
            loopback: has(WebhookNetwork::Loopback),
            private: has(WebhookNetwork::Private),
            link_local: has(WebhookNetwork::LinkLocal),
        }
    }
}
