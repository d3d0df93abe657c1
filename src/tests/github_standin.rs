//! A local HTTP server that plays GitHub, started by the test that needs it: the account
//! endpoints (`/user/{id}`, `/users/{login}`), and the OAuth code exchange
//! (`/login/oauth/access_token`: code `code-<login>` gives token `token-<login>`) with the
//! token's user (`/user`). spci reaches it through the same client and code path as the real
//! GitHub; only the configured base URLs differ.
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::{Form, Json, Path};
use poem::{EndpointExt, Route, get, handler};
use serde_json::{Value, json};
use std::sync::Arc;

#[derive(Clone)]
struct Accounts(Arc<Vec<(i64, String)>>);

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
            .data(accounts);
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
