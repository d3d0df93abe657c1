//! A local HTTP server that plays GitHub's account endpoints (`/user/{id}`, `/users/{login}`),
//! started by the test that needs it; spci reaches it through the same client and code path as
//! the real API, only the configured base URL differs.
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::{Json, Path};
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

impl Drop for GitHubStandIn {
    fn drop(&mut self) {
        self._server.abort();
    }
}
