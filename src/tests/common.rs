//! TestApp: the real application (real database, real files in a temp storage root, real rate
//! limiter), one fresh database per test. SQLite in memory by default; set
//! `TEST_DATABASE_URL=postgres://user@host:port/db` or `mysql://user@host:port/db` to run the
//! same tests on PostgreSQL or MariaDB/MySQL, where each test gets its own freshly created
//! database; with `TEST_UPSTREAM_SCHEMA=1` on MariaDB that database first gets upstream's schema
//! exactly as upstream's code creates it, and spci migrates on top.

use crate::api::{Role, Scope};
use crate::config::Config;
use crate::http::build_app;
use crate::http::ratelimit::Limits;
use crate::state::AppState;
use poem::endpoint::BoxEndpoint;
use poem::test::{TestClient, TestResponse};
use poem::{EndpointExt, Response};
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The password of every user the tests create.
pub const PASSWORD: &str = "password123";

pub struct TestApp {
    pub client: TestClient<BoxEndpoint<'static, Response>>,
    pub state: Arc<AppState>,
    pub limits: Arc<Limits>,
    pub storage_dir: tempfile::TempDir,
}

pub struct TestAppBuilder {
    config: Config,
    statements: Option<Arc<AtomicUsize>>,
    on_disk: bool,
}

impl TestAppBuilder {
    /// Tests configure the limiter, they never switch it off: generous by default.
    pub fn new() -> Self {
        let mut config = Config::defaults();
        config.rate_reads = 10_000;
        config.rate_writes = 10_000;
        config.rate_per_ip = 100_000;
        config.rate_credentials = 1_000;
        config.rate_failed_auth = 10_000;
        config.rate_login_failures = 1_000;
        // Fifty concurrent writers on a slow CI machine may queue longer than production's 1 s.
        config.db_timeout_ms = 10_000;
        Self {
            config,
            statements: None,
            on_disk: false,
        }
    }

    /// Counts every SQL statement the app runs into `counter` (for the N+1 tests).
    pub fn count_statements(mut self, counter: Arc<AtomicUsize>) -> Self {
        self.statements = Some(counter);
        self
    }

    /// On SQLite, a database file with a pool of connections (as served) instead of the
    /// single-connection in-memory database, for tests of concurrent writers. Other backends
    /// are always servers.
    pub fn on_disk(mut self) -> Self {
        self.on_disk = true;
        self
    }

    pub fn config(mut self, f: impl FnOnce(&mut Config)) -> Self {
        f(&mut self.config);
        self
    }

    pub async fn build(mut self) -> TestApp {
        let storage_dir = tempfile::tempdir().expect("temp storage root");
        self.config.storage = storage_dir.path().to_str().unwrap().to_string();
        let mut url = fresh_database_url().await;
        if self.on_disk && url.starts_with("sqlite::memory:") {
            url = format!("sqlite:{}/spci.db?mode=rwc", storage_dir.path().display());
        }
        self.config.database_url = url.into();
        let mut db = crate::data::connect::connect(
            self.config.database_url.as_str(),
            self.config.db_timeout(),
        )
        .await
        .expect("database");
        crate::data::connect::migrate(&db)
            .await
            .expect("migrations");
        if let Some(counter) = self.statements {
            db.set_metric_callback(move |_| {
                counter.fetch_add(1, Ordering::SeqCst);
            });
        }
        let state = AppState::new(self.config, db).expect("app state");
        let limits = Limits::from_config(
            &state.config,
            state.metrics.clone(),
            state.rate_book.clone(),
        );
        let client = TestClient::new(build_app(state.clone(), limits.clone()).boxed());
        TestApp {
            client,
            state,
            limits,
            storage_dir,
        }
    }
}

async fn fresh_database_url() -> String {
    let url = match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") || url.starts_with("mysql") => url,
        _ => return "sqlite::memory:".to_string(),
    };
    let admin = Database::connect(&url)
        .await
        .expect("TEST_DATABASE_URL reachable");
    let name = format!("spci_test_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    admin.close().await.ok();
    let (base, _) = url.rsplit_once('/').expect("URL has a database");
    let fresh = format!("{base}/{name}");
    if url.starts_with("mysql") && std::env::var("TEST_UPSTREAM_SCHEMA").is_ok_and(|v| v == "1") {
        // An existing sample-platform database: upstream's schema as its own code creates it,
        // then spci migrates on top of it.
        let db = Database::connect(&fresh)
            .await
            .expect("fresh test database");
        db.execute_unprepared(migration::UPSTREAM_MARIADB_SCHEMA)
            .await
            .expect("upstream's schema loads");
        db.close().await.ok();
    }
    fresh
}

