//! A tool call as its operation's request, and the operation's answer as the tool's result:
//! pure, so the shapes are tested without a server.
use super::tools::Tool;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value};

/// The longest answer handed to an agent, in characters: a page keeps the items that fit, and a
/// note says where to read on (an offset, a smaller limit).
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

/// The longest string value handed over whole, in characters (a log line, a diff, a message);
/// a longer one is cut with a note, and the rest is read with a narrower request.
pub const MAX_STRING: usize = 4_000;

/// What the agent gets: the answer's JSON as text (and as structured content when it is an
/// object), fitted to [`MAX_ANSWER`]; notes say what was cut and how to read the rest. An error
/// is any status but 2xx: the error contract's JSON says why.
#[derive(Debug, PartialEq)]
pub struct Answer {
    pub text: String,
    pub structured: Option<Value>,
    pub notes: Vec<String>,
    pub is_error: bool,
}

pub fn answer(status: u16, body: &[u8]) -> Answer {
    let is_error = !(200..300).contains(&status);
    if body.is_empty() {
        return Answer {
            text: format!("HTTP {status}"),
            structured: None,
            notes: vec![],
            is_error,
        };
    }
    let Ok(mut v) = serde_json::from_slice::<Value>(body) else {
        return cut_text(&String::from_utf8_lossy(body), is_error);
    };
    let mut notes = vec![];
    let strings = cut_long_strings(&mut v);
    if strings > 0 {
        notes.push(format!(
            "{strings} string(s) longer than {MAX_STRING} characters were cut where marked; \
             read them whole with a narrower request (a log page, fewer context lines) or the \
             file's download operation."
        ));
    }
    let mut text = v.to_string();
    let len = text.chars().count();
    if len > MAX_ANSWER {
        if let Some(note) = fit_page(&mut v, len) {
            notes.push(note);
            text = v.to_string();
        }
        if text.chars().count() > MAX_ANSWER {
            return cut_text(&text, is_error);
        }
    }
    Answer {
        text,
        structured: Some(v).filter(|v| v.is_object() && !is_error),
        notes,
        is_error,
    }
}

/// Not JSON, or JSON that no cut of strings and items fits: the text cut where the limit falls.
fn cut_text(text: &str, is_error: bool) -> Answer {
    let total = text.chars().count();
    if total <= MAX_ANSWER {
        return Answer {
            text: text.to_string(),
            structured: None,
            notes: vec![],
            is_error,
        };
    }
    Answer {
        text: text.chars().take(MAX_ANSWER).collect(),
        structured: None,
        notes: vec![format!(
            "Cut at {MAX_ANSWER} of {total} characters: ask for less, with a smaller `limit`, \
             an `offset`, or a narrower filter."
        )],
        is_error,
    }
}

/// Cuts every string over [`MAX_STRING`] characters, marking the cut; how many were cut.
fn cut_long_strings(v: &mut Value) -> usize {
    match v {
        Value::String(s) => {
            let total = s.chars().count();
            if total <= MAX_STRING {
                return 0;
            }
            let kept: String = s.chars().take(MAX_STRING).collect();
            *s = format!("{kept}…[cut: {} more characters]", total - MAX_STRING);
            1
        }
        Value::Array(a) => a.iter_mut().map(cut_long_strings).sum(),
        Value::Object(m) => m.values_mut().map(cut_long_strings).sum(),
        _ => 0,
    }
}

/// A page of `total_len` characters, over [`MAX_ANSWER`], keeps its first items that fit; the
/// note says where the rest starts (the offset of the first item left out, on an offset page).
fn fit_page(v: &mut Value, total_len: usize) -> Option<String> {
    let offset = v["pagination"]["offset"].as_i64();
    let data = v.get_mut("data")?.as_array_mut()?;
    let sizes: Vec<usize> = data
        .iter()
        .map(|item| item.to_string().chars().count() + 1)
        .collect();
    let (mut len, page) = (total_len, data.len());
    while len > MAX_ANSWER && !data.is_empty() {
        data.pop();
        len -= sizes[data.len()];
    }
    let kept = data.len();
    Some(match offset {
        Some(o) => format!(
            "Only the first {kept} of this page's {page} items fit; the next is at offset {}.",
            o + kept as i64
        ),
        None => format!(
            "Only the first {kept} of this page's {page} items fit; ask again with limit={}.",
            kept.max(1)
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mcp::tools;
    use serde_json::json;

    fn tool(name: &str) -> &'static Tool {
        tools::named(name).unwrap()
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
        let long = "x".repeat(MAX_ANSWER * 2);
        let cut = answer(200, long.as_bytes());
        assert_eq!(cut.text.chars().count(), MAX_ANSWER);
        assert!(cut.notes[0].contains("Cut at"));
        assert_eq!(cut.structured, None);
    }

    #[test]
    fn a_long_string_is_cut_in_place_and_the_json_stays_whole() {
        let body = json!({"content": "y".repeat(MAX_STRING + 10), "format": "unified"});
        let a = answer(200, body.to_string().as_bytes());
        let v: Value = serde_json::from_str(&a.text).expect("still JSON");
        let content = v["content"].as_str().unwrap();
        assert!(content.ends_with("…[cut: 10 more characters]"), "{content}");
        assert_eq!(v["format"], "unified");
        assert_eq!(a.structured, Some(v));
        assert!(a.notes[0].contains("1 string(s)"));
    }

    #[test]
    fn a_page_too_long_keeps_the_items_that_fit_and_names_the_next_offset() {
        let item = json!({"text": "z".repeat(MAX_STRING)});
        let cases = [
            (
                json!({"data": vec![item.clone(); 10], "pagination": {"offset": 20}}),
                "the next is at offset 25",
            ),
            (
                json!({"data": vec![item.clone(); 10], "pagination": {"next_cursor": 3}}),
                "ask again with limit=5",
            ),
        ];
        for (body, says) in cases {
            let a = answer(200, body.to_string().as_bytes());
            assert!(a.text.chars().count() <= MAX_ANSWER);
            let v: Value = serde_json::from_str(&a.text).expect("still JSON");
            assert_eq!(v["data"].as_array().unwrap().len(), 5, "{says}");
            assert!(a.notes.iter().any(|n| n.contains(says)), "{:?}", a.notes);
            assert!(a.structured.is_some());
        }
        let small = answer(200, json!({"data": [1, 2]}).to_string().as_bytes());
        assert!(small.notes.is_empty());
    }
}
