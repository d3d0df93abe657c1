//! JSON request bodies checked against the spec's own schema (jsonschema) before poem-openapi
//! parses them. poem-openapi coerces JSON numbers and booleans into string fields (`"name": 12345`
//! reads as "12345"); the spec says string, so such a body is refused here with every violation
//! listed, and what the handler receives is exactly what the spec allows.
use crate::app::spec_json;
use crate::error::ApiError;
use crate::routing::find_operation;
use poem::http::header;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::OnceLock;

const SPEC_URI: &str = "urn:spci:spec";
/// Violations listed in one error body.
const MAX_ERRORS: usize = 10;

pub struct BodySchema;

impl<E: Endpoint> Middleware<E> for BodySchema {
    type Output = BodySchemaEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        BodySchemaEndpoint(ep)
    }
}

pub struct BodySchemaEndpoint<E>(E);

impl<E: Endpoint> Endpoint for BodySchemaEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Response> {
        let json_body = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json"));
        let validator = find_operation(req.method().as_str(), req.uri().path())
            .and_then(|op| validators().get(op.operation_id));
        if let (true, Some(validator)) = (json_body, validator) {
            // The body was already bounded by the request-size limit.
            let bytes = req.take_body().into_bytes().await?;
            // Malformed JSON is left to the parser, which names the syntax error.
            if let Ok(value) = serde_json::from_slice::<Value>(&bytes) {
                let errors: Vec<Value> = validator
                    .iter_errors(&value)
                    .take(MAX_ERRORS)
                    .map(|e| json!({"path": e.instance_path().to_string(), "message": e.to_string()}))
                    .collect();
                if !errors.is_empty() {
                    return Ok(ApiError::validation("Request body failed validation.")
                        .detail("errors", errors)
                        .into_response());
                }
            }
            req.set_body(bytes);
        }
        Ok(self.0.call(req).await?.into_response())
    }
}

/// One compiled validator per operation with a JSON request body, from the served spec.
fn validators() -> &'static HashMap<&'static str, jsonschema::Validator> {
    static V: OnceLock<HashMap<&'static str, jsonschema::Validator>> = OnceLock::new();
    V.get_or_init(|| {
        let spec = spec_json();
        let registry = jsonschema::Registry::new()
            .add(SPEC_URI, to_json_schema(spec))
            .expect("the spec as a schema resource")
            .prepare()
            .expect("a schema registry");
        crate::api::OPERATIONS
            .iter()
            .filter_map(|op| {
                let schema = spec
                    .get("paths")?
                    .get(op.path)?
                    .get(op.method.to_lowercase())?
                    .pointer("/requestBody/content/application~1json/schema")?;
                let rooted = root_refs(&to_json_schema(schema));
                let v = jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft4)
                    .should_validate_formats(true)
                    .with_registry(&registry)
                    .build(&rooted)
                    .unwrap_or_else(|e| panic!("{}: body schema: {e}", op.operation_id));
                Some((op.operation_id, v))
            })
            .collect()
    })
}

/// OpenAPI 3.0 schema objects are not JSON Schema: `nullable` becomes a type union. (The
/// contract harness keeps its own copy on purpose: the checker shares no code with the server.)
fn to_json_schema(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out: Map<String, Value> = m
                .iter()
                .map(|(k, x)| (k.clone(), to_json_schema(x)))
                .collect();
            if out.remove("nullable") == Some(Value::Bool(true)) {
                if let Some(all_of) = out.remove("allOf") {
                    out.insert("anyOf".into(), json!([{"allOf": all_of}, {"type": "null"}]));
                } else if let Some(Value::String(t)) = out.get("type").cloned() {
                    out.insert("type".into(), json!([t, "null"]));
                    if let Some(Value::Array(e)) = out.get_mut("enum") {
                        e.push(Value::Null);
                    }
                }
            }
            out.remove("discriminator");
            out.remove("example");
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(to_json_schema).collect()),
        other => other.clone(),
    }
}

/// Refs into the spec resolve against its registered URI.
fn root_refs(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| match (k.as_str(), x) {
                    ("$ref", Value::String(r)) if r.starts_with('#') => {
                        (k.clone(), Value::String(format!("{SPEC_URI}{r}")))
                    }
                    _ => (k.clone(), root_refs(x)),
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(root_refs).collect()),
        other => other.clone(),
    }
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
    fn constraints_poem_cannot_express_are_enforced() {
        let v = &validators()["updateCategory"];
        assert!(!v.is_valid(&json!({})), "minProperties: 1");
        assert!(v.is_valid(&json!({"description": "x"})));
    }
}
