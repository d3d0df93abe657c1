//! Webhooks: signed deliveries checked by an independent implementation (Python's hmac),
//! retries, an outbox that survives the process, target address checks at registration and at
//! connect time, redelivery and who may manage them. A local receiver plays the endpoint.
use super::common::{TestApp, TestAppBuilder, get, post};
use super::fixtures::{Fx, at};
use crate::config::WebhookNetwork;
use crate::data::entity::{spci_webhook, spci_webhook_delivery};
use crate::data::webhooks;
use crate::state::AppState;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::Data;
use poem::{EndpointExt, Request, Route, handler};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
struct Received {
    headers: HashMap<String, String>,
    body: String,
}

#[derive(Clone, Default)]
struct Inbox {
    got: Arc<Mutex<Vec<Received>>>,
    /// Requests to answer 500 before answering 200.
    failing: Arc<Mutex<usize>>,
}

#[handler]
async fn receive(req: &Request, body: String, inbox: Data<&Inbox>) -> poem::http::StatusCode {
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    inbox.got.lock().unwrap().push(Received { headers, body });
    let mut failing = inbox.failing.lock().unwrap();
    if *failing > 0 {
        *failing -= 1;
        poem::http::StatusCode::INTERNAL_SERVER_ERROR
    } else {
        poem::http::StatusCode::OK
    }
}

/// A receiver on 127.0.0.1; its URL and what it received.
async fn receiver(failing: usize) -> (String, Inbox) {
    let inbox = Inbox::default();
    *inbox.failing.lock().unwrap() = failing;
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .unwrap();
    let port = acceptor.local_addr()[0].as_socket_addr().unwrap().port();
    let app = Route::new()
        .at("/hook", poem::post(receive))
        .data(inbox.clone());
    tokio::spawn(async move {
        let _ = poem::Server::new_with_acceptor(acceptor).run(app).await;
    });
    (format!("http://localhost:{port}/hook"), inbox)
}

/// Webhooks may call this machine over http (tests only configure what production refuses).
async fn app_allowing_loopback() -> TestApp {
    TestAppBuilder::new()
        .config(|c| {
            c.webhook_allow = vec![WebhookNetwork::Loopback];
            c.webhook_allow_http = true;
            c.webhook_retry_base_ms = 50;
        })
        .build()
        .await
}

async fn record(state: &AppState) {
    crate::live::recorder::pass(&state.db, &state.verdicts)
        .await
        .unwrap();
}

