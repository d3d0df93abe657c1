//! Drives the running server with requests generated from the spec and checks every response.
//! Seeded (`CONTRACT_SEED`, printed) and sized by `CONTRACT_CASES` (valid requests per operation).
//! Point it at a live server with `SPCI_URL=http://host:port/api/v1 SPCI_TOKEN=spci_…`.
use contract_tests::generate::{Gen, ParamValue, encode, render};
use contract_tests::server::Server;
use contract_tests::{Contract, Operation};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Credentials `spci demo` seeds for its admin (development data only).
const DEMO_EMAIL: &str = "admin@example.com";
const DEMO_PASSWORD: &str = "demo-admin-password";
/// The demo's user of role `user`.
const USER_EMAIL: &str = "dev@example.com";
const USER_PASSWORD: &str = "demo-user-password-2";
/// Scopes only admins may hold (DESIGN §3, review H1).
const ADMIN_ONLY_SCOPES: &[&str] = &["tokens:manage", "system:write", "baselines:write"];

struct Sent {
    status: u16,
    headers: BTreeMap<String, String>,
    body: String,
    replay: String,
}

struct Harness {
    contract: Contract,
    server: Server,
    http: reqwest::blocking::Client,
    failures: Vec<String>,
    requests: usize,
}

impl Harness {
    fn send(
        &self,
        op: &Operation,
        params: &[ParamValue],
        body: Option<(&str, String)>,
        token: Option<&str>,
    ) -> Sent {
        let mut path = op.path.clone();
        let mut query = vec![];
        let mut headers = vec![];
        for p in params {
            match p.location.as_str() {
                "path" => path = path.replace(&format!("{{{}}}", p.name), &encode(&p.value)),
                "header" => headers.push((p.name.clone(), p.value.clone())),
                _ => query.push(format!("{}={}", encode(&p.name), encode(&p.value))),
            }
        }
        let mut url = format!("{}{}", self.server.base, path);
        if !query.is_empty() {
            url = format!("{url}?{}", query.join("&"));
        }
        let method = reqwest::Method::from_bytes(op.method.as_bytes()).unwrap();
        let mut req = self.http.request(method, &url);
        let mut replay = format!("curl -X {} '{url}'", op.method);
        if let Some(t) = token {
            req = req.bearer_auth(t);
            replay.push_str(" -H 'Authorization: Bearer $TOKEN'");
        }
        for (name, value) in headers {
            replay.push_str(&format!(" -H '{name}: {value}'"));
            req = req.header(name, value);
        }
        if let Some((ct, b)) = body {
            replay.push_str(&format!(" -H 'Content-Type: {ct}' --data '{b}'"));
            req = req.header("content-type", ct).body(b);
        }
        let resp = req.send().unwrap_or_else(|e| {
            // The whole chain: "error sending request" alone does not say timeout or reset.
            let mut why = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                why.push_str(&format!(": {s}"));
                source = s.source();
            }
            panic!("request failed: {why}\n{replay:.2000}")
        });
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    v.to_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        let body = resp.text().unwrap_or_default();
        Sent {
            status,
            headers,
            body,
            replay,
        }
    }

    fn record(&mut self, op: &Operation, sent: &Sent, expectation: Result<(), String>) {
        self.requests += 1;
        let mut problems = self
            .contract
            .check(op, sent.status, &sent.headers, &sent.body);
        if sent.status >= 500 && sent.status != 503 {
            problems.push(format!(
                "{} {}: server error {}",
                op.method, op.path, sent.status
            ));
        }
        if let Err(e) = expectation {
            problems.push(e);
        }
        for p in problems {
            self.failures.push(format!(
                "{p}\n    replay: {:.2000}\n    got: {} {:.300}",
                sent.replay, sent.status, sent.body
            ));
        }
    }

    /// Declares a `length`-byte JSON body and sends none of it: a server that checks sizes first
    /// answers before reading (sending the bytes would only race its early close).
    fn send_oversized(
        &self,
        op: &Operation,
        params: &[ParamValue],
        token: Option<&str>,
        content_type: &str,
        length: u64,
    ) -> Sent {
        use std::io::{Read, Write};
        let mut path = op.path.clone();
        for p in params.iter().filter(|p| p.location == "path") {
            path = path.replace(&format!("{{{}}}", p.name), &encode(&p.value));
        }
        let url = format!("{}{path}", self.server.base);
        let rest = url.strip_prefix("http://").expect("an http:// server");
        let (host, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let mut request = format!(
            "{} {target} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\nConnection: close\r\n",
            op.method
        );
        if let Some(t) = token {
            request.push_str(&format!("Authorization: Bearer {t}\r\n"));
        }
        request.push_str("\r\n");
        let replay = format!(
            "curl -X {} '{url}' -H 'Content-Type: {content_type}' --data @{length}-byte-file",
            op.method
        );
        let mut stream = std::net::TcpStream::connect(host).expect("connect");
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        stream.write_all(request.as_bytes()).expect("send headers");
        let mut raw = Vec::new();
        if op.streams_events() {
            // An event stream of a running run never ends: take what two seconds bring.
            stream
                .set_read_timeout(Some(std::time::Duration::from_millis(200)))
                .unwrap();
            let until = std::time::Instant::now() + std::time::Duration::from_secs(2);
            let mut buf = [0u8; 8192];
            while std::time::Instant::now() < until {
                match stream.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => raw.extend_from_slice(&buf[..n]),
                    Err(e)
                        if e.kind() == std::io::ErrorKind::WouldBlock
                            || e.kind() == std::io::ErrorKind::TimedOut => {}
                    Err(_) => break,
                }
            }
        } else {
            let _ = stream.read_to_end(&mut raw);
        }
        let text = String::from_utf8_lossy(&raw);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let headers: BTreeMap<String, String> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let body = if headers.get("transfer-encoding").map(String::as_str) == Some("chunked") {
            dechunk(body)
        } else {
            body.to_string()
        };
        Sent {
            status,
            headers,
            body,
            replay,
        }
    }

    /// What the API shows of its data (first pages of the main lists, the number of tokens).
    fn snapshot(&self) -> Vec<(String, String)> {
        [
            "/runs?limit=100",
            "/samples?limit=100",
            "/regression-tests?limit=100",
            "/categories?limit=100",
            "/tags?limit=100",
            "/auth/tokens?limit=1",
        ]
        .iter()
        .map(|path| {
            let v: Value = self
                .http
                .get(format!("{}{path}", self.server.base))
                .bearer_auth(&self.server.token)
                .send()
                .expect("snapshot request")
                .json()
                .expect("snapshot body");
            let shown = if path.starts_with("/auth/tokens") {
                v["pagination"]["total"].clone()
            } else {
                v
            };
            (path.to_string(), shown.to_string())
        })
        .collect()
    }

    /// A new token of `email` holding `scopes`.
    fn login(&self, email: &str, password: &str, scopes: &[String]) -> String {
        let name = format!("contract-{}", rand_suffix());
        let resp = self
            .http
            .post(format!("{}/auth/tokens", self.server.base))
            .json(&json!({"email": email, "password": password, "token_name": name, "scopes": scopes, "expires_in_days": 1}))
            .send()
            .expect("create token");
        let status = resp.status().as_u16();
        let body: Value = resp.json().unwrap_or_default();
        assert_eq!(status, 201, "{email} can create a token: {body}");
        body["token"].as_str().unwrap().to_string()
    }

    fn fresh_token(&self, scopes: &[&str]) -> (i64, String) {
        let name = format!("contract-{}", rand_suffix());
        let resp = self
            .http
            .post(format!("{}/auth/tokens", self.server.base))
            .json(&json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD, "token_name": name, "scopes": scopes, "expires_in_days": 1}))
            .send()
            .expect("create token");
        assert_eq!(resp.status().as_u16(), 201, "demo admin can create tokens");
        let token = resp.json::<Value>().unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string();
        // Tokens are listed newest first (as upstream lists them): the first page holds it.
        let page: Value = self
            .http
            .get(format!("{}/auth/tokens?limit=100", self.server.base))
            .bearer_auth(&self.server.token)
            .send()
            .unwrap()
            .json()
            .unwrap();
        let id = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["token_name"] == json!(name))
            .expect("new token listed")["id"]
            .as_i64()
            .unwrap();
        (id, token)
    }
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

