//! The generated tool table, read once.
use crate::api::{OPERATIONS, OperationInfo, Role, Scope};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::OnceLock;

const TABLE: &str = include_str!("../../generated/mcp-tools.json");

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tool {
    pub name: String,
    pub description: String,
    pub input_schema: Value,
    pub output_schema: Option<Value>,
    pub annotations: Value,
    #[serde(rename = "operation")]
    pub call: Call,
}

/// How a call becomes the operation's request.
#[derive(Debug, Deserialize)]
pub struct Call {
    pub method: String,
    pub path: String,
    pub parameters: Vec<Parameter>,
    pub body: bool,
}

#[derive(Debug, Deserialize)]
pub struct Parameter {
    pub name: String,
    #[serde(rename = "in")]
    pub place: String,
}

impl Tool {
    /// The operation the tool calls (its scopes and roles decide who may).
    pub fn operation(&self) -> &'static OperationInfo {
        OPERATIONS
            .iter()
            .find(|o| o.operation_id == self.name)
            .expect("every tool is an operation: a test proves it")
    }

    /// Whether a token with `scopes`, of a user with `role`, may call it: the operation's own
    /// rule, so the list never offers what a call would refuse.
    pub fn callable_by(&self, scopes: &BTreeSet<Scope>, role: Role) -> bool {
        let op = self.operation();
        crate::domain::scopes::check(scopes, role, op.scopes, op.roles).is_ok()
    }

    /// Whether calling the tool changes something.
    pub fn writes(&self) -> bool {
        self.call.method != "GET"
    }
}

pub fn all() -> &'static [Tool] {
    static T: OnceLock<Vec<Tool>> = OnceLock::new();
    T.get_or_init(|| serde_json::from_str(TABLE).expect("build.rs writes a valid tool table"))
}

/// The generated tool called `name`.
pub fn named(name: &str) -> Option<&'static Tool> {
    all().iter().find(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_is_an_operation_with_its_method_and_path() {
        assert!(!all().is_empty());
        for t in all() {
            let op = OPERATIONS
                .iter()
                .find(|o| o.operation_id == t.name)
                .unwrap_or_else(|| panic!("{} is not an operation", t.name));
            assert_eq!(
                (op.method, op.path),
                (t.call.method.as_str(), t.call.path.as_str())
            );
            assert_eq!(op.has_body, t.call.body, "{}", t.name);
        }
    }

    #[test]
    fn every_schema_is_valid_json_schema() {
        for t in all() {
            for (which, schema) in [
                ("input", Some(&t.input_schema)),
                ("output", t.output_schema.as_ref()),
            ] {
                let Some(schema) = schema else { continue };
                jsonschema::draft202012::meta::validate(schema)
                    .unwrap_or_else(|e| panic!("{} {which}: {e}", t.name));
                jsonschema::draft202012::new(schema)
                    .unwrap_or_else(|e| panic!("{} {which}: {e}", t.name));
            }
            assert_eq!(t.input_schema["type"], "object", "{}", t.name);
        }
    }

    #[test]
    fn write_tools_need_a_write_scope_and_say_they_write() {
        let writes = [Scope::RunsWrite, Scope::BaselinesWrite, Scope::SystemWrite];
        for t in all() {
            let needs_write = t.operation().scopes.iter().any(|s| writes.contains(s));
            assert_eq!(t.writes(), needs_write, "{}", t.name);
            assert_eq!(t.annotations["readOnlyHint"], !t.writes(), "{}", t.name);
        }
        let names: Vec<&str> = all()
            .iter()
            .filter(|t| t.writes())
            .map(|t| t.name.as_str())
            .collect();
        for w in ["createRun", "cancelRun", "rerunRun", "approveBaseline"] {
            assert!(names.contains(&w), "{w} is a write tool");
        }
    }

    #[test]
    fn a_token_is_offered_the_tools_its_scopes_and_role_allow() {
        let names = |scopes: &[Scope], role: Role| -> BTreeSet<&str> {
            let scopes: BTreeSet<Scope> = scopes.iter().copied().collect();
            all()
                .iter()
                .filter(|t| t.callable_by(&scopes, role))
                .map(|t| t.name.as_str())
                .collect()
        };
        let reader = names(&[Scope::RunsRead, Scope::ResultsRead], Role::Admin);
        assert!(
            reader.contains("listRuns") && reader.contains("getDiff"),
            "{reader:?}"
        );
        assert!(
            !reader.contains("cancelRun") && !reader.contains("createRun"),
            "{reader:?}"
        );
        let writer = names(
            &[Scope::RunsRead, Scope::RunsWrite, Scope::ResultsRead],
            Role::Admin,
        );
        assert!(
            writer.contains("cancelRun") && writer.contains("createRun"),
            "{writer:?}"
        );
        assert!(
            !writer.contains("approveBaseline"),
            "baselines:write is not held"
        );
        let all_scopes = names(Scope::ALL, Role::Admin);
        assert_eq!(
            all_scopes.len(),
            all().len(),
            "an admin with every scope gets every tool"
        );
        assert!(names(&[], Role::Admin).is_empty());
    }

    #[test]
    fn a_tool_input_accepts_a_real_call_and_refuses_an_unknown_argument() {
        let t = named("listRuns").expect("listRuns is a tool");
        let v = jsonschema::draft202012::new(&t.input_schema).unwrap();
        assert!(v.is_valid(&serde_json::json!({"status": "fail", "limit": 10})));
        assert!(
            !v.is_valid(&serde_json::json!({"limit": 0})),
            "limit has a minimum of 1"
        );
        assert!(!v.is_valid(&serde_json::json!({"no_such": 1})));
    }
}
