//! Request generation from the spec's schemas, seeded and reproducible (proptest's RNG and its
//! regex-driven string strategies).
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use rand::RngExt;
use serde_json::{Map, Value, json};

pub struct Gen<'a> {
    pub spec: &'a Value,
    runner: TestRunner,
}

/// One parameter value, rendered for a URL.
#[derive(Debug, Clone)]
pub struct ParamValue {
    pub name: String,
    pub location: String,
    pub value: String,
}

impl<'a> Gen<'a> {
    pub fn new(spec: &'a Value, seed: u64) -> Self {
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
        let runner = TestRunner::new_with_rng(
            Config::default(),
            TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
        );
        Self { spec, runner }
    }

    fn rng(&mut self) -> &mut TestRng {
        self.runner.rng()
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.rng().random_bool(p)
    }

    pub fn pick<'b, T>(&mut self, items: &'b [T]) -> &'b T {
        let i = self.rng().random_range(0..items.len());
        &items[i]
    }

    pub fn resolve(&self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => self
                .spec
                .pointer(r.trim_start_matches('#'))
                .expect("ref resolves"),
            None => schema,
        }
    }

    fn string_matching(&mut self, pattern: &str, min: usize, max: usize) -> String {
        // Bounded repetitions generate strings of the same language that fit length limits.
        let body = pattern
            .trim_start_matches('^')
            .trim_end_matches('$')
            .replace('+', "{1,4}")
            .replace('*', "{0,3}");
        let body = body.as_str();
        let strategy = proptest::string::string_regex(body).expect("pattern is a supported regex");
        for _ in 0..200 {
            let s = strategy
                .new_tree(&mut self.runner)
                .expect("value")
                .current();
            if (min..=max).contains(&s.chars().count()) {
                return s;
            }
        }
        panic!("could not generate a string for {pattern} within {min}..={max}")
    }

    /// A value valid under `schema`.
    pub fn valid(&mut self, schema: &'a Value) -> Value {
        let schema = self.resolve(schema);
        if let Some(all_of) = schema.get("allOf").and_then(Value::as_array) {
            if schema.get("nullable") == Some(&Value::Bool(true)) && self.chance(0.2) {
                return Value::Null;
            }
            return self.valid(&all_of[0]);
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return self.pick(values).clone();
        }
        if schema.get("nullable") == Some(&Value::Bool(true)) && self.chance(0.1) {
            return Value::Null;
        }
        match schema
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("object")
        {
            "integer" => {
                let (lo, hi) = int_bounds(schema);
                let v = match self.rng().random_range(0..4) {
                    0 => lo,
                    1 => hi,
                    _ => self
                        .rng()
                        .random_range(lo..=hi.min(lo.saturating_add(1000))),
                };
                json!(v)
            }
            "number" => json!(self.rng().random_range(-1000.0..1000.0)),
            "boolean" => json!(self.chance(0.5)),
            "string" => {
                let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
                // Short strings, unless the schema wants long ones.
                let max = schema
                    .get("maxLength")
                    .and_then(Value::as_u64)
                    .unwrap_or(32)
                    .min(64.max(min as u64 + 256)) as usize;
                let s = match (
                    schema.get("format").and_then(Value::as_str),
                    schema.get("pattern").and_then(Value::as_str),
                ) {
                    (Some("date-time"), _) => format!(
                        "2026-{:02}-{:02}T12:00:00Z",
                        self.rng().random_range(1..=12),
                        self.rng().random_range(1..=28)
                    ),
                    (Some("email"), _) => {
                        format!("user{}@example.com", self.rng().random_range(0..100000))
                    }
                    (_, Some(p)) => self.string_matching(p, min, max),
                    _ => {
                        let len = self.rng().random_range(min..=max.max(min));
                        self.string_matching(&format!("[a-zA-Z0-9 _.-]{{{len}}}"), len, len)
                    }
                };
                json!(s)
            }
            "array" => {
                let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
                let max = schema
                    .get("maxItems")
                    .and_then(Value::as_u64)
                    .unwrap_or(3)
                    .min(3) as usize;
                let n = self.rng().random_range(min..=max.max(min));
                let items = &schema["items"];
                let mut out: Vec<Value> = vec![];
                for _ in 0..n * 4 {
                    if out.len() == n {
                        break;
                    }
                    let v = self.valid(items);
                    if schema.get("uniqueItems") != Some(&Value::Bool(true)) || !out.contains(&v) {
                        out.push(v);
                    }
                }
                Value::Array(out)
            }
            _ => {
                let mut out = Map::new();
                let required: Vec<&str> = schema
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                    for (k, p) in props {
                        if required.contains(&k.as_str()) || self.chance(0.5) {
                            out.insert(k.clone(), self.valid(p));
                        }
                    }
                    let min = schema
                        .get("minProperties")
                        .and_then(Value::as_u64)
                        .unwrap_or(0);
                    for (k, p) in props {
                        if out.len() as u64 >= min {
                            break;
                        }
                        if !out.contains_key(k) {
                            out.insert(k.clone(), self.valid(p));
                        }
                    }
                }
                Value::Object(out)
            }
        }
    }

    /// A valid `multipart/form-data` body for an object schema, as (content type, body): a file
    /// part per `format: binary` property, named in UTF-8 (RFC 7578 allows it, and clients send
    /// it), with unique text content; a text part per other property.
    pub fn multipart(&mut self, schema: &'a Value) -> (String, String) {
        let boundary = format!("spci-harness-{}", self.rng().random_range(0..u64::MAX));
        let resolved = self.resolve(schema);
        let mut body = String::new();
        if let Some(props) = resolved.get("properties").and_then(Value::as_object) {
            for (name, prop) in props {
                let prop = self.resolve(prop);
                body.push_str(&format!("--{boundary}\r\n"));
                if prop.get("format").and_then(Value::as_str) == Some("binary") {
                    let stem = self.string_matching("[a-zA-Z0-9_éü日本-]{1,12}", 1, 12);
                    let ext = *self.pick(&[".ts", ".mp4", ".mkv", ".srt", ".m2ts", ""]);
                    let content = self.string_matching("[a-z0-9 ]{32}", 32, 32);
                    body.push_str(&format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{stem}{ext}\"\r\nContent-Type: application/octet-stream\r\n\r\n{content}\r\n"
                    ));
                } else {
                    let value = render(&self.valid(prop));
                    body.push_str(&format!(
                        "Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                    ));
                }
            }
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        (format!("multipart/form-data; boundary={boundary}"), body)
    }

    /// Values for the operation's parameters: every required one, a random subset of the rest.
    pub fn valid_params(
        &mut self,
        params: &'a [Value],
        ordered: &[String],
        path_ids: &dyn Fn(&str) -> Option<i64>,
    ) -> Vec<ParamValue> {
        let mut out = vec![];
        for p in params {
            let name = p["name"].as_str().unwrap().to_string();
            let location = p["in"].as_str().unwrap().to_string();
            let required = p.get("required") == Some(&Value::Bool(true));
            if !required && !self.chance(0.5) {
                continue;
            }
            // Path ids are a known object, or one that surely does not exist: a random small id
            // could hit (and delete) state the harness itself depends on.
            // Only integer path parameters are ids; others (a platform) take any valid value.
            let is_id = self.resolve(&p["schema"]).get("type") == Some(&json!("integer"));
            let value = match (location.as_str(), path_ids(&name)) {
                ("path", Some(id)) if is_id && self.chance(0.7) => json!(id),
                ("path", _) if is_id => json!(int_bounds(&p["schema"]).1),
                _ => self.valid(&p["schema"]),
            };
            out.push(ParamValue {
                name,
                location,
                value: render(&value),
            });
        }
        // Values of ordered parameters are generated in the same format, so sorting them as
        // strings puts them in order.
        let positions: Vec<usize> = ordered
            .iter()
            .filter_map(|n| out.iter().position(|p| &p.name == n))
            .collect();
        let mut values: Vec<String> = positions.iter().map(|i| out[*i].value.clone()).collect();
        values.sort();
        for (i, v) in positions.into_iter().zip(values) {
            out[i].value = v;
        }
        out
    }

    /// One parameter made invalid in one way (out of bounds, wrong type, bad enum, too long,
    /// pattern mismatch); `None` when the schema constrains nothing.
    pub fn invalid_value(&mut self, schema: &'a Value) -> Option<String> {
        let schema = self.resolve(schema);
        if schema.get("enum").is_some() {
            return Some("not-a-valid-value".into());
        }
        match schema.get("type").and_then(Value::as_str)? {
            "integer" => {
                let (lo, hi) = int_bounds(schema);
                let mut options = vec!["abc".to_string(), "1.5".to_string()];
                if schema.get("minimum").is_some() {
                    options.push((lo as i128 - 1).to_string());
                }
                if schema.get("maximum").is_some() {
                    options.push((hi as i128 + 1).to_string());
                }
                Some(self.pick(&options).clone())
            }
            "boolean" => Some("maybe".into()),
            "string" => {
                if schema.get("format").and_then(Value::as_str) == Some("date-time") {
                    return Some("yesterday".into());
                }
                if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
                    return Some("a".repeat(max as usize + 1));
                }
                if schema.get("pattern").is_some() {
                    return Some("!!not matching!!".into());
                }
                None
            }
            _ => None,
        }
    }
}

