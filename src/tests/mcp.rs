//! The MCP endpoint against the real app: a tool call is its operation, with the caller's
//! token and limits; the endpoint is the one path served outside the spec.
use super::common::bearer;
use super::spec_drift::yaml_spec;
use super::world::World;
use serde_json::{Value, json};

/// One JSON-RPC message to `/api/v1/mcp`; the answer's status, rate-limit remainder and body.
async fn rpc(w: &World, token: &str, body: Value) -> (u16, Option<i64>, Value) {
    let r = w
        .app
        .client
        .post("/api/v1/mcp")
        .header("Authorization", bearer(token))
        .header("Host", "spci.test")
        .header("Accept", "application/json, text/event-stream")
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await;
    let status = r.0.status().as_u16();
    let remaining =
        r.0.headers()
            .get("x-ratelimit-remaining")
            .and_then(|v| v.to_str().ok()?.parse().ok());
    let text = r.0.into_body().into_string().await.unwrap();
    (
        status,
        remaining,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

/// What is left of the caller's read bucket (`GET /rate-limit` is charged to another one).
async fn reads_left(w: &World, token: &str) -> i64 {
    let (_, limits) = super::common::get(&w.app, "/rate-limit", token).await;
    limits["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "read")
        .expect("a reads bucket")["remaining"]
        .as_i64()
        .unwrap()
}

fn call(id: u64, name: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
           "params": {"name": name, "arguments": arguments}})
}

#[tokio::test]
async fn the_mcp_endpoint_is_the_one_path_served_outside_the_spec() {
    let w = World::new().await;
    let spec = yaml_spec();
    assert!(spec["paths"].get("/mcp").is_none());
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"}}});
    let (status, _, body) = rpc(&w, &w.admin, init).await;
    assert_eq!(status, 200);
    assert_eq!(body["result"]["serverInfo"]["name"], "spci");
    let r = w
        .app
        .client
        .get("/api/v1/mcp")
        .header("Host", "spci.test")
        .send()
        .await;
    r.assert_status(poem::http::StatusCode::METHOD_NOT_ALLOWED);
    r.assert_header("allow", "POST");
}

#[tokio::test]
async fn tools_are_listed_from_the_generated_table() {
    let w = World::new().await;
    let (_, _, body) = rpc(
        &w,
        &w.admin,
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
    )
    .await;
    let tools = body["result"]["tools"].as_array().expect("a tool list");
    assert_eq!(
        tools.len(),
        crate::mcp::tools::all().len() + crate::mcp::composed::ALL.len()
    );
    let cancel = tools.iter().find(|t| t["name"] == "cancelRun").unwrap();
    assert_eq!(cancel["annotations"]["readOnlyHint"], false);
    assert_eq!(cancel["inputSchema"]["required"], json!(["run_id"]));
}

/// A token is offered the tools it may call: a read-only token sees no write tool, and a
/// token the server does not know sees none.
#[tokio::test]
async fn write_tools_are_offered_only_to_tokens_that_may_write() {
    let w = World::new().await;
    let (_, reader) = w
        .app
        .user_with_token("admin", &["runs:read", "results:read"])
        .await;
    let list = |token: String| {
        let w = &w;
        async move {
            let (status, _, body) = rpc(
                w,
                &token,
                json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
            )
            .await;
            assert_eq!(status, 200, "{body}");
            body["result"]["tools"]
                .as_array()
                .expect("a tool list")
                .iter()
                .map(|t| {
                    (
                        t["name"].as_str().unwrap().to_string(),
                        t["annotations"]["readOnlyHint"] == true,
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let offered = list(reader).await;
    assert!(offered.iter().any(|(n, _)| n == "listRuns"), "{offered:?}");
    assert!(
        offered.iter().all(|(_, read_only)| *read_only),
        "{offered:?}"
    );
    assert!(list("spci_not-a-token".into()).await.is_empty());
}

#[tokio::test]
async fn a_tool_call_is_its_operation_with_the_callers_rights_and_limits() {
    // Few reads a minute, so a spent one is not refilled before the report reads it.
    let app = super::common::TestAppBuilder::new()
        .config(|c| c.rate_reads = 60)
        .build()
        .await;
    let w = World::on(app).await;
    let (_, reader) = w
        .app
        .user_with_token("admin", &["runs:read", "results:read"])
        .await;

    let before = reads_left(&w, &reader).await;
    let (status, _, body) = rpc(
        &w,
        &reader,
        call(1, "getRun", json!({"run_id": w.run_fail})),
    )
    .await;
    assert_eq!(status, 200);
    let result = &body["result"];
    assert_eq!(result["isError"], false, "{body}");
    assert_eq!(result["structuredContent"]["run_id"], w.run_fail);
    // The operation the tool made was charged to the caller's reads.
    assert_eq!(reads_left(&w, &reader).await, before - 1);

    let (_, _, refused) = rpc(
        &w,
        &reader,
        call(3, "cancelRun", json!({"run_id": w.run_running})),
    )
    .await;
    assert_eq!(refused["result"]["isError"], true, "{refused}");
    let error: Value =
        serde_json::from_str(refused["result"]["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(error["code"], "forbidden");

    let (_, _, missing) = rpc(&w, &reader, call(4, "getRun", json!({"run_id": 999_999}))).await;
    assert_eq!(missing["result"]["isError"], true);

    let (_, _, unknown) = rpc(&w, &reader, call(5, "getRun", json!({"run_id": 1, "x": 2}))).await;
    assert!(
        unknown["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no argument `x`"),
        "{unknown}"
    );

    let (_, _, anonymous) = rpc(&w, "not-a-token", call(6, "listRuns", json!({}))).await;
    assert_eq!(anonymous["result"]["isError"], true);
}

/// The composed tools answer in one call, through the operations: why a run failed (with the
/// head of a diff read from storage), what a run changed against its bases, whether a test is
/// flaky; a step's refusal is the tool's error.
#[tokio::test]
async fn composed_tools_answer_an_agents_questions_in_one_call() {
    let w = World::new().await;
    w.put(
        &World::expected_key(w.o2),
        b"1\n00:00:01,000 --> 00:00:02,000\nHello\nWorld\n",
    );
    w.put(
        "TestResults/zz.srt",
        b"1\n00:00:01,000 --> 00:00:02,000\nHello\nWorId\n",
    );
    let ask = |id: u64, name: &'static str, args: Value| {
        let w = &w;
        async move {
            let (status, _, body) = rpc(w, &w.admin, call(id, name, args)).await;
            assert_eq!(status, 200, "{body}");
            body["result"].clone()
        }
    };

    let why = ask(1, "explainRunFailure", json!({"run_id": w.run_fail})).await;
    assert_eq!(why["isError"], false, "{why}");
    let s = &why["structuredContent"];
    assert_eq!(s["summary"]["status"], "fail", "{s}");
    let groups = s["failure_groups"].as_array().expect("groups");
    assert!(!groups.is_empty(), "{s}");
    let heads: Vec<&str> = groups
        .iter()
        .filter_map(|g| g["diff"]["head"].as_str())
        .collect();
    assert!(
        heads
            .iter()
            .any(|h| h.contains("-World") && h.contains("+WorId")),
        "{s}"
    );

    let changed = ask(
        2,
        "whatDidThisPullRequestChange",
        json!({"run_id": w.run_fail}),
    )
    .await;
    assert_eq!(changed["isError"], false, "{changed}");
    let s = &changed["structuredContent"];
    assert_eq!(s["run"]["run_id"], w.run_fail);
    assert!(s["bases"].as_array().is_some_and(|b| !b.is_empty()), "{s}");
    assert!(
        s["changed"].is_array() && s["tests_compared"].is_i64(),
        "{s}"
    );

    let flaky = ask(3, "isThisTestFlaky", json!({"regression_test_id": w.t2})).await;
    assert_eq!(flaky["isError"], false, "{flaky}");
    assert!(flaky["structuredContent"]["verdict"].is_string(), "{flaky}");

    let unknown = ask(4, "explainRunFailure", json!({"run_id": 999_999})).await;
    assert_eq!(unknown["isError"], true, "{unknown}");
    let error: Value =
        serde_json::from_str(unknown["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(error["code"], "not_found", "{unknown}");
}
