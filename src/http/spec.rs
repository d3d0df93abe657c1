//! The spec, served as written: YAML verbatim and the same document as JSON (poem's re-derived
//! spec is lossy: no `x-` keys, other descriptions).
use poem::http::StatusCode;
use poem::{IntoResponse, Response, handler};
use std::sync::OnceLock;

pub const SPEC_YAML: &str = include_str!("../../openapi-ci-api.yaml");

/// The spec as JSON, converted once from the YAML.
pub fn spec_json() -> &'static serde_json::Value {
    static JSON: OnceLock<serde_json::Value> = OnceLock::new();
    JSON.get_or_init(|| yaml_serde::from_str(SPEC_YAML).expect("the spec is valid YAML"))
}

#[handler]
pub fn yaml() -> Response {
    SPEC_YAML
        .with_content_type("application/yaml")
        .with_status(StatusCode::OK)
        .into_response()
}

#[handler]
pub fn json() -> Response {
    poem::web::Json(spec_json()).into_response()
}
