//! No drift: the spec poem-openapi derives from the generated code equals `openapi-ci-api.yaml`
//! (paths, methods, parameters and their constraints, request and response schemas, status
//! codes, security), after normalising differences of representation only. Scopes, roles and
//! unknown-field rejection, which poem cannot express, are compared with the generated tables.
use crate::api::OPERATIONS;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

/// Keys that are documentation, not contract.
const DOC_KEYS: &[&str] = &[
    "title",
    "description",
    "summary",
    "title",
    "example",
    "examples",
    "tags",
    "externalDocs",
    "deprecated",
    "explode",
    "style",
];

pub fn yaml_spec() -> Value {
    yaml_serde::from_str(crate::http::spec::SPEC_YAML).expect("spec parses")
}

fn derived_spec() -> Value {
    // The routes never run here; the spec is derived from types alone.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let state = rt.block_on(async {
        let mut c = crate::config::Config::defaults();
        c.database_url = "sqlite::memory:".into();
        c.storage = tempfile::tempdir()
            .unwrap()
            .keep()
            .to_str()
            .unwrap()
            .to_string();
        crate::startup::open(c).await.unwrap()
    });
    serde_json::from_str(&crate::http::openapi_service(state).spec()).expect("poem spec is JSON")
}

fn resolve<'a>(root: &'a Value, v: &'a Value, kind: &str) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) if r.starts_with(&format!("#/components/{kind}/")) => {
            root.pointer(&r[1..]).expect("ref resolves")
        }
        _ => v,
    }
}

/// poem-openapi wraps each oneOf member `M` of union `U` in a schema `U_M`; unwrap them.
fn unwrap_unions(spec: &mut Value) {
    let schemas = spec["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut wrappers = vec![];
    for (name, s) in &schemas {
        if s.get("oneOf").is_none() {
            continue;
        }
        let text = s.to_string();
        let mut fixed = s.clone();
        fixed.as_object_mut().unwrap().remove("type");
        let mut t = fixed.to_string();
        for other in schemas.keys() {
            if let Some(member) = other.strip_prefix(&format!("{name}_"))
                && text.contains(&format!("/{other}\""))
            {
                t = t.replace(&format!("/{other}\""), &format!("/{member}\""));
                wrappers.push(other.clone());
            }
        }
        spec["components"]["schemas"][name] = serde_json::from_str(&t).unwrap();
    }
    for w in wrappers {
        spec["components"]["schemas"]
            .as_object_mut()
            .unwrap()
            .remove(&w);
    }
}

/// Multipart bodies: poem inlines the form schema where the YAML refers to it.
fn inline_multipart(spec: &mut Value) -> Vec<String> {
    let root = spec.clone();
    let mut names = vec![];
    for item in spec["paths"].as_object_mut().unwrap().values_mut() {
        for op in item.as_object_mut().unwrap().values_mut() {
            if let Some(s) = op.pointer_mut("/requestBody/content/multipart~1form-data/schema")
                && let Some(r) = s.get("$ref").and_then(Value::as_str).map(str::to_string)
            {
                names.push(r.rsplit('/').next().unwrap().to_string());
                *s = root.pointer(&r[1..]).unwrap().clone();
            }
        }
    }
    names
}

/// Error bodies with typed details (`x-error-body`) have ErrorResponse's Rust type, whose
/// details are the map the one error conversion builds; here they compare as ErrorResponse.
/// Their named shapes are held on the wire instead: the contract harness validates every error
/// answer against them, and `tests::error_details` checks each family.
fn error_bodies_as_error_response(spec: &mut Value) {
    let error_response = json!({"$ref": "#/components/schemas/ErrorResponse"});
    replace_schemas(
        spec,
        |s| s.get("x-error-body").is_some(),
        |_| error_response.clone(),
    );
}

/// A named free-form object (PageMeta) is a Rust alias of `serde_json::Value`, which poem
/// renders inline: compare it inline.
fn inline_free_form(spec: &mut Value) {
    replace_schemas(
        spec,
        |s| s.as_object().is_some_and(is_free_form),
        Value::clone,
    );
}

/// Removes the component schemas `which` picks and puts `with(schema)` wherever one was
/// referred to.
fn replace_schemas(
    spec: &mut Value,
    which: impl Fn(&Value) -> bool,
    with: impl Fn(&Value) -> Value,
) {
    let Some(schemas) = spec["components"]["schemas"].as_object_mut() else {
        return;
    };
    let replaced: Map<String, Value> = schemas
        .iter()
        .filter(|(_, s)| which(s))
        .map(|(n, s)| (format!("#/components/schemas/{n}"), with(s)))
        .collect();
    schemas.retain(|_, s| !which(s));
    fn walk(v: &mut Value, replaced: &Map<String, Value>) {
        if let Some(r) = v
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| replaced.get(r))
        {
            *v = r.clone();
            return;
        }
        match v {
            Value::Object(m) => m.values_mut().for_each(|x| walk(x, replaced)),
            Value::Array(a) => a.iter_mut().for_each(|x| walk(x, replaced)),
            _ => {}
        }
    }
    walk(spec, &replaced);
}

