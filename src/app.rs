//! The application: shared state and the HTTP stack around the generated routes.
use crate::auth::gate::AuthGate;
use crate::config::Config;
use crate::middleware::{ErrorContract, RequestId, RequestLimits, SecurityHeaders, panic_response};
use crate::ratelimit::{Limits, RateLimit};
use crate::storage::Storage;
use crate::verdict_cache::VerdictCache;
use crate::{api, db};
use poem::http::StatusCode;
use poem::middleware::CatchPanic;
use poem::{Endpoint, EndpointExt, IntoResponse, Response, Route, handler};
use poem_openapi::OpenApiService;
use sea_orm::DatabaseConnection;
use std::sync::{Arc, OnceLock};

pub const API_PREFIX: &str = "/api/v1";
pub const SPEC_YAML: &str = include_str!("../openapi-ci-api.yaml");
const MAX_QUERY: usize = 8 * 1024;

pub struct AppState {
    pub db: DatabaseConnection,
    pub storage: Storage,
    pub config: Arc<Config>,
    pub verdicts: VerdictCache,
    pub logs: crate::logs::LogIndexes,
}

impl AppState {
    /// Connects, migrates and opens storage as `config` says.
    pub async fn open(config: Config) -> Result<Arc<Self>, String> {
        config.validate()?;
        let db = db::connect::connect(&config.database_url)
            .await
            .map_err(|e| format!("database: {e}"))?;
        db::connect::migrate(&db)
            .await
            .map_err(|e| format!("migrations: {e}"))?;
        Self::with_connection(config, db)
    }

    /// For callers that connected (and migrated) themselves, e.g. tests that instrument the
    /// connection.
    pub fn with_connection(config: Config, db: DatabaseConnection) -> Result<Arc<Self>, String> {
        let storage = Storage::open(&config.storage)?;
        Ok(Arc::new(Self {
            db,
            storage,
            config: Arc::new(config),
            verdicts: VerdictCache::default(),
            logs: Default::default(),
        }))
    }
}

pub fn openapi_service(state: Arc<AppState>) -> OpenApiService<api::AllRoutes<AppState>, ()> {
    OpenApiService::new(api::all_routes(state), "spci CI results API", "1.2.0").server(API_PREFIX)
}

/// The spec as JSON, converted once from the YAML we serve verbatim (poem's re-derived spec is lossy).
pub fn spec_json() -> &'static serde_json::Value {
    static JSON: OnceLock<serde_json::Value> = OnceLock::new();
    JSON.get_or_init(|| yaml_serde::from_str(SPEC_YAML).expect("the spec is valid YAML"))
}

#[handler]
fn spec_yaml_endpoint() -> Response {
    SPEC_YAML
        .with_content_type("application/yaml")
        .with_status(StatusCode::OK)
        .into_response()
}

#[handler]
fn spec_json_endpoint() -> Response {
    poem::web::Json(spec_json()).into_response()
}

/// The whole HTTP stack. Outermost first: request id + tracing, security headers, rate limits,
/// request size limits, panic catcher, error contract, routes.
pub fn build_app(state: Arc<AppState>, limits: Arc<Limits>) -> impl Endpoint<Output = Response> {
    let max_body = state.config.max_body;
    with_stack(routes(state), max_body, limits)
}

/// The cross-cutting middleware around any endpoint (tests wrap endpoints of their own in it).
pub fn with_stack(
    ep: impl Endpoint + 'static,
    max_body: usize,
    limits: Arc<Limits>,
) -> impl Endpoint<Output = Response> {
    ep.with(ErrorContract)
        .with(CatchPanic::new().with_handler(panic_response))
        .with(RequestLimits {
            max_body,
            max_query: MAX_QUERY,
        })
        .with(RateLimit(limits))
        .with(SecurityHeaders)
        .with(RequestId)
        .map_to_response()
}

fn routes(state: Arc<AppState>) -> Route {
    let gate = AuthGate(state.clone());
    let service = openapi_service(state);
    let docs = service.swagger_ui();
    let api = Route::new()
        .at("/openapi.yaml", spec_yaml_endpoint)
        .at("/openapi.json", spec_json_endpoint)
        .nest("/docs", docs)
        .nest("/", service.with(crate::body_schema::BodySchema).with(gate));
    Route::new().nest(API_PREFIX, api)
}
