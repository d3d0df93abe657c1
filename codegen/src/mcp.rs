//! The MCP tool table: one tool per operation the spec marks with `x-mcp`, named from its
//! operationId, with plain JSON Schema (2020-12) for its input (path and query parameters, and
//! the JSON body as `body`) and its output (the first 2xx JSON response). OpenAPI 3.0's
//! dialect is converted: `nullable` becomes a `null` alternative, `$ref`s to components point
//! into the tool's own `$defs` (only the schemas it reaches), and OpenAPI-only keywords go.
//! The server dispatches a call to the operation itself, so a tool is exactly the operation.
use crate::error::{Error, bail};
use crate::json_schema::{METHODS, convert, definitions};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

/// The tool table as pretty JSON, ordered by path, then method.
pub fn tools(spec: &Value) -> Result<String, Error> {
    let mut out = vec![];
    let paths = spec["paths"].as_object().cloned().unwrap_or_default();
    for (path, item) in &paths {
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let Some(mark) = op.get("x-mcp") else {
                continue;
            };
            out.push(tool(spec, path, method, op, mark)?);
        }
    }
    serde_json::to_string_pretty(&Value::Array(out)).map_err(|e| Error::new(e.to_string()))
}

fn tool(spec: &Value, path: &str, method: &str, op: &Value, mark: &Value) -> Result<Value, Error> {
    let Some(id) = op["operationId"].as_str() else {
        bail!("{method} {path}: x-mcp needs an operationId");
    };
    let Some(mark) = mark.as_object() else {
        bail!("{id}: x-mcp is an object ({{}} or {{description: …}})");
    };
    for k in mark.keys() {
        if k != "description" {
            bail!("{id}: x-mcp knows only `description`, not `{k}`");
        }
    }
    let description = mark
        .get("description")
        .or_else(|| op.get("description"))
        .or_else(|| op.get("summary"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_string();
    let mut refs = BTreeSet::new();
    let mut properties = Map::new();
    let mut required = vec![];
    let mut params = vec![];
    for p in op["parameters"].as_array().into_iter().flatten() {
        let p = resolve(spec, p)?;
        let (Some(name), Some(place)) = (p["name"].as_str(), p["in"].as_str()) else {
            bail!("{id}: a parameter without name or in");
        };
        // Headers (If-None-Match, Idempotency-Key) are the transport's business.
        if place == "header" {
            continue;
        }
        let mut schema = convert(&p["schema"], &mut refs);
        if let (Some(d), Some(o)) = (p["description"].as_str(), schema.as_object_mut()) {
            o.entry("description").or_insert(d.into());
        }
        properties.insert(name.to_string(), schema);
        if p["required"].as_bool() == Some(true) {
            required.push(Value::from(name));
        }
        params.push(json!({ "name": name, "in": place }));
    }
    let body = &op["requestBody"]["content"]["application/json"]["schema"];
    let has_body = !body.is_null();
    if has_body {
        properties.insert("body".into(), convert(body, &mut refs));
        if op["requestBody"]["required"].as_bool() == Some(true) {
            required.push("body".into());
        }
    }
    let mut input =
        json!({ "type": "object", "properties": properties, "additionalProperties": false });
    if !required.is_empty() {
        input["required"] = Value::Array(required);
    }
    let mut output_refs = BTreeSet::new();
    let output = op["responses"]
        .as_object()
        .and_then(|r| {
            r.iter()
                .find(|(status, _)| status.starts_with('2') && status.as_str() != "204")
        })
        .map(|(_, r)| resolve(spec, r))
        .transpose()?
        .map(|r| r["content"]["application/json"]["schema"].clone())
        .filter(|s| !s.is_null())
        .map(|s| convert(&s, &mut output_refs));
    let with_defs = |mut schema: Value, refs: BTreeSet<String>| -> Result<Value, Error> {
        let defs = definitions(spec, refs)?;
        if !defs.is_empty() {
            schema["$defs"] = Value::Object(defs);
        }
        Ok(schema)
    };
    let read_only = method == "get";
    let retry_safe = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|p| p["$ref"] == "#/components/parameters/IdempotencyKey");
    let mut t = json!({
        "name": id,
        "description": description,
        "inputSchema": with_defs(input, refs)?,
        "annotations": {
            "title": op["summary"].as_str().unwrap_or(id),
            "readOnlyHint": read_only,
            "destructiveHint": method == "delete",
            "idempotentHint": read_only || method == "put" || method == "delete" || retry_safe,
            "openWorldHint": false,
        },
        "operation": {
            "method": method.to_uppercase(),
            "path": path,
            "parameters": params,
            "body": has_body,
            "scopes": op["x-required-scopes"].clone(),
        },
    });
    if let Some(o) = output {
        t["outputSchema"] = with_defs(o, output_refs)?;
    }
    Ok(t)
}

fn resolve(spec: &Value, v: &Value) -> Result<Value, Error> {
    match v["$ref"].as_str() {
        None => Ok(v.clone()),
        Some(r) => {
            let pointer = r.trim_start_matches('#');
            match spec.pointer(pointer) {
                Some(found) => resolve(spec, found),
                None => bail!("unresolvable $ref {r}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tool_takes_parameters_and_body_and_bundles_what_it_reaches() {
        let spec = json!({
            "paths": {"/runs/{run_id}/cancel": {"post": {
                "operationId": "cancelRun", "summary": "Cancel a run",
                "x-mcp": {"description": "Cancel it."},
                "x-required-scopes": ["runs:write"],
                "parameters": [
                    {"$ref": "#/components/parameters/IdempotencyKey"},
                    {"name": "run_id", "in": "path", "required": true, "schema": {"type": "integer"}}
                ],
                "requestBody": {"required": false, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Why"}}}},
                "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Run"}}}}}
            }}},
            "components": {
                "parameters": {"IdempotencyKey": {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"}}},
                "schemas": {
                    "Why": {"type": "object", "properties": {"reason": {"type": "string", "nullable": true}}},
                    "Run": {"type": "object", "properties": {"status": {"$ref": "#/components/schemas/Status"}}},
                    "Status": {"type": "string", "enum": ["running"]}
                }
            }
        });
        let tools: Value = serde_json::from_str(&tools(&spec).unwrap()).unwrap();
        let t = &tools[0];
        assert_eq!(t["name"], "cancelRun");
        assert_eq!(t["description"], "Cancel it.");
        assert_eq!(t["inputSchema"]["required"], json!(["run_id"]));
        assert_eq!(
            t["inputSchema"]["properties"]["body"],
            json!({"$ref": "#/$defs/Why"})
        );
        assert!(
            t["inputSchema"]["properties"]
                .get("Idempotency-Key")
                .is_none()
        );
        assert_eq!(
            t["inputSchema"]["$defs"]["Why"]["properties"]["reason"]["type"],
            json!(["string", "null"])
        );
        // Reached through Run: bundled too.
        assert_eq!(
            t["outputSchema"]["$defs"]["Status"]["enum"],
            json!(["running"])
        );
        assert_eq!(t["annotations"]["readOnlyHint"], false);
        assert_eq!(
            t["annotations"]["idempotentHint"], true,
            "it takes an Idempotency-Key"
        );
        assert_eq!(t["operation"]["scopes"], json!(["runs:write"]));
    }

    #[test]
    fn an_unknown_key_in_the_mark_is_an_error() {
        let spec = json!({"paths": {"/x": {"get": {"operationId": "x", "x-mcp": {"hint": 1}, "responses": {}}}}});
        assert!(tools(&spec).is_err());
    }
}