/// Normalises one side into flat `pointer = value` lines.
fn normalise(spec: &Value) -> BTreeSet<String> {
    let mut spec = spec.clone();
    unwrap_unions(&mut spec);
    error_bodies_as_error_response(&mut spec);
    inline_free_form(&mut spec);
    let multipart = inline_multipart(&mut spec);
    let spec = &spec;
    let mut out = BTreeSet::new();
    let global_security = spec.get("security").cloned().unwrap_or(json!([]));
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().unwrap() {
            let mut op = op.clone();
            let o = op.as_object_mut().unwrap();
            o.remove("operationId");
            o.retain(|k, _| !k.starts_with("x-"));
            let security = o
                .remove("security")
                .unwrap_or_else(|| global_security.clone());
            if security.as_array().is_some_and(|a| !a.is_empty()) {
                o.insert("security".into(), security);
            }
            if let Some(Value::Array(params)) = o.get_mut("parameters") {
                for p in params.iter_mut() {
                    *p = resolve(spec, p, "parameters").clone();
                }
                params.sort_by_key(|p| p["name"].to_string());
            }
            if let Some(Value::Object(resps)) = o.get_mut("responses") {
                for r in resps.values_mut() {
                    let mut resolved = resolve(spec, r, "responses").clone();
                    if let Some(Value::Object(hs)) = resolved.get_mut("headers") {
                        let inlined: Map<String, Value> = hs
                            .iter()
                            .map(|(k, h)| {
                                (k.to_ascii_lowercase(), resolve(spec, h, "headers").clone())
                            })
                            .collect();
                        *hs = inlined;
                    }
                    *r = resolved;
                }
            }
            flatten(&format!("/paths{path}/{method}"), &clean(&op, ""), &mut out);
        }
    }
    for (name, schema) in spec["components"]["schemas"].as_object().expect("schemas") {
        if multipart.contains(name) {
            continue;
        }
        // Extensions are the generator's input, not poem's output (x-admin-only is checked
        // against the generated enum below).
        let mut schema = schema.clone();
        if let Some(o) = schema.as_object_mut() {
            o.retain(|k, _| !k.starts_with("x-"));
        }
        flatten(
            &format!("/components/schemas/{name}"),
            &clean(&schema, ""),
            &mut out,
        );
    }
    out
}

#[test]
fn the_admin_only_scopes_are_the_yamls() {
    let yaml = yaml_spec();
    let listed: BTreeSet<&str> = yaml["components"]["schemas"]["Scope"]["x-admin-only"]
        .as_array()
        .expect("Scope has x-admin-only")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let generated: BTreeSet<&str> = crate::api::Scope::ADMIN_ONLY
        .iter()
        .map(|s| s.as_str())
        .collect();
    assert_eq!(generated, listed);
}

fn is_free_form(m: &Map<String, Value>) -> bool {
    m.get("type") == Some(&json!("object"))
        && m.get("properties").is_none()
        && m.get("additionalProperties") == Some(&json!(true))
}

