//! Contract harness: knows the API only through `openapi-ci-api.yaml`. Generates requests from
//! the parameter schemas and checks every response against the spec: status documented for the
//! operation, JSON content type, documented required headers present, body valid against the
//! response schema (jsonschema, with the whole spec as the `$ref` registry).
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

pub mod generate;
pub mod server;

const SPEC_URI: &str = "urn:spci:spec";

pub fn spec_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi-ci-api.yaml")
}

pub fn load_spec() -> Value {
    let text = std::fs::read_to_string(spec_path()).expect("read the spec");
    yaml_serde::from_str(&text).expect("the spec parses")
}

#[derive(Debug, Clone)]
pub struct Operation {
    pub id: String,
    pub method: String,
    pub path: String,
    pub public: bool,
    pub scopes: Vec<String>,
    pub roles: Vec<String>,
    pub params: Vec<Value>,
    /// `x-ordered-params`: parameters whose values must not decrease in this order (a
    /// cross-field rule JSON Schema cannot state, e.g. created_after ≤ created_before).
    pub ordered_params: Vec<String>,
    pub body_schema: Option<Value>,
    pub body_content_type: Option<String>,
    /// status -> resolved response object
    pub responses: BTreeMap<u16, Value>,
}

/// OpenAPI 3.0 schema objects are not JSON Schema: rewrite `nullable` into type unions.
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

pub struct Contract {
    pub spec: Value,
    registry: jsonschema::Registry<'static>,
    pub operations: Vec<Operation>,
}

fn resolve<'a>(spec: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => spec
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("dangling $ref {r}")),
        None => v,
    }
}

