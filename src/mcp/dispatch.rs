//! Where a tool's request goes: into this server's own app (the MCP endpoint), or to a spci
//! server by URL (`spci mcp` over stdio). Either way it is an HTTP request with the caller's
//! token, through every layer a client's request goes through: authentication, scopes and
//! roles, validation, rate limits.
use super::call::Request;
use poem::web::{LocalAddr, RemoteAddr};
use poem::{Endpoint, Response, endpoint::BoxEndpoint};
use std::sync::{Arc, OnceLock, Weak};

pub type App = BoxEndpoint<'static, Response>;

pub enum Dispatch {
    /// The app serving the MCP endpoint, set once the app is built (it contains the
    /// endpoint), and the prefix its API is served under.
    App {
        app: Arc<OnceLock<Weak<App>>>,
        prefix: &'static str,
    },
    /// A spci server's API root, e.g. `http://127.0.0.1:5000/api/v1`.
    Remote {
        client: reqwest::Client,
        base: String,
    },
}

/// The status and body of an operation's answer.
pub struct Answered {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Dispatch {
    pub async fn send(
        &self,
        r: &Request,
        authorization: Option<&str>,
        peer: Option<RemoteAddr>,
    ) -> Result<Answered, String> {
        match self {
            Dispatch::App { app, prefix } => {
                let Some(app) = app.get().and_then(Weak::upgrade) else {
                    return Err("the server is stopping".into());
                };
                let mut b = http::Request::builder()
                    .method(r.method.as_str())
                    .uri(format!("{prefix}{}", r.path_and_query));
                if let Some(a) = authorization {
                    b = b.header(http::header::AUTHORIZATION, a);
                }
                if r.body.is_some() {
                    b = b.header(http::header::CONTENT_TYPE, "application/json");
                }
                let req = b
                    .body(poem::Body::from(r.body.clone().unwrap_or_default()))
                    .map_err(|e| e.to_string())?;
                let peer = peer.unwrap_or_else(|| RemoteAddr(poem::Addr::Custom("mcp", "".into())));
                let local = LocalAddr(poem::Addr::Custom("mcp", "".into()));
                let (parts, body) = req.into_parts();
                let parts = poem::RequestParts::from((parts, local, peer, http::uri::Scheme::HTTP));
                let req = poem::Request::from_parts(parts, body);
                let resp = app.get_response(req).await;
                let status = resp.status().as_u16();
                let body = resp
                    .into_body()
                    .into_vec()
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(Answered { status, body })
            }
            Dispatch::Remote { client, base } => {
                let method =
                    reqwest::Method::from_bytes(r.method.as_bytes()).map_err(|e| e.to_string())?;
                let mut req = client.request(
                    method,
                    format!("{}{}", base.trim_end_matches('/'), r.path_and_query),
                );
                if let Some(a) = authorization {
                    req = req.header(reqwest::header::AUTHORIZATION, a);
                }
                if let Some(body) = &r.body {
                    req = req
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .body(body.clone());
                }
                let resp = req.send().await.map_err(|e| format!("{base}: {e}"))?;
                let status = resp.status().as_u16();
                let body = resp.bytes().await.map_err(|e| e.to_string())?.to_vec();
                Ok(Answered { status, body })
            }
        }
    }
}