fn seed() -> u64 {
    std::env::var("CONTRACT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
        })
}

fn is_error_body(s: &Sent) -> Result<(), String> {
    let v: Value = serde_json::from_str(&s.body)
        .map_err(|_| format!("error body is not JSON: {:.200}", s.body))?;
    if v["code"].is_string() && v["message"].is_string() && v["details"].is_object() {
        Ok(())
    } else {
        Err(format!("not an error body: {v}"))
    }
}

/// A valid body for the operation, as (content type, body), generated from its schema.
fn valid_body<'a>(g: &mut Gen<'a>, op: &'a Operation) -> Option<(String, String)> {
    let schema = op.body_schema.as_ref()?;
    Some(match op.body_content_type.as_deref() {
        Some("multipart/form-data") => g.multipart(schema),
        Some(ct) => (ct.to_string(), g.valid(schema).to_string()),
        None => unreachable!("a body schema has a content type"),
    })
}

/// The server's upload limit: `SPCI_MAX_UPLOAD` as the server under test was given it (the
/// harness's own server gets the default).
fn max_upload() -> u64 {
    std::env::var("SPCI_MAX_UPLOAD")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2 << 30)
}

#[test]
fn every_operation_conforms_to_the_spec() {
    let seed = seed();
    let cases: usize = std::env::var("CONTRACT_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(12);
    eprintln!(
        "contract: seed {seed} (replay with CONTRACT_SEED={seed}), {cases} valid cases per operation"
    );
    let mut h = Harness {
        contract: Contract::load(),
        server: Server::start(),
        http: reqwest::blocking::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // The server closes a connection idle for its header timeout (10 s); a client that
            // reuses one as it closes loses its request, so pooled connections go sooner.
            .pool_idle_timeout(std::time::Duration::from_secs(5))
            .build()
            .unwrap(),
        failures: vec![],
        requests: 0,
    };
    let spec = h.contract.spec.clone();
    let mut g = Gen::new(&spec, seed);
    let operations = h.contract.operations.clone();
    let admin = h.server.token.clone();
    let all_scopes: Vec<String> = spec["components"]["schemas"]["Scope"]["enum"]
        .as_array()
        .expect("the Scope enum")
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    // A token revoked through the API, then used everywhere.
    let revoked = h.fresh_token(&["runs:read"]).1;
    let r = h
        .http
        .delete(format!("{}/auth/tokens/current", h.server.base))
        .bearer_auth(&revoked)
        .send()
        .unwrap();
    assert!(r.status().is_success(), "revoking a token: {}", r.status());
    // The demo's plain user, with every scope its role may hold.
    let user_scopes: Vec<String> = all_scopes
        .iter()
        .filter(|s| !ADMIN_ONLY_SCOPES.contains(&s.as_str()))
        .cloned()
        .collect();
    let plain_user = h.login(USER_EMAIL, USER_PASSWORD, &user_scopes);
    let mut lacking_tokens: BTreeMap<String, String> = BTreeMap::new();

    // Where the harness's time goes, printed at the end (CI time is budgeted).
    let mut spent: Vec<(std::time::Duration, &str)> = vec![];
    // Which operations a generated valid request got through (ids are random, so 404s are
    // expected; the list shows where the harness only exercises refusals).
    let mut succeeded: std::collections::BTreeSet<&str> = Default::default();
    for op in &operations {
        let started = std::time::Instant::now();
        let self_revoking = op.id == "revokeCurrentToken" || op.id == "revokeToken";
        for _ in 0..cases {
            // Operations that revoke tokens get a throwaway token, never the harness's own.
            let (token_id, token) = if self_revoking {
                h.fresh_token(&["runs:read"])
            } else {
                (0, admin.clone())
            };
            let ids = move |name: &str| {
                if name == "token_id" {
                    Some(token_id)
                } else {
                    Some(1)
                }
            };
            let params = g.valid_params(&op.params, &op.ordered_params, &ids);
            let body = valid_body(&mut g, op);
            let sent = h.send(
                op,
                &params,
                body.as_ref().map(|(c, b)| (c.as_str(), b.clone())),
                (!op.public).then_some(token.as_str()),
            );
            if (200..300).contains(&sent.status) {
                succeeded.insert(op.id.as_str());
            }
            let expectation = if sent.status == 400 {
                // A request generated valid from the spec may only be refused for a documented
                // cross-field rule; report the reason so a wrong refusal shows.
                let answer = serde_json::from_str::<Value>(&sent.body).unwrap_or_default();
                let reason = answer["message"].to_string();
                // A generated link or OAuth state is never a signed one: `invalid_link` is the
                // documented answer, whatever else the request got right.
                // Names of things that do not exist (categories, tags, versions) are a
                // documented 400 that lists them in `details.unknown`.
                if reason.contains("already")
                    || reason.contains("token_name")
                    || answer["code"] == "invalid_link"
                    || answer["details"]["unknown"].is_array()
                {
                    Ok(())
                } else {
                    Err(format!(
                        "{} {}: valid request refused: {reason}",
                        op.method, op.path
                    ))
                }
            } else {
                Ok(())
            };
            h.record(op, &sent, expectation);
        }

        // Each constrained parameter violated in turn.
        for (i, p) in op.params.iter().enumerate() {
            let Some(bad) = g.invalid_value(&p["schema"]) else {
                continue;
            };
            let mut params = g.valid_params(&op.params, &op.ordered_params, &|_| Some(1));
            params.retain(|v| v.name != p["name"].as_str().unwrap());
            let name = p["name"].as_str().unwrap().to_string();
            let location = p["in"].as_str().unwrap().to_string();
            params.push(ParamValue {
                name,
                location,
                value: bad,
            });
            let _ = i;
            let body = valid_body(&mut g, op);
            let token = (!op.public).then_some(admin.as_str());
            let sent = h.send(
                op,
                &params,
                body.as_ref().map(|(c, b)| (c.as_str(), b.clone())),
                token,
            );
            let expectation = if sent.status == 400 {
                is_error_body(&sent)
            } else {
                Err(format!(
                    "{} {}: invalid parameter accepted with {}",
                    op.method, op.path, sent.status
                ))
            };
            h.record(op, &sent, expectation);
        }

        // Bodies over the size limit: declared, never sent, refused with 413 before reading.
        // Uploads are bounded by the upload limit instead of the JSON body limit.
        if let Some(ct) = op.body_content_type.as_deref() {
            let params = g.valid_params(&op.params, &op.ordered_params, &|_| Some(1));
            let token = (!op.public).then_some(admin.as_str());
            let (declared, ct) = if ct == "multipart/form-data" {
                (max_upload() + 1, "multipart/form-data; boundary=x")
            } else {
                (64 << 20, "application/json")
            };
            let sent = h.send_oversized(op, &params, token, ct, declared);
            let expectation = if sent.status == 413 {
                is_error_body(&sent)
            } else {
                Err(format!(
                    "{} {}: a {declared}-byte body got {}",
                    op.method, op.path, sent.status
                ))
            };
            h.record(op, &sent, expectation);
        }

        // JSON bodies: each property broken in turn and each required property left out.
        if let (Some(schema), Some("application/json")) =
            (op.body_schema.as_ref(), op.body_content_type.as_deref())
        {
            let params = g.valid_params(&op.params, &op.ordered_params, &|_| Some(1));
            let token = (!op.public).then_some(admin.as_str());
            let resolved = g.resolve(schema);
            let mut bodies: Vec<(String, Value)> = vec![];
            if let Some(props) = resolved.get("properties").and_then(Value::as_object) {
                for (name, prop) in props {
                    if let Some(bad) = g.invalid_json(prop) {
                        let mut body = g.valid(schema);
                        body[name] = bad;
                        bodies.push((format!("invalid {name}"), body));
                    }
                }
            }
            for name in resolved
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                let mut body = g.valid(schema);
                if let Some(o) = body.as_object_mut() {
                    o.remove(name);
                }
                bodies.push((format!("without {name}"), body));
            }
            for (what, body) in bodies {
                let sent = h.send(
                    op,
                    &params,
                    Some(("application/json", body.to_string())),
                    token,
                );
                let expectation = if matches!(sent.status, 400 | 422) {
                    is_error_body(&sent)
                } else {
                    Err(format!(
                        "{} {}: body with {what} accepted with {}",
                        op.method, op.path, sent.status
                    ))
                };
                h.record(op, &sent, expectation);
            }
        }

        // JSON bodies: unknown fields and malformed JSON are refused.
        if op.body_content_type.as_deref() == Some("application/json") {
            let params = g.valid_params(&op.params, &op.ordered_params, &|_| Some(1));
            let token = (!op.public).then_some(admin.as_str());
            for bad in ["{\"surely_unknown_field\": 1}", "{not json"] {
                let sent = h.send(
                    op,
                    &params,
                    Some(("application/json", bad.to_string())),
                    token,
                );
                let expectation = if matches!(sent.status, 400 | 422) {
                    is_error_body(&sent)
                } else {
                    Err(format!(
                        "{} {}: bad body accepted with {}",
                        op.method, op.path, sent.status
                    ))
                };
                h.record(op, &sent, expectation);
            }
            let sent = h.send(op, &params, Some(("text/plain", "hello".into())), token);
            let expectation = if matches!(sent.status, 400 | 415) {
                is_error_body(&sent)
            } else {
                Err(format!(
                    "{} {}: text/plain accepted with {}",
                    op.method, op.path, sent.status
                ))
            };
            h.record(op, &sent, expectation);
            // Spellings of the JSON media type are read as JSON, never refused as another.
            let body = g.valid(op.body_schema.as_ref().unwrap()).to_string();
            for ct in ["application/json; charset=utf-8", "Application/JSON"] {
                let sent = h.send(op, &params, Some((ct, body.clone())), token);
                let expectation = if sent.status == 415 {
                    Err(format!(
                        "{} {}: {ct} refused as a media type",
                        op.method, op.path
                    ))
                } else {
                    Ok(())
                };
                h.record(op, &sent, expectation);
            }
            // A NUL character in any string property is a 400 (PostgreSQL cannot store one).
            let resolved = g.resolve(op.body_schema.as_ref().unwrap());
            if let Some(props) = resolved.get("properties").and_then(Value::as_object) {
                for (name, prop) in props {
                    if g.resolve(prop).get("type").and_then(Value::as_str) != Some("string") {
                        continue;
                    }
                    let mut body = g.valid(op.body_schema.as_ref().unwrap());
                    body[name] = Value::String("a\u{0}b".into());
                    let sent = h.send(
                        op,
                        &params,
                        Some(("application/json", body.to_string())),
                        token,
                    );
                    let expectation = if sent.status == 400 {
                        is_error_body(&sent)
                    } else {
                        Err(format!(
                            "{} {}: NUL in {name} got {}",
                            op.method, op.path, sent.status
                        ))
                    };
                    h.record(op, &sent, expectation);
                }
            }
        }

        // Query parameters: a NUL character in a string one, and any one given twice, are 400.
        for p in op.params.iter().filter(|p| p["in"] == "query") {
            let name = p["name"].as_str().unwrap().to_string();
            let token = (!op.public).then_some(admin.as_str());
            let body = valid_body(&mut g, op);
            let mut probes: Vec<(String, Vec<ParamValue>)> = vec![];
            let mut twice = g.valid_params(&op.params, &op.ordered_params, &|_| Some(1));
            let value = match twice.iter().find(|v| v.name == name) {
                Some(v) => v.value.clone(),
                None => render(&g.valid(&p["schema"])),
            };
            twice.retain(|v| v.name != name);
            for _ in 0..2 {
                twice.push(ParamValue {
                    name: name.clone(),
                    location: "query".into(),
                    value: value.clone(),
                });
            }
            probes.push((format!("{name} twice"), twice));
            if g.resolve(&p["schema"]).get("type").and_then(Value::as_str) == Some("string") {
                let mut nul = g.valid_params(&op.params, &op.ordered_params, &|_| Some(1));
                nul.retain(|v| v.name != name);
                nul.push(ParamValue {
                    name: name.clone(),
                    location: "query".into(),
                    value: "a\u{0}b".into(),
                });
                probes.push((format!("NUL in {name}"), nul));
            }
            for (what, params) in probes {
                let sent = h.send(
                    op,
                    &params,
                    body.as_ref().map(|(c, b)| (c.as_str(), b.clone())),
                    token,
                );
                let expectation = if sent.status == 400 {
                    is_error_body(&sent)
                } else {
                    Err(format!(
                        "{} {}: {what} got {}",
                        op.method, op.path, sent.status
                    ))
                };
                h.record(op, &sent, expectation);
            }
        }
        spent.push((started.elapsed(), op.id.as_str()));
    }
    spent.sort_by(|a, b| b.cmp(a));
    eprintln!(
        "contract: slowest operations {:?}",
        &spent[..spent.len().min(12)]
    );
    let never: Vec<&str> = operations
        .iter()
        .map(|o| o.id.as_str())
        .filter(|id| !succeeded.contains(id))
        .collect();
    eprintln!("contract: operations no valid case got through (2xx): {never:?}");

    // The authorisation matrix, from each operation's x-required-scopes / x-required-roles: no
    // token, a malformed, revoked or expired one are 401; a token lacking a required scope and a
    // user lacking a required role are 403. Each with the error body, and none changes any data:
    // what the API shows is the same before and after the whole matrix.
    for op in operations
        .iter()
        .filter(|o| !o.public && !o.scopes.is_empty())
    {
        let lacking: Vec<String> = all_scopes
            .iter()
            .filter(|s| !op.scopes.contains(s))
            .cloned()
            .collect();
        lacking_tokens
            .entry(op.scopes.join(","))
            .or_insert_with(|| h.login(DEMO_EMAIL, DEMO_PASSWORD, &lacking));
    }
    let before = h.snapshot();
    for op in &operations {
        if !op.public {
            let params = g.valid_params(&op.params, &op.ordered_params, &|_| Some(1));
            let body = valid_body(&mut g, op);
            let mut cases: Vec<(String, Option<String>, u16)> = vec![
                ("no token".into(), None, 401),
                (
                    "malformed token".into(),
                    Some("spci_not-a-real-token".into()),
                    401,
                ),
                ("revoked token".into(), Some(revoked.clone()), 401),
            ];
            if let Some(expired) = &h.server.expired_token {
                cases.push(("expired token".into(), Some(expired.clone()), 401));
            }
            if !op.scopes.is_empty() {
                let token = lacking_tokens[&op.scopes.join(",")].clone();
                cases.push((
                    format!("token without {}", op.scopes.join(",")),
                    Some(token),
                    403,
                ));
            }
            if !op.roles.is_empty() && !op.roles.iter().any(|r| r == "user") {
                cases.push(("role user".into(), Some(plain_user.clone()), 403));
            }
            for (who, token, want) in cases {
                let sent = h.send(
                    op,
                    &params,
                    body.as_ref().map(|(c, b)| (c.as_str(), b.clone())),
                    token.as_deref(),
                );
                let expectation = if sent.status == want {
                    is_error_body(&sent)
                } else {
                    Err(format!(
                        "{} {} with {who}: got {}, want {want}",
                        op.method, op.path, sent.status
                    ))
                };
                h.record(op, &sent, expectation);
            }
        }
    }

    let after = h.snapshot();
    for ((what, b), (_, a)) in before.iter().zip(&after) {
        if a != b {
            h.failures.push(format!(
                "refused requests changed data: {what}\n    before: {b:.500}\n    after:  {a:.500}"
            ));
        }
    }

    let failed = h.failures.len();
    for f in h.failures.iter().take(40) {
        eprintln!("FAIL {f}");
    }
    eprintln!(
        "contract: {} requests over {} operations (seed {seed})",
        h.requests,
        operations.len()
    );
    println!("{} passed, {} failed", h.requests - failed, failed);
    assert_eq!(failed, 0, "{failed} contract violations (seed {seed})");
    // CI sets a floor, so a change that quietly stops generating requests cannot pass.
    if let Some(min) = std::env::var("CONTRACT_MIN_REQUESTS")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
    {
        assert!(
            h.requests >= min,
            "{} requests, fewer than {min}",
            h.requests
        );
    }
}

