//! A tool call as its operation's request, and the operation's answer as the tool's result:
//! pure, so the shapes are tested without a server.
use super::tools::Tool;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value};

/// The longest answer handed to an agent, in characters; the rest is cut with a note saying
/// how to read on (a page, an offset, a narrower filter).
pub const MAX_ANSWER: usize = 24_000;

/// The operation's request: method, path with its query, JSON body.
#[derive(Debug, PartialEq)]
pub struct Request {
    pub method: String,
    pub path_and_query: String,
    pub body: Option<Vec<u8>>,
}

/// Builds the request; an argument the tool does not take is refused (the input schema says
/// which it takes; the operation validates the values itself, as for any HTTP client).
pub fn request(tool: &Tool, args: &Map<String, Value>) -> Result<Request, String> {
    for k in args.keys() {
        if k != "body" && !tool.call.parameters.iter().any(|p| &p.name == k) {
            return Err(format!("{} takes no argument `{k}`", tool.name));
        }
    }
    let mut path = tool.call.path.clone();
    let mut query = form_urlencoded::Serializer::new(String::new());
    for p in &tool.call.parameters {
        let Some(v) = args.get(&p.name) else {
            if p.place == "path" {
                return Err(format!("{} needs `{}`", tool.name, p.name));
            }
            continue;
        };
        let values: Vec<String> = match v {
            Value::Array(items) => items.iter().map(scalar).collect(),
            Value::Null => continue,
            v => vec![scalar(v)],
        };
        if p.place == "path" {
            let one = values.first().cloned().unwrap_or_default();
            let encoded = utf8_percent_encode(&one, NON_ALPHANUMERIC).to_string();
            path = path.replace(&format!("{{{}}}", p.name), &encoded);
        } else {
            for v in values {
                query.append_pair(&p.name, &v);
            }
        }
    }
    let query = query.finish();
    let body = match (tool.call.body, args.get("body")) {
        (true, Some(b)) => Some(serde_json::to_vec(b).map_err(|e| e.to_string())?),
        (true, None) => Some(b"{}".to_vec()),
        (false, _) => None,
    };
    Ok(Request {
        method: tool.call.method.clone(),
        path_and_query: if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        },
        body,
    })
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// What the agent gets: the answer's JSON as text, cut at [`MAX_ANSWER`] with a note, and
/// whether it is an error (any status but 2xx: the error contract's JSON says why).
#[derive(Debug, PartialEq)]
pub struct Answer {
    pub text: String,
    pub structured: Option<Value>,
    pub is_error: bool,
}

pub fn answer(status: u16, body: &[u8]) -> Answer {
    let is_error = !(200..300).contains(&status);
    let text = String::from_utf8_lossy(body);
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    if text.chars().count() <= MAX_ANSWER {
        return Answer {
            text: if text.is_empty() {
                format!("HTTP {status}")
            } else {
                text.into_owned()
            },
            structured: parsed.filter(|v| v.is_object() && !is_error),
            is_error,
        };
    }
    let cut: String = text.chars().take(MAX_ANSWER).collect();
    Answer {
        text: format!(
            "{cut}\n…[cut at {MAX_ANSWER} of {} characters: ask for less, with a smaller `limit`, \
             an `offset`, or a narrower filter]",
            text.chars().count()
        ),
        structured: None,
        is_error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mcp::tools;
    use serde_json::json;

    fn tool(name: &str) -> &'static Tool {
        tools::all().iter().find(|t| t.name == name).unwrap()
    }

    fn args(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn calls_become_the_operations_requests() {
        let cases = [
            (
                "listRuns",
                json!({"status": "fail", "limit": 5}),
                "GET",
                "/runs?limit=5&status=fail",
                None,
            ),
            ("getRun", json!({"run_id": 7}), "GET", "/runs/7", None),
            (
                "cancelRun",
                json!({"run_id": 7}),
                "POST",
                "/runs/7/cancel",
                Some("{}"),
            ),
            (
                "createRun",
                json!({"body": {"platform": "linux"}}),
                "POST",
                "/runs",
                Some(r#"{"platform":"linux"}"#),
            ),
            (
                "getRun",
                json!({"run_id": "7/../8"}),
                "GET",
                "/runs/7%2F%2E%2E%2F8",
                None,
            ),
        ];
        for (name, a, method, path, body) in cases {
            let r = request(tool(name), &args(a)).unwrap();
            assert_eq!(r.method, method, "{name}");
            assert_eq!(r.path_and_query, path, "{name}");
            assert_eq!(r.body.as_deref(), body.map(str::as_bytes), "{name}");
        }
    }

    #[test]
    fn unknown_and_missing_arguments_are_refused() {
        assert!(request(tool("getRun"), &args(json!({}))).is_err());
        assert!(request(tool("listRuns"), &args(json!({"nope": 1}))).is_err());
    }

    #[test]
    fn answers_are_errors_unless_2xx_and_long_ones_are_cut_with_a_note() {
        let ok = answer(200, br#"{"data": []}"#);
        assert!(!ok.is_error);
        assert_eq!(ok.structured, Some(json!({"data": []})));
        let refused = answer(403, br#"{"code": "forbidden"}"#);
        assert!(refused.is_error);
        assert!(refused.text.contains("forbidden"));
        let long = format!("\"{}\"", "x".repeat(MAX_ANSWER * 2));
        let cut = answer(200, long.as_bytes());
        assert!(cut.text.chars().count() < MAX_ANSWER + 200);
        assert!(cut.text.contains("cut at"));
        assert_eq!(cut.structured, None);
    }
}