impl<'a> Gen<'a> {
    /// A JSON value that breaks `schema` in one way (wrong type, out of bounds, bad enum value,
    /// too long or short, pattern mismatch, too many items); `None` when nothing can break it.
    pub fn invalid_json(&mut self, schema: &'a Value) -> Option<Value> {
        let schema = self.resolve(schema);
        if schema.get("enum").is_some() {
            return Some(Value::String("not-a-valid-value".into()));
        }
        let mut options: Vec<Value> = vec![];
        match schema.get("type").and_then(Value::as_str)? {
            "integer" => {
                let (lo, hi) = int_bounds(schema);
                options.push(Value::String("abc".into()));
                options.push(serde_json::json!(1.5));
                if schema.get("minimum").is_some() {
                    options.push(serde_json::json!(lo as i128 - 1));
                }
                if schema.get("maximum").is_some() {
                    options.push(serde_json::json!(hi as i128 + 1));
                }
            }
            "boolean" => options.push(Value::String("maybe".into())),
            "string" => {
                options.push(serde_json::json!(12345));
                if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
                    options.push(Value::String("a".repeat(max as usize + 1)));
                }
                if schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) > 0 {
                    options.push(Value::String(String::new()));
                }
                if schema.get("pattern").is_some() {
                    options.push(Value::String("!!not matching!!".into()));
                }
                if schema.get("format").and_then(Value::as_str) == Some("date-time") {
                    options.push(Value::String("yesterday".into()));
                }
            }
            "array" => {
                options.push(Value::String("not-an-array".into()));
                if let Some(max) = schema.get("maxItems").and_then(Value::as_u64) {
                    let item = self.valid(&schema["items"]);
                    options.push(Value::Array(vec![item; max as usize + 1]));
                }
            }
            "object" => options.push(Value::String("not-an-object".into())),
            _ => return None,
        }
        Some(self.pick(&options).clone())
    }
}

fn int_bounds(schema: &Value) -> (i64, i64) {
    let default_hi = if schema.get("format").and_then(Value::as_str) == Some("int32") {
        i32::MAX as i64
    } else {
        i64::MAX
    };
    let lo = schema
        .get("minimum")
        .and_then(Value::as_f64)
        .map(|v| v as i64)
        .unwrap_or(0);
    let hi = schema
        .get("maximum")
        .and_then(Value::as_f64)
        .map(|v| v as i64)
        .unwrap_or(default_hi);
    (lo, hi)
}

pub fn render(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Percent-encodes a query or path component.
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
