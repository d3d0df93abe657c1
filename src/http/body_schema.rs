//! JSON request bodies checked against the spec's own schema (jsonschema) before poem-openapi
//! parses them. poem-openapi coerces JSON numbers and booleans into string fields (`"name": 12345`
//! reads as "12345"); the spec says string, so such a body is refused here with every violation
//! listed, and what the handler receives is exactly what the spec allows.
//!
//! "A JSON body" is whatever poem-openapi would parse as one (`application/json` in any case,
//! with parameters, or any `+json` type): the check asks poem-openapi's own predicate, so no
//! spelling of the media type reaches the parser without passing here first.
use super::error::{ApiError, MAX_LISTED};
use super::operation;
use poem::http::header;
use poem::{Endpoint, Middleware, Request, Result};
use poem_openapi::payload::{Json, Payload};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::OnceLock;

/// Violations counted beyond the listed ones; a hostile body cannot make counting unbounded.
const MAX_COUNTED: usize = 10_000;

pub struct BodySchema;

impl<E: Endpoint> Middleware<E> for BodySchema {
    type Output = BodySchemaEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        BodySchemaEndpoint(ep)
    }
}

pub struct BodySchemaEndpoint<E>(E);

/// Whether poem-openapi would read a body of this `Content-Type` as JSON.
pub fn is_json(content_type: &str) -> bool {
    <Json<Value> as Payload>::check_content_type(content_type)
}

impl<E: Endpoint> Endpoint for BodySchemaEndpoint<E> {
    type Output = E::Output;

    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        let json_body = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(is_json);
        let validator = operation::of(&req)
            .op
            .and_then(|op| validators().get(op.operation_id));
        if let (true, Some(validator)) = (json_body, validator) {
            // The body was already bounded by the request-size limit.
            let bytes = req.take_body().into_bytes().await?;
            // Malformed JSON is left to the parser, which names the syntax error.
            if let Ok(value) = serde_json::from_slice::<Value>(&bytes) {
                if let Some(path) = nul_at(&value, String::new()) {
                    return Err(
                        ApiError::validation("Strings must not contain NUL characters.")
                            .detail("field", path)
                            .into(),
                    );
                }
                let mut all = validator.iter_errors(&value).take(MAX_COUNTED);
                let errors: Vec<Value> = all
                    .by_ref()
                    .take(MAX_LISTED)
                    .map(|e| json!({"path": e.instance_path().to_string(), "message": e.to_string()}))
                    .collect();
                if !errors.is_empty() {
                    let mut e = ApiError::validation("Request body failed validation.")
                        .detail("errors", errors);
                    let omitted = all.count();
                    if omitted > 0 {
                        e = e.detail("omitted", omitted);
                    }
                    return Err(e.into());
                }
            }
            req.set_body(bytes);
        }
        self.0.call(req).await
    }
}

/// The JSON pointer of the first string (value or key) holding a NUL character. PostgreSQL
/// cannot store one and refuses the whole statement, so it is refused here on every backend.
fn nul_at(v: &Value, at: String) -> Option<String> {
    match v {
        Value::String(s) => s.contains('\0').then_some(at),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, x)| nul_at(x, format!("{at}/{i}"))),
        Value::Object(m) => m.iter().find_map(|(k, x)| {
            let here = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
            if k.contains('\0') {
                Some(here)
            } else {
                nul_at(x, here)
            }
        }),
        _ => None,
    }
}

/// The spec's schemas as JSON Schema 2020-12, converted once by the generator (the same
/// conversion as the MCP tools'): every component under `$defs`, each JSON body under `bodies`.
const SCHEMAS: &str = include_str!("../../generated/json-schemas.json");
const SCHEMAS_URI: &str = "urn:spci:schemas";

/// One compiled validator per operation with a JSON request body.
fn validators() -> &'static HashMap<&'static str, jsonschema::Validator> {
    static V: OnceLock<HashMap<&'static str, jsonschema::Validator>> = OnceLock::new();
    V.get_or_init(|| {
        crate::api::OPERATIONS
            .iter()
            .filter(|op| document()["bodies"].get(op.operation_id).is_some())
            .map(|op| {
                let v = compile(&format!("#/bodies/{}", op.operation_id))
                    .unwrap_or_else(|e| panic!("{}: body schema: {e}", op.operation_id));
                (op.operation_id, v)
            })
            .collect()
    })
}

fn document() -> &'static Value {
    static D: OnceLock<Value> = OnceLock::new();
    D.get_or_init(|| serde_json::from_str(SCHEMAS).expect("build.rs writes valid JSON"))
}

/// A validator of the spec's component schema `name` (tests hold answers to it).
pub fn validator(name: &str) -> Result<jsonschema::Validator, String> {
    if document()["$defs"].get(name).is_none() {
        return Err(format!("no schema {name}"));
    }
    compile(&format!("#/$defs/{name}"))
}

/// The schema at `pointer` in the document, its `$ref`s resolved within it.
fn compile(pointer: &str) -> Result<jsonschema::Validator, String> {
    static REGISTRY: OnceLock<jsonschema::Registry> = OnceLock::new();
    let registry = REGISTRY.get_or_init(|| {
        jsonschema::Registry::new()
            .add(SCHEMAS_URI, document().clone())
            .expect("the schemas as a resource")
            .prepare()
            .expect("a schema registry")
    });
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .with_registry(registry)
        .build(&json!({"$ref": format!("{SCHEMAS_URI}{pointer}")}))
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_json_body_of_the_spec_compiles() {
        assert!(validators().contains_key("createRun"));
        assert!(validators().contains_key("approveBaseline"));
        assert!(!validators().contains_key("listRuns"));
    }

    #[test]
    fn a_number_where_the_spec_says_string_is_refused() {
        let v = &validators()["createCategory"];
        assert!(v.is_valid(&json!({"name": "DVB"})));
        assert!(!v.is_valid(&json!({"name": 12345})));
        assert!(!v.is_valid(&json!({"name": true})));
    }

    #[test]
    fn every_media_type_poem_reads_as_json_is_checked() {
        let json = [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON",
            "APPLICATION/JSON;charset=UTF-8",
            "application/vnd.api+json",
            "application/problem+json",
        ];
        for ct in json {
            assert!(is_json(ct), "{ct}");
        }
        for ct in [
            "text/plain",
            "application/xml",
            "multipart/form-data",
            "jsonapplication",
        ] {
            assert!(!is_json(ct), "{ct}");
        }
    }

    #[test]
    fn nul_characters_are_found_in_values_and_keys() {
        let cases = [
            (json!({"name": "a\0b"}), Some("/name")),
            (json!({"a": {"b": ["ok", "x\0"]}}), Some("/a/b/1")),
            (json!({"k\0": 1}), Some("/k\0")),
            (json!({"a/b": "\0"}), Some("/a~1b")),
            (json!({"name": "a\\0b", "n": 0}), None),
        ];
        for (v, want) in cases {
            assert_eq!(nul_at(&v, String::new()).as_deref(), want, "{v}");
        }
    }

    #[test]
    fn constraints_poem_cannot_express_are_enforced() {
        let v = &validators()["updateCategory"];
        assert!(!v.is_valid(&json!({})), "minProperties: 1");
        assert!(v.is_valid(&json!({"description": "x"})));
    }
}