#[test]
fn the_checker_catches_nonconforming_responses() {
    let c = Contract::load();
    let op = c.operation("getHealth");
    let ok_headers: BTreeMap<String, String> = [
        ("content-type", "application/json"),
        ("x-ratelimit-limit", "1"),
        ("x-ratelimit-remaining", "0"),
        ("x-ratelimit-reset", "0"),
        ("ratelimit-policy", "\"reads\";q=1;w=60"),
        ("ratelimit", "\"reads\";r=0;t=1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let good = json!({"status": "ok", "checked_at": "2026-01-01T00:00:00Z", "dependencies": [],
                      "platforms_in_maintenance": []})
    .to_string();
    assert!(
        c.check(op, 200, &ok_headers, &good).is_empty(),
        "{:?}",
        c.check(op, 200, &ok_headers, &good)
    );
    // wrong status
    assert!(!c.check(op, 418, &ok_headers, &good).is_empty());
    // schema violation
    let bad = json!({"status": "fine", "checked_at": "2026-01-01T00:00:00Z", "dependencies": [],
                     "platforms_in_maintenance": []})
    .to_string();
    assert!(!c.check(op, 200, &ok_headers, &bad).is_empty());
    // missing header
    let mut missing = ok_headers.clone();
    missing.remove("x-ratelimit-remaining");
    assert!(!c.check(op, 200, &missing, &good).is_empty());
    // wrong content type
    let mut html = ok_headers;
    html.insert("content-type".into(), "text/html".into());
    assert!(!c.check(op, 200, &html, &good).is_empty());
}

/// The content of a chunked body (as far as it was read).
fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16) else {
            break;
        };
        if n == 0 {
            break;
        }
        let n = n.min(after.len());
        // A chunk cut in a multi-byte character by lossy decoding: stop there.
        let Some(chunk) = after.get(..n) else { break };
        out.push_str(chunk);
        rest = after[n..].strip_prefix("\r\n").unwrap_or(&after[n..]);
    }
    out
}