impl Contract {
    pub fn new(spec: Value) -> Self {
        let converted = to_json_schema(&spec);
        let registry = jsonschema::Registry::new()
            .add(SPEC_URI, converted)
            .expect("spec as a schema resource")
            .prepare()
            .expect("registry");
        let global_security = spec.get("security").cloned().unwrap_or(json!([]));
        let mut operations = vec![];
        for (path, item) in spec["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("path item") {
                let security = op.get("security").unwrap_or(&global_security);
                let public = security.as_array().is_none_or(|a| a.is_empty());
                let strs = |key: &str| -> Vec<String> {
                    op.get(key)
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(|s| s.as_str().map(String::from))
                                .collect()
                        })
                        .unwrap_or_default()
                };
                let params = op
                    .get("parameters")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().map(|p| resolve(&spec, p).clone()).collect())
                    .unwrap_or_default();
                let (body_content_type, body_schema) = match op
                    .pointer("/requestBody/content")
                    .and_then(Value::as_object)
                {
                    Some(c) => {
                        let (ct, mt) = c.iter().next().expect("a content type");
                        (Some(ct.clone()), mt.get("schema").cloned())
                    }
                    None => (None, None),
                };
                let responses = op["responses"]
                    .as_object()
                    .expect("responses")
                    .iter()
                    .map(|(code, r)| {
                        (
                            code.parse::<u16>().expect("numeric status"),
                            resolve(&spec, r).clone(),
                        )
                    })
                    .collect();
                operations.push(Operation {
                    id: op["operationId"].as_str().expect("operationId").to_string(),
                    method: method.to_uppercase(),
                    path: path.clone(),
                    public,
                    scopes: strs("x-required-scopes"),
                    roles: strs("x-required-roles"),
                    ordered_params: strs("x-ordered-params"),
                    params,
                    body_schema,
                    body_content_type,
                    responses,
                });
            }
        }
        Self {
            spec,
            registry,
            operations,
        }
    }

    pub fn load() -> Self {
        Self::new(load_spec())
    }

    pub fn operation(&self, id: &str) -> &Operation {
        self.operations
            .iter()
            .find(|o| o.id == id)
            .unwrap_or_else(|| panic!("no operation {id}"))
    }

    /// Validates `value` against a schema of the spec (`{"$ref": "#/components/schemas/X"}` or inline).
    pub fn schema_errors(&self, schema: &Value, value: &Value) -> Vec<String> {
        let rooted = root_refs(&to_json_schema(schema));
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .should_validate_formats(true)
            .with_registry(&self.registry)
            .build(&rooted)
            .expect("schema compiles");
        validator
            .iter_errors(value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect()
    }

    /// Every way `response` fails the contract of `op`; empty when it conforms.
    pub fn check(
        &self,
        op: &Operation,
        status: u16,
        headers: &BTreeMap<String, String>,
        body: &str,
    ) -> Vec<String> {
        let mut problems = vec![];
        let Some(documented) = op.responses.get(&status) else {
            let mut listed: Vec<u16> = op.responses.keys().copied().collect();
            listed.sort();
            return vec![format!(
                "{} {}: status {status} is not documented (documented: {listed:?})",
                op.method, op.path
            )];
        };
        if let Some(hs) = documented.get("headers").and_then(Value::as_object) {
            for (name, h) in hs {
                let h = resolve(&self.spec, h);
                if h.get("required") == Some(&Value::Bool(true))
                    && !headers.contains_key(&name.to_ascii_lowercase())
                {
                    problems.push(format!(
                        "{} {} {status}: missing header {name}",
                        op.method, op.path
                    ));
                }
            }
        }
        if let Some(schema) = documented.pointer("/content/application~1json/schema") {
            let ct = headers
                .get("content-type")
                .map(String::as_str)
                .unwrap_or("");
            if !ct.starts_with("application/json") {
                problems.push(format!(
                    "{} {} {status}: content-type {ct:?}, expected application/json",
                    op.method, op.path
                ));
            }
            match serde_json::from_str::<Value>(body) {
                Ok(v) => {
                    for e in self.schema_errors(schema, &v) {
                        problems.push(format!("{} {} {status}: body: {e}", op.method, op.path));
                    }
                }
                Err(e) => problems.push(format!(
                    "{} {} {status}: body is not JSON ({e}): {body:.200}",
                    op.method, op.path
                )),
            }
        } else if let Some(schema) = documented.pointer("/content/text~1event-stream/schema") {
            let ct = headers
                .get("content-type")
                .map(String::as_str)
                .unwrap_or("");
            if !ct.starts_with("text/event-stream") {
                problems.push(format!(
                    "{} {} {status}: content-type {ct:?}, expected text/event-stream",
                    op.method, op.path
                ));
            }
            let item = schema.get("items").unwrap_or(&Value::Null);
            for data in event_data(body) {
                match serde_json::from_str::<Value>(&data) {
                    Ok(v) => {
                        for e in self.schema_errors(item, &v) {
                            problems
                                .push(format!("{} {} {status}: event: {e}", op.method, op.path));
                        }
                    }
                    Err(e) => problems.push(format!(
                        "{} {} {status}: event data is not JSON ({e}): {data:.200}",
                        op.method, op.path
                    )),
                }
            }
        } else if documented
            .pointer("/content/application~1octet-stream")
            .is_some()
        {
            let ct = headers
                .get("content-type")
                .map(String::as_str)
                .unwrap_or("");
            if ct != "application/octet-stream" {
                problems.push(format!(
                    "{} {} {status}: content-type {ct:?}, expected application/octet-stream",
                    op.method, op.path
                ));
            }
        } else if !body.is_empty() {
            problems.push(format!(
                "{} {} {status}: documented without a body but got {} bytes",
                op.method,
                op.path,
                body.len()
            ));
        }
        problems
    }
}

/// `#/components/...` refs inside the spec resource resolve against it; a free-standing schema
/// needs them absolute.
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

/// The `data:` of each complete event in a (chunked) event-stream body; a block cut off by the
/// end of reading is left out.
fn event_data(body: &str) -> Vec<String> {
    // Chunk-size lines of a chunked body are hex digits alone on their line: not SSE fields.
    let mut out = vec![];
    let mut data = String::new();
    for line in body.split('\n').map(|l| l.trim_end_matches('\r')) {
        if let Some(d) = line.strip_prefix("data:") {
            data.push_str(d.trim_start());
        } else if line.is_empty() && !data.is_empty() {
            out.push(std::mem::take(&mut data));
        }
    }
    out
}

impl Operation {
    /// Whether its 200 is a server-sent event stream.
    pub fn streams_events(&self) -> bool {
        self.responses
            .get(&200)
            .is_some_and(|r| r.pointer("/content/text~1event-stream").is_some())
    }
}
