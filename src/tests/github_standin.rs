//! A local HTTP server that plays GitHub, started by the test that needs it: the account
//! endpoints (`/user/{id}`, `/users/{login}`), and the OAuth code exchange
//! (`/login/oauth/access_token`: code `code-<login>` gives token `token-<login>`) with the
//! token's user (`/user`), and a repository's history (`/repos/{o}/{r}/commits/{sha}`, the
//! commit list from a sha following first parents, `/repos/{o}/{r}/pulls/{n}` with its base).
//! spci reaches it through the same client and code path as the real GitHub; only the
//! configured base URLs differ.
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::{Form, Json, Path};
use poem::{EndpointExt, Route, get, handler};
use serde_json::{Value, json};
use std::sync::Arc;

#[derive(Clone)]
struct Accounts(Arc<Vec<(i64, String)>>);

/// Commits as (sha, first parent), and pull requests as (number, base sha).
#[derive(Clone, Default)]
pub struct History {
    pub commits: Vec<(String, Option<String>)>,
    pub pulls: Vec<(i32, String)>,
}

impl History {
    /// A straight line of commits, oldest first: each one's parent is the one before.
    pub fn line(shas: &[&str]) -> Self {
        let commits = shas
            .iter()
            .enumerate()
            .map(|(i, s)| (s.to_string(), i.checked_sub(1).map(|p| shas[p].to_string())))
            .collect();
        Self {
            commits,
            pulls: vec![],
        }
    }

    fn parent(&self, sha: &str) -> Option<Option<&String>> {
        self.commits
            .iter()
            .find(|(s, _)| s == sha)
            .map(|(_, p)| p.as_ref())
    }
}

#[handler]
fn commit_of(
    Path((_, _, sha)): Path<(String, String, String)>,
    history: poem::web::Data<&History>,
) -> poem::Result<Json<Value>> {
    match history.0.parent(&sha) {
        Some(parent) => {
            let parents: Vec<Value> = parent.iter().map(|p| json!({"sha": p})).collect();
            Ok(Json(json!({"sha": sha, "parents": parents})))
        }
        None => Err(poem::Error::from_status(poem::http::StatusCode::NOT_FOUND)),
    }
}

#[handler]
fn commit_list(
    poem::web::Query(q): poem::web::Query<std::collections::HashMap<String, String>>,
    history: poem::web::Data<&History>,
) -> poem::Result<Json<Value>> {
    let per_page: usize = q.get("per_page").and_then(|n| n.parse().ok()).unwrap_or(30);
    let mut at = q.get("sha").cloned();
    let mut out = vec![];
    if at.as_ref().is_some_and(|s| history.0.parent(s).is_none()) {
        return Err(poem::Error::from_status(poem::http::StatusCode::NOT_FOUND));
    }
    while let Some(sha) = at.take() {
        if out.len() == per_page {
            break;
        }
        at = history.0.parent(&sha).flatten().cloned();
        out.push(json!({"sha": sha}));
    }
    Ok(Json(Value::Array(out)))
}

#[handler]
fn pull_of(
    Path((_, _, n)): Path<(String, String, i32)>,
    history: poem::web::Data<&History>,
) -> poem::Result<Json<Value>> {
    match history.0.pulls.iter().find(|(p, _)| *p == n) {
        Some((_, base)) => Ok(Json(json!({"number": n, "base": {"sha": base}}))),
        None => Err(poem::Error::from_status(poem::http::StatusCode::NOT_FOUND)),
    }
}

pub struct GitHubStandIn {
    pub url: String,
    _server: tokio::task::JoinHandle<()>,
}

#[handler]
fn by_id(Path(id): Path<i64>, accounts: poem::web::Data<&Accounts>) -> poem::Result<Json<Value>> {
    found(accounts.0.0.iter().find(|(i, _)| *i == id))
}

