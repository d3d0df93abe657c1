//! Stateful sequences through HTTP only, following resources from creation to their end, and
//! the limiter seen from outside: every response checked against the spec as well.
use contract_tests::Contract;
use contract_tests::server::{Boot, Server, debug_binary};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

struct Client {
    contract: Contract,
    server: Server,
    http: reqwest::blocking::Client,
}

impl Client {
    fn new(server: Server) -> Self {
        Self {
            contract: Contract::load(),
            server,
            http: reqwest::blocking::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    /// Sends a request for operation `op_id` and checks the response against the spec.
    fn call(
        &self,
        op_id: &str,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, BTreeMap<String, String>, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.server.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = &body {
            req = req.json(b);
        }
        self.checked(op_id, path, req)
    }

    /// Sends a built request for operation `op_id` and checks the response against the spec.
    fn checked(
        &self,
        op_id: &str,
        path: &str,
        req: reqwest::blocking::RequestBuilder,
    ) -> (u16, BTreeMap<String, String>, Value) {
        let resp = req.send().expect("request");
        let status = resp.status().as_u16();
        let headers: BTreeMap<String, String> = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let text = resp.text().unwrap();
        let problems = self
            .contract
            .check(self.contract.operation(op_id), status, &headers, &text);
        assert!(problems.is_empty(), "{op_id} {path}: {problems:?}");
        (
            status,
            headers,
            serde_json::from_str(&text).unwrap_or(Value::Null),
        )
    }
}

const ADMIN: (&str, &str) = ("admin@example.com", "demo-admin-password");

#[test]
fn token_create_use_revoke_then_refused() {
    let c = Client::new(Server::start());
    // Unique, so the sequence can run again on a database it already ran on.
    let name = format!(
        "sequence-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let (s, h, created) = c.call(
        "createToken",
        Method::POST,
        "/auth/tokens",
        None,
        Some(json!({"email": ADMIN.0, "password": ADMIN.1, "token_name": name, "scopes": ["runs:read"]})),
    );
    assert_eq!(s, 201);
    assert_eq!(h.get("cache-control").map(String::as_str), Some("no-store"));
    let token = created["token"].as_str().unwrap();
    let (s, _, me) = c.call("getCurrentUser", Method::GET, "/auth/me", Some(token), None);
    assert_eq!((s, me["email"].as_str()), (200, Some(ADMIN.0)));
    let (s, _, _) = c.call("listRuns", Method::GET, "/runs?limit=1", Some(token), None);
    assert_eq!(s, 200);
    // Tokens are listed newest first (as upstream lists them): the first one is it.
    let mine = c
        .call(
            "listTokens",
            Method::GET,
            "/auth/tokens?limit=1",
            Some(&c.server.token),
            None,
        )
        .2;
    let id = mine["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["token_name"] == name.as_str())
        .expect("the new token is listed")["id"]
        .as_i64()
        .unwrap();
    // Another user's token is not there for them: the same 404 as a token that never was, and
    // nothing changes.
    let (s, _, dev) = c.call(
        "createToken",
        Method::POST,
        "/auth/tokens",
        None,
        Some(json!({"email": "dev@example.com", "password": "demo-user-password-2", "token_name": format!("{name}-dev"), "scopes": ["runs:read"]})),
    );
    assert_eq!(s, 201, "{dev}");
    let dev = dev["token"].as_str().unwrap();
    for target in [id, i64::from(i32::MAX)] {
        let (s, _, e) = c.call(
            "revokeToken",
            Method::DELETE,
            &format!("/auth/tokens/{target}"),
            Some(dev),
            None,
        );
        assert_eq!(
            (s, e["code"].as_str()),
            (404, Some("not_found")),
            "{target}"
        );
    }
    let (s, _, _) = c.call("getCurrentUser", Method::GET, "/auth/me", Some(token), None);
    assert_eq!(s, 200, "the admin's token survived");
    let (s, _, _) = c.call(
        "revokeToken",
        Method::DELETE,
        &format!("/auth/tokens/{id}"),
        Some(&c.server.token),
        None,
    );
    assert!(s == 200 || s == 204, "{s}");
    let (s, _, e) = c.call("getCurrentUser", Method::GET, "/auth/me", Some(token), None);
    assert_eq!((s, e["code"].as_str()), (401, Some("unauthorized")));
    // Revoking again: the token is gone for good, and the answer says so.
    let (s, _, _) = c.call(
        "revokeToken",
        Method::DELETE,
        &format!("/auth/tokens/{id}"),
        Some(&c.server.token),
        None,
    );
    assert!(s == 404 || s == 200 || s == 204, "{s}");
}

#[test]
fn run_create_cancel_cancel_again_read() {
    let c = Client::new(Server::start());
    let admin = c.server.token.clone();
    let (s, _, run) = c.call(
        "createRun",
        Method::POST,
        "/runs",
        Some(&admin),
        Some(json!({"repository": "CCExtractor/ccextractor", "commit_sha": "0123456789abcdef0123456789abcdef01234567", "platform": "linux"})),
    );
    assert_eq!(s, 202, "{run}");
    let id = run["run_id"].as_i64().unwrap();
    let cancel = |reason: &str| {
        c.call(
            "cancelRun",
            Method::POST,
            &format!("/runs/{id}/cancel"),
            Some(&admin),
            Some(json!({"reason": reason})),
        )
    };
    let (s, _, first) = cancel("sequence test");
    assert_eq!((s, first["status"].as_str()), (202, Some("accepted")));
    let (s, _, second) = cancel("sequence test again");
    assert_eq!((s, second["status"].as_str()), (202, Some("no_op")));
    let (s, _, read) = c.call(
        "getRun",
        Method::GET,
        &format!("/runs/{id}"),
        Some(&admin),
        None,
    );
    assert_eq!((s, read["status"].as_str()), (200, Some("canceled")));
    let (_, _, listed) = c.call(
        "listRuns",
        Method::GET,
        "/runs?status=canceled&limit=100",
        Some(&admin),
        None,
    );
    assert!(
        listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["run_id"] == id)
    );
}

#[test]
fn approve_a_baseline_then_read_it_back() {
    let c = Client::new(Server::start());
    let admin = c.server.token.clone();
    let get = |op: &str, path: &str| c.call(op, Method::GET, path, Some(&admin), None);
    let (run, sample, rt, output) = c.server.differing_output();
    let out = format!("/runs/{run}/samples/{sample}/regression-tests/{rt}/outputs/{output}");
    for kind in ["expected", "actual"] {
        let id = format!("{kind}_{run}_{rt}_{output}");
        c.server
            .ensure_artifact(run, &id, format!("{kind} output\n").as_bytes());
    }
    let (s, _, actual) = get("getActualOutput", &format!("{out}/actual"));
    assert_eq!(s, 200);
    let (s, _, approval) = c.call(
        "approveBaseline",
        Method::POST,
        &format!("/runs/{run}/samples/{sample}/baseline-approval"),
        Some(&admin),
        Some(json!({"regression_id": rt, "output_id": output})),
    );
    assert_eq!(
        (s, approval["status"].as_str()),
        (200, Some("approved")),
        "{approval}"
    );
    // The run's own expected output still reads (it keeps the hash the run was judged against).
    let (s, _, _) = get("getExpectedOutput", &format!("{out}/expected"));
    assert_eq!(s, 200);
    // The regression test's baseline is now the approved file.
    let (s, _, baseline) = get(
        "downloadRegressionTestOutput",
        &format!("/regression-tests/{rt}/outputs/{output}/download"),
    );
    assert_eq!(s, 200);
    assert_eq!(baseline["filename"], actual["filename"]);
    let (_, _, detail) = get("getRegressionTest", &format!("/regression-tests/{rt}"));
    assert!(
        detail.to_string().contains(
            actual["filename"]
                .as_str()
                .unwrap()
                .split('.')
                .next()
                .unwrap()
        )
    );
}

/// An undocumented method on any path of the spec is a 405 naming the documented ones.
#[test]
fn wrong_methods_are_405_with_allow() {
    let c = Client::new(Server::start());
    let mut by_path: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for op in &c.contract.operations {
        by_path
            .entry(op.path.clone())
            .or_default()
            .push(op.method.clone());
    }
    for (path, methods) in by_path {
        let concrete = path
            .split('/')
            .map(|s| if s.starts_with('{') { "1" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let wrong = ["GET", "POST", "PUT", "PATCH", "DELETE"]
            .into_iter()
            .find(|m| !methods.iter().any(|x| x == m))
            .expect("some method is not documented");
        let resp = c
            .http
            .request(
                Method::from_bytes(wrong.as_bytes()).unwrap(),
                format!("{}{concrete}", c.server.base),
            )
            .bearer_auth(&c.server.token)
            .send()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 405, "{wrong} {path}");
        let allow = resp.headers()["allow"].to_str().unwrap().to_string();
        let mut want = methods.clone();
        want.sort();
        want.dedup();
        assert_eq!(allow, want.join(", "), "{path}");
        let body: Value = resp.json().unwrap();
        assert_eq!(body["code"], "method_not_allowed");
    }
}

/// The limiter on, configured small: the request past the limit is a 429 with Retry-After,
/// rate-limit headers and the error body, as the spec documents.
#[test]
fn past_the_read_limit_is_429_with_retry_after() {
    if std::env::var("SPCI_URL").is_ok() {
        eprintln!("SPCI_URL is set: not flooding a server this test did not start");
        return;
    }
    let server = Server::boot(Boot {
        binary: debug_binary(),
        demo_args: vec![],
        database_url: None,
        seed_timeout: Duration::from_secs(120),
        env: vec![("SPCI_RATE_READS".into(), "3".into())],
        log: None,
        fd_limit: None,
    });
    let c = Client::new(server);
    let token = c.server.token.clone();
    for _ in 0..3 {
        let (s, h, _) = c.call("listRuns", Method::GET, "/runs?limit=1", Some(&token), None);
        assert_eq!(s, 200);
        assert_eq!(h["x-ratelimit-limit"], "3");
    }
    let (s, h, e) = c.call("listRuns", Method::GET, "/runs?limit=1", Some(&token), None);
    assert_eq!((s, e["code"].as_str()), (429, Some("rate_limited")));
    assert!(h["retry-after"].parse::<u64>().unwrap() > 0);
    assert_eq!(h["x-ratelimit-remaining"], "0");
}

#[test]
fn category_create_delete_then_gone() {
    let c = Client::new(Server::start());
    let admin = c.server.token.clone();
    let name = format!(
        "Sequence {}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let (s, _, created) = c.call(
        "createCategory",
        Method::POST,
        "/categories",
        Some(&admin),
        Some(json!({"name": name})),
    );
    assert_eq!(s, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    let path = format!("/categories/{id}");
    let (s, _, deleted) = c.call("deleteCategory", Method::DELETE, &path, Some(&admin), None);
    assert_eq!((s, deleted["deleted"].as_bool()), (200, Some(true)));
    let (s, _, e) = c.call(
        "updateCategory",
        Method::PATCH,
        &path,
        Some(&admin),
        Some(json!({"description": "still there?"})),
    );
    assert_eq!((s, e["code"].as_str()), (404, Some("not_found")));
    let (s, _, _) = c.call("deleteCategory", Method::DELETE, &path, Some(&admin), None);
    assert_eq!(s, 404);
    let (_, _, listed) = c.call(
        "listCategories",
        Method::GET,
        "/categories?limit=100",
        Some(&admin),
        None,
    );
    assert!(
        !listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == id)
    );
}

/// An output identical to its baseline answers 303 with a Location (a documented, required
/// header the checker verifies) that leads to the expected output.
#[test]
fn an_identical_actual_output_redirects_to_the_expected_one() {
    let c = Client::new(Server::start());
    let admin = c.server.token.clone();
    let get = |op: &str, path: &str| c.call(op, Method::GET, path, Some(&admin), None);
    // On a database other tests share, runs may have been restarted since seeding: look through
    // the judged runs for an output reported identical (a passing output of a failing run counts).
    let mut found = None;
    'search: for status in ["fail", "pass"] {
        let (_, _, runs) = get("listRuns", &format!("/runs?status={status}&limit=20"));
        for run in runs["data"].as_array().unwrap() {
            let run = run["run_id"].as_i64().unwrap();
            let (_, _, samples) = get("listRunSamples", &format!("/runs/{run}/samples?limit=100"));
            for s in samples["data"].as_array().unwrap() {
                for o in s["outputs"].as_array().unwrap() {
                    if o["status"] != "pass" {
                        continue;
                    }
                    let out = format!(
                        "/runs/{run}/samples/{}/regression-tests/{}/outputs/{}",
                        s["sample_id"], s["regression_test_id"], o["output_id"]
                    );
                    let (status, h, _) =
                        get("getActualOutput", &format!("{out}/actual?format=text"));
                    if status == 303 {
                        let id = format!(
                            "expected_{run}_{}_{}",
                            s["regression_test_id"], o["output_id"]
                        );
                        c.server.ensure_artifact(run, &id, b"expected output\n");
                        found = Some((out, h["location"].clone()));
                        break 'search;
                    }
                }
            }
        }
    }
    let (out, location) = found.expect("an output identical to its baseline");
    assert!(
        location.ends_with(&format!("{out}/expected?format=text")),
        "{location}"
    );
    let expected = location
        .split_once("/api/v1")
        .map_or(location.as_str(), |(_, p)| p);
    let (s, _, _) = get("getExpectedOutput", expected);
    assert_eq!(s, 200);
}

/// A sample's life from upload to deletion: uploaded, queued (the same bytes again are a
/// conflict), finalized into a sample, used by a new regression test (the sample cannot be
/// deleted while the test exists), the test deleted, the sample deleted, and gone everywhere.
#[test]
fn upload_finalize_test_then_delete() {
    let c = Client::new(Server::start());
    // A `.ts` name on text content: the type detected implies `.txt`.
    c.server.allow_uploads_of(&["ts", "txt"]);
    let admin = c.server.token.clone();
    let unique = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let content = format!("sequence sample {unique}");
    let upload = || {
        let body = format!(
            "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"séquence {unique}.ts\"\r\n\r\n{content}\r\n--b--\r\n"
        );
        let req = c
            .http
            .post(format!("{}/samples/upload", c.server.base))
            .bearer_auth(&admin)
            .header("content-type", "multipart/form-data; boundary=b")
            .body(body);
        c.checked("uploadSample", "/samples/upload", req)
    };
    let (s, _, queued) = upload();
    assert_eq!(
        (s, queued["extension"].as_str()),
        (201, Some(".ts")),
        "{queued}"
    );
    let (s, _, again) = upload();
    assert_eq!(
        (s, again["code"].as_str()),
        (409, Some("conflict")),
        "{again}"
    );
    let qid = queued["id"].as_i64().unwrap();
    let (s, _, read) = c.call(
        "getQueuedSample",
        Method::GET,
        &format!("/queued-samples/{qid}"),
        Some(&admin),
        None,
    );
    assert_eq!((s, &read["sha"]), (200, &queued["sha"]));

    let (s, _, sample) = c.call(
        "finalizeQueuedSample",
        Method::POST,
        &format!("/queued-samples/{qid}/finalize"),
        Some(&admin),
        Some(json!({"version": "0.94", "platform": "linux", "notes": "from the sequence"})),
    );
    assert_eq!(s, 201, "{sample}");
    let sid = sample["sample_id"].as_i64().unwrap();
    let (s, _, _) = c.call(
        "getQueuedSample",
        Method::GET,
        &format!("/queued-samples/{qid}"),
        Some(&admin),
        None,
    );
    assert_eq!(s, 404, "a finalized upload leaves the queue");
    let spath = format!("/samples/{sid}");
    let (s, _, shown) = c.call("getSample", Method::GET, &spath, Some(&admin), None);
    assert_eq!((s, &shown["sha"]), (200, &queued["sha"]), "{shown}");
    // The finalized file downloads through the link the local store signs, by range too.
    let (s, _, located) = c.call(
        "downloadSample",
        Method::GET,
        &format!("{spath}/download"),
        Some(&admin),
        None,
    );
    assert_eq!(s, 200, "{located}");
    let url = located["download_url"].as_str().expect("a signed link");
    let fetched = c.http.get(url).send().unwrap();
    assert_eq!(fetched.status().as_u16(), 200);
    assert_eq!(fetched.text().unwrap(), content);
    let part = c.http.get(url).header("Range", "bytes=0-7").send().unwrap();
    assert_eq!(part.status().as_u16(), 206);
    assert_eq!(part.text().unwrap(), &content[..8]);

    let (s, _, test) = c.call(
        "createRegressionTest",
        Method::POST,
        "/regression-tests",
        Some(&admin),
        Some(json!({"sample_id": sid, "command": "-autoprogram -out=srt", "categories": ["General"]})),
    );
    assert_eq!(s, 201, "{test}");
    let tpath = format!("/regression-tests/{}", test["regression_test_id"]);
    let (s, _, refused) = c.call("deleteSample", Method::DELETE, &spath, Some(&admin), None);
    assert_eq!(
        (s, refused["code"].as_str()),
        (409, Some("conflict")),
        "{refused}"
    );
    assert_eq!(refused["details"]["regression_tests"], 1, "{refused}");

    let (s, _, _) = c.call(
        "deleteRegressionTest",
        Method::DELETE,
        &tpath,
        Some(&admin),
        None,
    );
    assert_eq!(s, 200);
    let (s, _, deleted) = c.call("deleteSample", Method::DELETE, &spath, Some(&admin), None);
    assert_eq!(s, 200, "{deleted}");
    let (s, _, _) = c.call("getSample", Method::GET, &spath, Some(&admin), None);
    assert_eq!(s, 404);
    let (s, _, _) = c.call("getRegressionTest", Method::GET, &tpath, Some(&admin), None);
    assert_eq!(s, 404);
    // The file is gone with the sample: the same bytes can be uploaded anew.
    let (s, _, anew) = upload();
    assert_eq!(s, 201, "{anew}");
}