fn clean(v: &Value, parent: &str) -> Value {
    match v {
        Value::Object(m) => {
            if is_free_form(m) {
                return if m.get("nullable") == Some(&json!(true)) {
                    json!({"nullable": true})
                } else {
                    json!({})
                };
            }
            let mut out = Map::new();
            for (k, x) in m {
                // poem repeats `nullable` inside allOf; the YAML says it once, beside allOf.
                if k == "allOf" {
                    let kept: Vec<Value> = x
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|e| **e != json!({"nullable": true}))
                        .map(|e| clean(e, k))
                        .collect();
                    out.insert(k.clone(), Value::Array(kept));
                    continue;
                }
                if parent != "properties" && DOC_KEYS.contains(&k.as_str()) {
                    continue;
                }
                // Not expressible in poem-openapi; `body_schema` enforces it from the YAML itself.
                if k == "minProperties" {
                    continue;
                }
                // Rendered by neither side the same way; compared via the generated tables instead.
                if k == "additionalProperties" && x == &json!(false) {
                    continue;
                }
                let key = match parent {
                    "content" => k.split(';').next().unwrap().trim().to_string(),
                    "headers" => k.to_ascii_lowercase(),
                    _ => k.clone(),
                };
                out.insert(key, clean(x, k));
            }
            // poem cannot say "required and nullable": a nullable property is never in `required`.
            if let (Some(Value::Array(req)), Some(Value::Object(props))) =
                (out.get("required").cloned(), out.get("properties"))
            {
                let kept: Vec<Value> = req
                    .into_iter()
                    .filter(|r| {
                        props
                            .get(r.as_str().unwrap())
                            .and_then(|p| p.get("nullable"))
                            != Some(&json!(true))
                    })
                    .collect();
                if kept.is_empty() {
                    out.remove("required")
                } else {
                    out.insert("required".into(), Value::Array(kept))
                };
            }
            // Middleware-set headers: poem marks them required with a fixed integer format.
            if parent.starts_with("x-ratelimit") || parent == "retry-after" {
                out.remove("required");
                if let Some(Value::Object(s)) = out.get_mut("schema") {
                    s.remove("format");
                }
            }
            if out.get("required") == Some(&json!(false)) {
                out.remove("required");
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| clean(x, parent)).collect()),
        Value::Number(n) => json!(n.as_f64().unwrap()),
        other => other.clone(),
    }
}

fn flatten(prefix: &str, v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, x) in m {
                flatten(&format!("{prefix}/{k}"), x, out);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            let mut items: Vec<String> = a.iter().map(|x| x.to_string()).collect();
            if !prefix.ends_with("/parameters") {
                items.sort();
            }
            for (i, s) in items.iter().enumerate() {
                out.insert(format!("{prefix}[{i}] = {s}"));
            }
        }
        other => {
            out.insert(format!("{prefix} = {other}"));
        }
    }
}

/// Every difference between the YAML and the derived spec, as readable lines.
fn drift(yaml: &Value, derived: &Value) -> Vec<String> {
    let a = normalise(yaml);
    let b = normalise(derived);
    let mut d: Vec<String> = a
        .difference(&b)
        .map(|l| format!("only in YAML:    {l}"))
        .collect();
    d.extend(b.difference(&a).map(|l| format!("only in derived: {l}")));
    d
}

#[test]
fn derived_spec_equals_the_yaml() {
    let d = drift(&yaml_spec(), &derived_spec());
    assert!(
        d.is_empty(),
        "{} differences:\n{}",
        d.len(),
        d.iter().take(80).cloned().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn the_checker_fails_on_disagreement() {
    let derived = derived_spec();
    let mut yaml = yaml_spec();
    assert!(drift(&yaml, &derived).is_empty());
    // A bound changed in the YAML but not in the code.
    let limit = yaml
        .pointer_mut("/components/parameters/Limit/schema/maximum")
        .expect("Limit has a maximum");
    *limit = json!(500);
    let d = drift(&yaml, &derived);
    assert!(d.iter().any(|l| l.contains("maximum")), "{d:?}");
    // A status code documented in the YAML only.
    let mut yaml = yaml_spec();
    let first = yaml["paths"]
        .as_object_mut()
        .unwrap()
        .values_mut()
        .next()
        .unwrap();
    let op = first.as_object_mut().unwrap().values_mut().next().unwrap();
    op["responses"]["418"] = json!({"description": "teapot"});
    assert!(drift(&yaml, &derived).iter().any(|l| l.contains("418")));
}

#[test]
fn scopes_roles_and_statuses_match_the_generated_table() {
    let yaml = yaml_spec();
    let mut seen = 0;
    for (path, item) in yaml["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap();
            let row = OPERATIONS
                .iter()
                .find(|o| o.operation_id == id)
                .unwrap_or_else(|| panic!("{id} missing"));
            assert_eq!(row.path, path);
            assert_eq!(row.method, method.to_uppercase());
            let list = |k: &str| -> Vec<String> {
                op.get(k)
                    .and_then(Value::as_array)
                    .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
                    .unwrap_or_default()
            };
            assert_eq!(
                row.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                list("x-required-scopes")
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
                "{id}"
            );
            assert_eq!(
                row.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                list("x-required-roles")
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
                "{id}"
            );
            let statuses: BTreeSet<u16> = op["responses"]
                .as_object()
                .unwrap()
                .keys()
                .map(|k| k.parse().unwrap())
                .collect();
            assert_eq!(
                row.statuses.iter().copied().collect::<BTreeSet<_>>(),
                statuses,
                "{id}"
            );
            seen += 1;
        }
    }
    assert_eq!(seen, OPERATIONS.len());
}