#[handler]
fn by_login(
    Path(login): Path<String>,
    accounts: poem::web::Data<&Accounts>,
) -> poem::Result<Json<Value>> {
    found(
        accounts
            .0
            .0
            .iter()
            .find(|(_, l)| l.eq_ignore_ascii_case(&login)),
    )
}

/// A code is good when it names a known account; GitHub answers a bad one with 200 and `error`.
#[handler]
fn exchange(
    Form(form): Form<std::collections::HashMap<String, String>>,
    accounts: poem::web::Data<&Accounts>,
) -> Json<Value> {
    let login = form.get("code").and_then(|c| c.strip_prefix("code-"));
    let known = login.filter(|l| accounts.0.0.iter().any(|(_, a)| a == l));
    match (known, form.get("client_id")) {
        (Some(l), Some(_)) => Json(
            json!({"access_token": format!("token-{l}"), "token_type": "bearer", "scope": "public_repo"}),
        ),
        _ => Json(json!({"error": "bad_verification_code"})),
    }
}

#[handler]
fn token_user(
    req: &poem::Request,
    accounts: poem::web::Data<&Accounts>,
) -> poem::Result<Json<Value>> {
    let login = req
        .header("Authorization")
        .and_then(|h| h.strip_prefix("Bearer token-"));
    match accounts.0.0.iter().find(|(_, l)| Some(l.as_str()) == login) {
        Some(a) => found(Some(a)),
        None => Err(poem::Error::from_status(
            poem::http::StatusCode::UNAUTHORIZED,
        )),
    }
}

fn found(account: Option<&(i64, String)>) -> poem::Result<Json<Value>> {
    match account {
        Some((id, login)) => Ok(Json(json!({"id": id, "login": login, "type": "User"}))),
        None => Err(poem::Error::from_status(poem::http::StatusCode::NOT_FOUND)),
    }
}

impl GitHubStandIn {
    pub async fn start(accounts: &[(i64, &str)]) -> Self {
        Self::with_history(accounts, History::default()).await
    }

    pub async fn with_history(accounts: &[(i64, &str)], history: History) -> Self {
        let accounts = Accounts(Arc::new(
            accounts.iter().map(|(i, l)| (*i, l.to_string())).collect(),
        ));
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .expect("bind the GitHub stand-in");
        let addr = acceptor.local_addr()[0]
            .as_socket_addr()
            .copied()
            .expect("a TCP address");
        let app = Route::new()
            .at("/login/oauth/access_token", poem::post(exchange))
            .at("/user", get(token_user))
            .at("/user/:id", get(by_id))
            .at("/users/:login", get(by_login))
            .at("/repos/:owner/:repo/commits", get(commit_list))
            .at("/repos/:owner/:repo/commits/:sha", get(commit_of))
            .at("/repos/:owner/:repo/pulls/:n", get(pull_of))
            .data(accounts)
            .data(history);
        let server = tokio::spawn(async move {
            let _ = poem::Server::new_with_acceptor(acceptor).run(app).await;
        });
        Self {
            url: format!("http://{addr}"),
            _server: server,
        }
    }
}

impl GitHubStandIn {
    /// A base URL nothing listens on: a stand-in started and stopped.
    pub async fn unreachable() -> String {
        Self::start(&[]).await.url.clone()
    }

    /// A test app whose GitHub (API and OAuth) is the server at `url`.
    pub async fn app_at(url: String) -> super::common::TestApp {
        super::common::TestAppBuilder::new()
            .config(move |c| {
                c.github_api_url = url.clone();
                c.github_oauth_url = url;
                c.github_client_id = "spci-test-app".into();
                c.public_url = Some("https://spci.example.org".into());
            })
            .build()
            .await
    }

    /// A test app whose GitHub is this stand-in.
    pub async fn app(&self) -> super::common::TestApp {
        Self::app_at(self.url.clone()).await
    }
}

impl Drop for GitHubStandIn {
    fn drop(&mut self) {
        self._server.abort();
    }
}
