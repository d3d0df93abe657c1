//! The `x-` keys the generator understands. Any other `x-` key anywhere in the spec fails the
//! build: an extension nobody reads is a rule nobody enforces.
use crate::error::{Error, bail};
use serde_json::Value;

/// Where a known extension may appear, and what it means.
pub const KNOWN: &[(&str, Place, &str)] = &[
    (
        "x-required-scopes",
        Place::Operation,
        "token scopes the operation needs (all of them)",
    ),
    (
        "x-required-roles",
        Place::Operation,
        "roles that may call the operation (any one; empty: any role)",
    ),
    (
        "x-ordered-params",
        Place::Operation,
        "two parameters where the first must not be greater than the second",
    ),
    (
        "x-mcp",
        Place::Operation,
        "an MCP tool: `{}`, or `{description}` when an agent needs other words than a person",
    ),
    (
        "x-error-body",
        Place::Schema,
        "an error body with typed details, or a part of one: on the wire it is the named shape, \
         in Rust it is ErrorResponse (all error bodies are built in one place)",
    ),
    (
        "x-admin-only",
        Place::Schema,
        "enum values only an admin may hold (the token scopes of `Scope`)",
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Operation,
    Schema,
}

/// Maps whose keys are names chosen by the spec's author, not keywords.
const NAME_MAPS: &[&str] = &[
    "properties",
    "paths",
    "schemas",
    "parameters",
    "responses",
    "headers",
    "content",
    "mapping",
    "securitySchemes",
    "examples",
];

/// Rejects every `x-` key that is not known at the place it appears.
pub fn check(spec: &Value) -> Result<(), Error> {
    walk(spec, "", Ctx::Root)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Root,
    /// Inside `paths./x`: the children are methods.
    PathItem,
    Operation,
    Schema,
    Other,
}

fn walk(v: &Value, at: &str, ctx: Ctx) -> Result<(), Error> {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let here = format!("{at}/{k}");
                if k.starts_with("x-") {
                    let place = match ctx {
                        Ctx::Operation => Some(Place::Operation),
                        Ctx::Schema => Some(Place::Schema),
                        _ => None,
                    };
                    match KNOWN.iter().find(|(name, _, _)| name == k) {
                        Some((_, p, _)) if Some(*p) == place => continue,
                        Some((_, p, _)) => bail!("{here}: {k} belongs on a {p:?}, not here"),
                        None => bail!(
                            "{here}: unknown extension {k}; the generator reads only {}",
                            KNOWN
                                .iter()
                                .map(|(n, _, _)| *n)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    }
                }
                let next = match (ctx, k.as_str()) {
                    (
                        Ctx::PathItem,
                        "get" | "put" | "post" | "delete" | "patch" | "head" | "options" | "trace",
                    ) => Ctx::Operation,
                    (_, "schema" | "items" | "additionalProperties") => Ctx::Schema,
                    _ => Ctx::Other,
                };
                if NAME_MAPS.contains(&k.as_str())
                    && let Value::Object(named) = child
                {
                    let inner = match k.as_str() {
                        "paths" => Ctx::PathItem,
                        "schemas" | "properties" => Ctx::Schema,
                        _ => Ctx::Other,
                    };
                    for (name, item) in named {
                        walk(item, &format!("{here}/{name}"), inner)?;
                    }
                } else {
                    walk(child, &here, next)?;
                }
            }
            Ok(())
        }
        Value::Array(a) => {
            // allOf / oneOf / anyOf members are schemas; other lists hold plain values.
            let inner = if matches!(ctx, Ctx::Schema) {
                Ctx::Schema
            } else {
                Ctx::Other
            };
            for (i, item) in a.iter().enumerate() {
                walk(item, &format!("{at}/{i}"), inner)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn known_keys_in_their_place_pass() {
        let spec = json!({
            "paths": {"/a": {"get": {"x-required-scopes": [], "x-ordered-params": ["a", "b"]}}},
            "components": {"schemas": {"Scope": {"type": "string", "x-admin-only": []}}}
        });
        assert_eq!(check(&spec), Ok(()));
    }

    #[test]
    fn unknown_or_misplaced_keys_fail() {
        let cases = [
            json!({"paths": {"/a": {"get": {"x-ordered-param": ["a", "b"]}}}}),
            json!({"x-anything": 1}),
            json!({"paths": {"/a": {"get": {"responses": {"200": {"x-required-roles": []}}}}}}),
            json!({"components": {"schemas": {"S": {"x-required-scopes": []}}}}),
            json!({"components": {"schemas": {"S": {"properties": {"p": {"x-nullable": true}}}}}}),
        ];
        for spec in cases {
            assert!(check(&spec).is_err(), "{spec}");
        }
    }

    #[test]
    fn names_that_start_with_x_are_not_extensions() {
        let spec = json!({"components": {"schemas": {"S": {"properties": {"x-offset": {"type": "string"}}}}}});
        assert_eq!(check(&spec), Ok(()));
    }
}
