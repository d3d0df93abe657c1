//! `/api/v1/mcp`: the MCP server over Streamable HTTP (rmcp's, stateless, JSON answers). It is
//! inside the middleware stack (limits, CORS, request ids), and each tool call it makes is a
//! request through the whole app again, with the caller's Bearer token: charged, authorised
//! and validated as that operation.
use crate::mcp::dispatch::{App, Dispatch};
use crate::mcp::server::SpciMcp;
use futures_util::StreamExt;
use poem::web::RemoteAddr;
use poem::{Body, Endpoint, Request, Response, Result};
use rmcp::transport::streamable_http_server::{
    StreamableHttpServerConfig, StreamableHttpService, session::never::NeverSessionManager,
};
use std::sync::{Arc, OnceLock, Weak};

pub struct Mcp {
    service: StreamableHttpService<SpciMcp, NeverSessionManager>,
}

impl Mcp {
    /// The endpoint, and where to put the app once it is built.
    pub fn new(prefix: &'static str) -> (Self, Arc<OnceLock<Weak<App>>>) {
        let app = Arc::new(OnceLock::new());
        let dispatch = Arc::new(Dispatch::App {
            app: app.clone(),
            prefix,
        });
        let config = StreamableHttpServerConfig::default()
            .with_legacy_session_mode(false)
            .with_json_response(true)
            // Host checks guard unauthenticated local servers against DNS rebinding; every
            // call here needs a Bearer token a rebound page does not have.
            .disable_allowed_hosts();
        let service = StreamableHttpService::new(
            move || Ok(SpciMcp::new(dispatch.clone(), None)),
            Arc::new(NeverSessionManager::default()),
            config,
        );
        (Self { service }, app)
    }
}

impl Endpoint for Mcp {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Response> {
        let peer = req.remote_addr().clone();
        // The body limit of the stack has bounded it already.
        let body = req.take_body().into_bytes().await?;
        let mut builder = http::Request::builder()
            .method(req.method().clone())
            .uri(req.uri().clone());
        for (k, v) in req.headers() {
            builder = builder.header(k, v);
        }
        let mut forwarded = builder
            .body(http_body_util::Full::new(body))
            .map_err(poem::error::BadRequest)?;
        forwarded.extensions_mut().insert::<RemoteAddr>(peer);
        let (parts, body) = self.service.handle(forwarded).await.into_parts();
        let stream = http_body_util::BodyDataStream::new(body)
            .map(|chunk| chunk.map_err(|never| match never {}));
        let mut resp = Response::from(Body::from_bytes_stream::<_, _, std::io::Error>(stream));
        resp.set_status(parts.status);
        resp.headers_mut().extend(parts.headers);
        // The answers are the caller's own.
        resp.headers_mut().insert(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-store"),
        );
        Ok(resp)
    }
}
