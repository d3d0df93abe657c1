//! The HTTP layer: one ordered middleware stack around the generated routes. A request flows,
//! outermost first, through
//!
//! 1. [`middleware::RequestId`]: a request id on the tracing span and the response;
//! 2. [`middleware::SecurityHeaders`]: on every response, error or not;
//! 3. [`operation::Resolve`]: the spec's operation for the method and path, found once and kept
//!    in the request's extensions for everything below;
//! 4. [`middleware::Measure`]: request counts and latency per operation for the metrics;
//! 5. [`cors`] (when `SPCI_CORS_ORIGINS` names origins): preflights answered, CORS headers on
//!    every response to an allowed origin; a refusal is answered in JSON by an error-contract
//!    layer of its own around it;
//! 6. [`middleware::ErrorContract`]: the one place an error raised below becomes the JSON error
//!    contract (404, 405 with `Allow`, 413, 429, 401/403 from the gate, 400 from the body check);
//! 7. [`ratelimit::RateLimit`]: per-IP and per-token limits, `X-RateLimit-*` on every response;
//! 8. [`middleware::RequestLimits`]: bounded query strings and bodies, no `Content-Encoding`;
//! 9. a panic catcher (a panic is the documented 500);
//! 10. [`middleware::DatabaseDown`]: 503 at once while the database is known to be down;
//! 11. [`gate::AuthGate`]: authentication, scopes and roles of protected operations (a verified
//!     token's rate-limit bucket is charged here);
//! 12. [`middleware::Target`]: no NUL character in the path or query, no parameter twice;
//! 13. [`body_schema::BodySchema`]: JSON bodies against the spec's schema (NUL characters
//!     refused);
//! 14. [`idempotency::Idempotency`]: a write with an `Idempotency-Key` runs once, its answer
//!     stored for retries;
//! 15. [`conditional::Conditional`]: ETags on JSON 200s, 304 for a matching `If-None-Match`;
//! 16. the generated poem-openapi adapters, which parse and validate parameters and bodies, call
//!     the handler (in `handlers/`), and turn its error into a status the operation documents
//!     ([`error::FromApiError`]).
pub mod body_schema;
pub mod compression;
pub mod conditional;
pub mod cors;
pub mod error;
pub mod gate;
pub mod idempotency;
pub mod mcp;
pub mod middleware;
pub mod multipart;
pub mod operation;
pub mod rate_book;
pub mod ratelimit;
pub mod response_cache;
pub mod server;
pub mod spec;
pub mod streams;

use crate::api;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::state::AppState;
use poem::middleware::CatchPanic;
use poem::{Endpoint, EndpointExt, Response, Route};
use poem_openapi::OpenApiService;
use ratelimit::{Limits, RateLimit};
use std::sync::Arc;

pub const API_PREFIX: &str = "/api/v1";
const MAX_QUERY: usize = 8 * 1024;

pub fn openapi_service(state: Arc<AppState>) -> OpenApiService<api::AllRoutes<AppState>, ()> {
    OpenApiService::new(api::all_routes(state), "spci CI results API", "1.2.0").server(API_PREFIX)
}

/// The whole application.
pub fn build_app(state: Arc<AppState>, limits: Arc<Limits>) -> impl Endpoint<Output = Response> {
    let (config, metrics) = (state.config.clone(), state.metrics.clone());
    let (mcp, slot) = mcp::Mcp::new(API_PREFIX);
    let app: Arc<crate::mcp::dispatch::App> =
        Arc::new(with_stack(routes(state, mcp), config, limits, metrics).boxed());
    // The MCP endpoint sends its tool calls through this very app; weakly, so dropping the app
    // frees it.
    let _ = slot.set(Arc::downgrade(&app));
    app
}

/// The middleware stack around any endpoint (tests wrap endpoints of their own in it).
pub fn with_stack(
    ep: impl Endpoint + 'static,
    config: Arc<Config>,
    limits: Arc<Limits>,
    metrics: Arc<Metrics>,
) -> impl Endpoint<Output = Response> {
    ep.with(CatchPanic::new().with_handler(middleware::panic_response))
        .with(middleware::RequestLimits {
            max_body: config.max_body,
            max_upload: config.max_upload,
            max_query: MAX_QUERY,
        })
        .with(RateLimit(limits))
        .with(middleware::ErrorContract)
        // Preflights are answered before any limit or route; a refused origin is an error the
        // outer contract layer answers in JSON like any other.
        .with_if(
            !config.cors_origins.is_empty(),
            cors::cors(&config.cors_origins),
        )
        .with(middleware::ErrorContract)
        .with(compression::Compress {
            min_bytes: config.compress_min_bytes,
        })
        .with(middleware::Measure(metrics))
        .with(operation::Resolve)
        .with(middleware::SecurityHeaders)
        .with(middleware::RequestId)
        .map_to_response()
}

fn routes(state: Arc<AppState>, mcp: mcp::Mcp) -> Route {
    let gate = gate::AuthGate(state.clone());
    let state_for_outage = state.clone();
    let state_for_keys = state.clone();
    let state_for_versions = state.clone();
    let service = openapi_service(state);
    let docs = service.swagger_ui();
    let api = Route::new()
        .at("/openapi.yaml", spec::yaml)
        .at("/openapi.json", spec::json)
        .nest("/docs", docs)
        .at("/mcp", mcp)
        .nest(
            "/",
            service
                .with(conditional::Conditional(state_for_versions))
                .with(idempotency::Idempotency(state_for_keys))
                .with(body_schema::BodySchema)
                .with(middleware::Target)
                .with(gate)
                .with(middleware::DatabaseDown(state_for_outage)),
        );
    Route::new().nest(API_PREFIX, api)
}