/// Sends what is due until `inbox` has `n` requests (retries included), or 30 s passed (a
/// retry is due at whole seconds, as the database keeps time).
async fn deliver_until(state: &AppState, inbox: &Inbox, n: usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while inbox.got.lock().unwrap().len() < n {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{n} deliveries in time"
        );
        state.live.sender.deliver_due(&state.db).await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A run whose progress the recorder has begun to follow.
async fn followed_run(app: &TestApp) -> i32 {
    let fx = Fx { db: &app.state.db };
    let run = fx.run("linux", &[]).await;
    record(&app.state).await;
    run
}

/// The signature as Python's standard library computes it from the secret, timestamp and body.
fn python_signature(secret: &str, timestamp: &str, body: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .args([
            "-c",
            "import hmac,hashlib,sys; print('sha256=' + hmac.new(sys.argv[1].encode(), \
             sys.argv[2].encode() + b'.' + sys.stdin.buffer.read(), hashlib.sha256).hexdigest())",
            secret,
            timestamp,
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(body.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[tokio::test]
async fn deliveries_are_signed_as_an_independent_implementation_computes() {
    let app = app_allowing_loopback().await;
    let (_, admin) = app.admin().await;
    let (url, inbox) = receiver(0).await;
    let (s, created) = post(
        &app,
        "/webhooks",
        &admin,
        json!({"url": url, "events": ["run.completed", "run.status_changed"], "description": "ci bot"}),
    )
    .await;
    assert_eq!(s, 201, "{created}");
    let secret = created["secret"].as_str().unwrap().to_string();
    assert_eq!(secret.len(), 64);
    let run = followed_run(&app).await;
    let fx = Fx { db: &app.state.db };
    fx.progress(run, "preparation", at(0)).await;
    record(&app.state).await;
    fx.progress(run, "canceled", at(1)).await;
    record(&app.state).await;
    // running, then canceled (status changes), and completed.
    deliver_until(&app.state, &inbox, 3).await;
    let got = inbox.got.lock().unwrap().clone();
    let mut events = vec![];
    let mut ids = std::collections::HashSet::new();
    for r in &got {
        let h = &r.headers;
        let ts = &h["x-spci-timestamp"];
        assert_eq!(
            h["x-spci-signature-256"],
            python_signature(&secret, ts, &r.body)
        );
        assert!((chrono::Utc::now().timestamp() - ts.parse::<i64>().unwrap()).abs() < 60);
        assert_eq!(h["content-type"], "application/json");
        let body: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(body["event"], h["x-spci-event"].as_str());
        assert_eq!(body["delivery_id"], h["x-spci-delivery"].as_str());
        assert_eq!(body["run_id"], run);
        assert!(
            ids.insert(h["x-spci-delivery"].clone()),
            "unique delivery ids"
        );
        events.push((
            h["x-spci-event"].clone(),
            body["status"].as_str().unwrap().to_string(),
        ));
    }
    events.sort();
    assert_eq!(
        events,
        [
            ("run.completed", "canceled"),
            ("run.status_changed", "canceled"),
            ("run.status_changed", "running"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    // A tampered body does not verify.
    assert_ne!(
        got[0].headers["x-spci-signature-256"],
        python_signature(
            &secret,
            &got[0].headers["x-spci-timestamp"],
            &format!("{} ", got[0].body)
        )
    );
    // The secret is never shown again.
    let (_, list) = get(&app, "/webhooks", &admin).await;
    assert_eq!(list["data"][0]["url"], url.as_str());
    assert!(!list.to_string().contains(&secret));
}

#[tokio::test]
async fn a_receiver_that_fails_twice_gets_the_same_delivery_a_third_time() {
    let app = app_allowing_loopback().await;
    let (_, admin) = app.admin().await;
    let (url, inbox) = receiver(2).await;
    let (_, created) = post(
        &app,
        "/webhooks",
        &admin,
        json!({"url": url, "events": ["run.completed"]}),
    )
    .await;
    let hook = created["webhook"]["id"].as_i64().unwrap();
    let run = followed_run(&app).await;
    Fx { db: &app.state.db }
        .progress(run, "canceled", at(0))
        .await;
    record(&app.state).await;
    deliver_until(&app.state, &inbox, 3).await;
    let got = inbox.got.lock().unwrap().clone();
    let ids: Vec<&str> = got
        .iter()
        .map(|r| r.headers["x-spci-delivery"].as_str())
        .collect();
    assert!(
        ids.iter().all(|i| *i == ids[0]),
        "one delivery, three attempts"
    );
    let (s, page) = get(&app, &format!("/webhooks/{hook}/deliveries"), &admin).await;
    assert_eq!(s, 200);
    let d = &page["data"][0];
    assert_eq!(
        (
            d["state"].as_str(),
            d["attempts"].as_i64(),
            d["last_status_code"].as_i64()
        ),
        (Some("delivered"), Some(3), Some(200))
    );
    // Re-delivered by hand: the same id and body again.
    let id = d["id"].as_str().unwrap();
    let (s, again) = post(
        &app,
        &format!("/webhooks/{hook}/deliveries/{id}/redeliver"),
        &admin,
        json!({}),
    )
    .await;
    assert_eq!(
        (s, again["state"].as_str()),
        (202, Some("pending")),
        "{again}"
    );
    deliver_until(&app.state, &inbox, 4).await;
    let got = inbox.got.lock().unwrap().clone();
    assert_eq!(got[3].headers["x-spci-delivery"], id);
    assert_eq!(got[3].body, got[0].body);
}

#[tokio::test]
async fn a_delivery_never_answered_is_retried_with_backoff_and_then_failed() {
    let app = app_allowing_loopback().await;
    let (_, admin) = app.admin().await;
    let (url, inbox) = receiver(usize::MAX).await;
    let (_, created) = post(
        &app,
        "/webhooks",
        &admin,
        json!({"url": url, "events": ["run.completed"]}),
    )
    .await;
    let hook = created["webhook"]["id"].as_i64().unwrap();
    let run = followed_run(&app).await;
    Fx { db: &app.state.db }
        .progress(run, "canceled", at(0))
        .await;
    record(&app.state).await;
    // 8 attempts, 50 ms doubling (due at the next whole second each).
    deliver_until(&app.state, &inbox, 8).await;
    app.state
        .live
        .sender
        .deliver_due(&app.state.db)
        .await
        .unwrap();
    let (_, page) = get(&app, &format!("/webhooks/{hook}/deliveries"), &admin).await;
    let d = &page["data"][0];
    assert_eq!(
        (
            d["state"].as_str(),
            d["attempts"].as_i64(),
            d["last_status_code"].as_i64()
        ),
        (Some("failed"), Some(8), Some(500))
    );
    assert_eq!(d["next_attempt_at"], Value::Null);
    assert_eq!(
        inbox.got.lock().unwrap().len(),
        8,
        "no attempt after the last"
    );
}

#[tokio::test]
async fn the_outbox_survives_the_process_and_a_sender_that_died_holding_a_delivery() {
    let app = app_allowing_loopback().await;
    let (_, admin) = app.admin().await;
    let (url, inbox) = receiver(0).await;
    post(
        &app,
        "/webhooks",
        &admin,
        json!({"url": url, "events": ["run.completed"]}),
    )
    .await;
    let run = followed_run(&app).await;
    Fx { db: &app.state.db }
        .progress(run, "canceled", at(0))
        .await;
    // Committed with its event; this process "dies" before sending, after claiming it.
    record(&app.state).await;
    let queued = spci_webhook_delivery::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(queued.len(), 1);
    assert!(
        webhooks::claim(&app.state.db, queued[0].id, crate::data::db_now())
            .await
            .unwrap()
    );
    // A new process on the same database.
    let mut config = (*app.state.config).clone();
    config.webhook_allow = vec![WebhookNetwork::Loopback];
    let next = AppState::new(config, app.state.db.clone()).unwrap();
    assert_eq!(
        next.live.sender.deliver_due(&next.db).await.unwrap(),
        0,
        "still held"
    );
    // The dead sender's hold runs out.
    spci_webhook_delivery::Entity::update_many()
        .col_expr(
            spci_webhook_delivery::Column::LockedUntil,
            Expr::value(crate::data::db_now() - chrono::Duration::seconds(1)),
        )
        .exec(&next.db)
        .await
        .unwrap();
    deliver_until(&next, &inbox, 1).await;
    assert_eq!(
        inbox.got.lock().unwrap()[0].headers["x-spci-delivery"],
        queued[0].delivery_id
    );
}

#[tokio::test]
async fn private_loopback_and_link_local_targets_are_refused() {
    // Production's rules: https only, no private networks.
    let strict = TestApp::new().await;
    let (_, admin) = strict.admin().await;
    let (local_url, inbox) = receiver(0).await;
    for url in [
        local_url.as_str(),
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.0.0.8/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[fd00::1]/hook",
        "https://0.0.0.0/hook",
        "ftp://example.org/hook",
        "https://user:pw@example.org/hook",
    ] {
        let (s, e) = post(
            &strict,
            "/webhooks",
            &admin,
            json!({"url": url, "events": ["run.completed"]}),
        )
        .await;
        assert_eq!(
            (s, e["code"].as_str()),
            (422, Some("unprocessable")),
            "{url}: {e}"
        );
    }
    // An address that was public when registered and is loopback when connecting (DNS
    // rebinding): the connection is refused, not only the name.
    let app = TestAppBuilder::new()
        .config(|c| c.webhook_allow_http = true)
        .build()
        .await;
    spci_webhook::ActiveModel {
        url: Set(local_url.clone()),
        secret: Set("s".repeat(64)),
        events: Set("run.completed".into()),
        description: Set(String::new()),
        created_by: Set(1),
        created_at: Set(crate::data::db_now()),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    let run = followed_run(&app).await;
    Fx { db: &app.state.db }
        .progress(run, "canceled", at(0))
        .await;
    record(&app.state).await;
    assert_eq!(
        app.state
            .live
            .sender
            .deliver_due(&app.state.db)
            .await
            .unwrap(),
        1
    );
    let d = spci_webhook_delivery::Entity::find()
        .filter(spci_webhook_delivery::Column::Attempts.eq(1))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d.state, "pending");
    assert!(
        d.last_error
            .as_deref()
            .unwrap()
            .contains("refused addresses"),
        "{:?}",
        d.last_error
    );
    assert!(
        inbox.got.lock().unwrap().is_empty(),
        "nothing reached the receiver"
    );
}

#[tokio::test]
async fn only_admins_manage_webhooks_and_removal_drops_the_deliveries() {
    let app = app_allowing_loopback().await;
    let (_, admin) = app.admin().await;
    let (_, user) = app
        .user_with_token("user", &["system:read", "runs:read"])
        .await;
    let (url, _inbox) = receiver(0).await;
    let body = json!({"url": url, "events": ["run.completed"]});
    assert_eq!(post(&app, "/webhooks", &user, body.clone()).await.0, 403);
    assert_eq!(get(&app, "/webhooks", &user).await.0, 403);
    let (_, created) = post(&app, "/webhooks", &admin, body).await;
    let hook = created["webhook"]["id"].as_i64().unwrap();
    let run = followed_run(&app).await;
    Fx { db: &app.state.db }
        .progress(run, "canceled", at(0))
        .await;
    record(&app.state).await;
    assert_eq!(
        spci_webhook_delivery::Entity::find()
            .all(&app.state.db)
            .await
            .unwrap()
            .len(),
        1
    );
    let delete = |token: &str| {
        app.client
            .delete(format!("/api/v1/webhooks/{hook}"))
            .header("Authorization", super::common::bearer(token))
            .send()
    };
    assert_eq!(delete(&user).await.0.status().as_u16(), 403);
    assert_eq!(delete(&admin).await.0.status().as_u16(), 204);
    assert_eq!(delete(&admin).await.0.status().as_u16(), 404);
    assert!(
        spci_webhook_delivery::Entity::find()
            .all(&app.state.db)
            .await
            .unwrap()
            .is_empty()
    );
    let (_, audit) = get(&app, "/audit-log", &admin).await;
    let actions: Vec<&str> = audit["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(
        actions.contains(&"webhook_created") && actions.contains(&"webhook_deleted"),
        "{actions:?}"
    );
    assert_eq!(
        get(&app, &format!("/webhooks/{hook}/deliveries"), &admin)
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn a_baseline_approval_is_delivered() {
    let app = app_allowing_loopback().await;
    let (admin_id, admin) = app.admin().await;
    let (url, inbox) = receiver(0).await;
    post(
        &app,
        "/webhooks",
        &admin,
        json!({"url": url, "events": ["baseline.approved"]}),
    )
    .await;
    let run = followed_run(&app).await;
    crate::data::entity::spci_baseline_approval::ActiveModel {
        run_id: Set(run),
        regression_id: Set(7),
        output_id: Set(9),
        previous_hash: Set(None),
        new_hash: Set("h".into()),
        removed_variants: Set(0),
        approved_by: Set(admin_id),
        approved_at: Set(crate::data::db_now()),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    record(&app.state).await;
    deliver_until(&app.state, &inbox, 1).await;
    let r = inbox.got.lock().unwrap()[0].clone();
    let body: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(r.headers["x-spci-event"], "baseline.approved");
    assert_eq!(
        (
            body["run_id"].as_i64(),
            body["regression_test_id"].as_i64(),
            body["output_id"].as_i64()
        ),
        (Some(run as i64), Some(7), Some(9))
    );
}

#[tokio::test]
async fn a_run_that_breaks_a_test_master_passed_raises_regression_detected() {
    let app = app_allowing_loopback().await;
    let (_, admin) = app.admin().await;
    let (url, inbox) = receiver(0).await;
    post(
        &app,
        "/webhooks",
        &admin,
        json!({"url": url, "events": ["regression.detected"]}),
    )
    .await;
    let fx = Fx { db: &app.state.db };
    let cat = fx.category("General").await;
    let sample = fx.sample("S1").await;
    let (kept, kept_out) = fx.regression_test(sample, &[cat], 1).await;
    let (broken, broken_out) = fx.regression_test(sample, &[cat], 1).await;
    let base = fx.run("linux", &[kept, broken]).await;
    for (rt, out) in [(kept, kept_out[0]), (broken, broken_out[0])] {
        fx.result(base, rt, 0, 0).await;
        fx.file(base, rt, out, None).await;
    }
    fx.complete(base, 0).await;
    let run = fx.run("linux", &[kept, broken]).await;
    record(&app.state).await;
    fx.progress(run, "testing", at(10)).await;
    fx.result(run, kept, 0, 0).await;
    fx.file(run, kept, kept_out[0], None).await;
    fx.result(run, broken, 1, 0).await;
    fx.file(run, broken, broken_out[0], None).await;
    fx.progress(run, "completed", at(11)).await;
    record(&app.state).await;
    deliver_until(&app.state, &inbox, 1).await;
    let r = inbox.got.lock().unwrap()[0].clone();
    assert_eq!(r.headers["x-spci-event"], "regression.detected");
    let body: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        (body["run_id"].as_i64(), body["base_run_id"].as_i64()),
        (Some(run as i64), Some(base as i64))
    );
    assert_eq!(body["regression_test_ids"], json!([broken]));
}