pub async fn json(resp: TestResponse) -> Value {
    let body = resp.0.into_body().into_string().await.expect("body");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// GET `path` with `token`; the status and the JSON body.
pub async fn get(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    let r = app
        .client
        .get(format!("/api/v1{path}"))
        .header("Authorization", bearer(token))
        .send()
        .await;
    let status = r.0.status().as_u16();
    (status, json(r).await)
}

/// POST `body` as JSON to `path` with `token`; the status and the JSON body.
pub async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    let r = app
        .client
        .post(format!("/api/v1{path}"))
        .header("Authorization", bearer(token))
        .body_json(&body)
        .send()
        .await;
    let status = r.0.status().as_u16();
    (status, json(r).await)
}

/// `method` on `path` with `token` and an optional JSON body; the status and the JSON body.
pub async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let url = format!("/api/v1{path}");
    let c = &app.client;
    let req = match method {
        "GET" => c.get(url),
        "POST" => c.post(url),
        "PATCH" => c.patch(url),
        "DELETE" => c.delete(url),
        other => panic!("no helper for {other}"),
    }
    .header("Authorization", bearer(token));
    let r = match body {
        Some(b) => req.body_json(&b).send().await,
        None => req.send().await,
    };
    let status = r.0.status().as_u16();
    (status, json(r).await)
}

pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

impl TestApp {
    pub async fn new() -> Self {
        TestAppBuilder::new().build().await
    }

    /// A user with `role` and a token holding `scopes`; returns (user_id, token).
    pub async fn user_with_token(&self, role: &str, scopes: &[&str]) -> (i32, String) {
        let n = uuid::Uuid::new_v4().simple().to_string();
        let email = format!("{role}-{n}@example.com");
        let id = self.user(&email, &format!("{role}{}", &n[..8]), role).await;
        let scopes: Vec<Scope> = scopes
            .iter()
            .map(|s| Scope::parse(s).expect("a scope of the spec"))
            .collect();
        let issued =
            crate::auth::issue::issue_for_email(&self.state.db, &email, "test", &scopes, 7)
                .await
                .expect("issue token");
        (id, issued.plaintext)
    }

    /// A user whose password is `password123`, stored in the configured format. The hash is
    /// computed once per process and format (1,024,000 rounds of SHA-512 are 0.3 s), the row
    /// written as `create_user` writes it; `create_user` itself has its own tests.
    pub async fn user(&self, email: &str, name: &str, role: &str) -> i32 {
        use crate::config::PasswordFormat;
        use sea_orm::{ActiveModelTrait, Set};
        use std::sync::OnceLock;
        static HASHES: [OnceLock<String>; 2] = [OnceLock::new(), OnceLock::new()];
        let format = self.state.config.password_format;
        let cell = &HASHES[usize::from(format == PasswordFormat::Argon2id)];
        let hash = cell
            .get_or_init(|| crate::auth::password::hash(PASSWORD, format))
            .clone();
        crate::data::entity::user::ActiveModel {
            name: Set(Some(name.to_string())),
            email: Set(Some(email.to_string())),
            password: Set(hash),
            role: Set(Some(
                Role::parse(role)
                    .expect("a role of the spec")
                    .as_str()
                    .to_string(),
            )),
            ..Default::default()
        }
        .insert(&self.state.db)
        .await
        .expect("create user")
        .id
    }

    /// What verifying `token` costs, in statements counted by `counter`. Verified tokens are
    /// trusted for a second, so whether a counted request verifies its token again would
    /// depend on timing: they are forgotten here (and before each counted request), so each
    /// counted request pays exactly this.
    pub async fn verification_statements(
        &self,
        counter: &std::sync::atomic::AtomicUsize,
        token: &str,
    ) -> usize {
        use std::sync::atomic::Ordering;
        let verified = &self.state.verified_tokens;
        verified.forget_all();
        let before = counter.load(Ordering::SeqCst);
        verified
            .authenticate(&self.state.db, token)
            .await
            .expect("a valid token");
        let spent = counter.load(Ordering::SeqCst) - before;
        verified.forget_all();
        spent
    }

    pub async fn admin(&self) -> (i32, String) {
        let all: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
        self.user_with_token("admin", &all).await
    }
}
