//! The administrative switches: maintenance, blocked GitHub accounts and forbidden extensions,
//! who may use them, what they change, and the audit row each change leaves.
use super::common::{TestAppBuilder, call, get, post};
use super::fixtures::Fx;
use super::github_standin::GitHubStandIn;
use sea_orm::ActiveModelTrait;
use serde_json::{Value, json};

async fn audit(app: &super::common::TestApp, token: &str, action: &str) -> Vec<Value> {
    let (s, page) = get(app, &format!("/audit-log?action={action}"), token).await;
    assert_eq!(s, 200, "{page}");
    page["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn only_admins_reach_the_switches() {
    let app = TestAppBuilder::new().build().await;
    let (_, tester) = app
        .user_with_token("tester", &["runs:read", "runs:write", "system:read"])
        .await;
    let cases = [
        ("GET", "/system/maintenance", None),
        (
            "PATCH",
            "/system/maintenance/linux",
            Some(json!({"disabled": true})),
        ),
        ("GET", "/system/blocked-users", None),
        ("POST", "/system/blocked-users", Some(json!({"user_id": 1}))),
        ("DELETE", "/system/blocked-users/1", None),
        ("GET", "/system/forbidden-extensions", None),
        (
            "POST",
            "/system/forbidden-extensions",
            Some(json!({"extension": "js"})),
        ),
        ("DELETE", "/system/forbidden-extensions/js", None),
        ("GET", "/audit-log", None),
    ];
    for (method, path, body) in cases {
        let (s, e) = call(&app, method, path, &tester, body).await;
        assert_eq!(
            (s, e["code"].as_str()),
            (403, Some("forbidden")),
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn maintenance_is_per_platform_audited_and_runs_still_queue() {
    let app = TestAppBuilder::new().build().await;
    let (admin_id, admin) = app.admin().await;
    let (s, m) = get(&app, "/system/maintenance", &admin).await;
    assert_eq!(s, 200);
    assert_eq!(
        m["platforms"],
        json!([{"platform": "linux", "disabled": false}, {"platform": "windows", "disabled": false}])
    );
    let path = "/system/maintenance/linux";
    let (s, m) = call(&app, "PATCH", path, &admin, Some(json!({"disabled": true}))).await;
    assert_eq!(
        (s, m),
        (200, json!({"platform": "linux", "disabled": true}))
    );
    // Setting the state it already has changes nothing and records nothing.
    let (s, _) = call(&app, "PATCH", path, &admin, Some(json!({"disabled": true}))).await;
    assert_eq!(s, 200);
    let (_, m) = get(&app, "/system/maintenance", &admin).await;
    assert_eq!(
        m["platforms"][0],
        json!({"platform": "linux", "disabled": true})
    );
    assert_eq!(m["platforms"][1]["disabled"], false);
    let rows = audit(&app, &admin, "maintenance_changed").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        (
            &rows[0]["actor_id"],
            &rows[0]["target"],
            &rows[0]["previous"],
            &rows[0]["value"]
        ),
        (
            &json!(admin_id),
            &json!("linux"),
            &json!("false"),
            &json!("true")
        )
    );
    // A run for a platform in maintenance is accepted and stays queued.
    let fx = Fx { db: &app.state.db };
    let sample = fx.sample("CONV923H").await;
    fx.regression_test(sample, &[], 1).await;
    let (s, run) = post(
        &app,
        "/runs",
        &admin,
        json!({"repository": "CCExtractor/ccextractor",
               "commit_sha": "1978060bf7d2edd119736ba3ba88341f3bec3323", "platform": "linux"}),
    )
    .await;
    assert_eq!(s, 202, "{run}");
    let (_, shown) = get(&app, &format!("/runs/{}", run["run_id"]), &admin).await;
    assert_eq!(shown["status"], "queued");
    // The run, the queue and health say why it waits.
    assert_eq!(
        (
            &run["platform_in_maintenance"],
            &shown["platform_in_maintenance"]
        ),
        (&json!(true), &json!(true))
    );
    let (_, queue) = get(&app, "/system/queue", &admin).await;
    assert_eq!(queue["meta"]["platforms_in_maintenance"], json!(["linux"]));
    assert_eq!(queue["data"][0]["platform_in_maintenance"], true);
    let (_, health) = get(&app, "/system/health", &admin).await;
    assert_eq!(health["platforms_in_maintenance"], json!(["linux"]));
    assert_eq!(health["status"], "ok", "maintenance is not an outage");
    let (s, _) = call(
        &app,
        "PATCH",
        path,
        &admin,
        Some(json!({"disabled": false})),
    )
    .await;
    assert_eq!(s, 200);
    let (_, shown) = get(&app, &format!("/runs/{}", run["run_id"]), &admin).await;
    assert_eq!(
        (&shown["status"], &shown["platform_in_maintenance"]),
        (&json!("queued"), &json!(false))
    );
    let (s, e) = call(
        &app,
        "PATCH",
        "/system/maintenance/mac",
        &admin,
        Some(json!({"disabled": true})),
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (400, Some("validation_error")));
}

#[tokio::test]
async fn forbidden_extensions_are_one_row_per_spelling() {
    let app = TestAppBuilder::new().build().await;
    let (_, admin) = app.admin().await;
    let base = "/system/forbidden-extensions";
    let (s, e) = post(&app, base, &admin, json!({"extension": "JS"})).await;
    assert_eq!((s, e), (201, json!({"extension": "js"})));
    let (s, e) = post(&app, base, &admin, json!({"extension": "js"})).await;
    assert_eq!((s, e["code"].as_str()), (409, Some("conflict")));
    let (s, e) = post(&app, base, &admin, json!({"extension": ".exe"})).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("validation_error")));
    post(&app, base, &admin, json!({"extension": "com"})).await;
    let (_, page) = get(&app, base, &admin).await;
    assert_eq!(page["data"], json!(["com", "js"]));
    assert_eq!(page["pagination"]["total"], 2);
    let (s, d) = call(&app, "DELETE", &format!("{base}/.Js"), &admin, None).await;
    assert_eq!((s, d), (200, json!({"extension": "js", "deleted": true})));
    let (s, _) = call(&app, "DELETE", &format!("{base}/js"), &admin, None).await;
    assert_eq!(s, 404);
    assert_eq!(audit(&app, &admin, "extension_forbidden").await.len(), 2);
    let allowed = audit(&app, &admin, "extension_allowed").await;
    assert_eq!(allowed.len(), 1);
    assert_eq!(allowed[0]["target"], "js");
}

#[tokio::test]
async fn blocking_an_account_cancels_its_pending_runs_only() {
    let github = GitHubStandIn::start(&[(4242, "Mallory")]).await;
    let app = github.app().await;
    let (_, admin) = app.admin().await;
    let fx = Fx { db: &app.state.db };
    let theirs = fx.fork("https://github.com/mallory/ccextractor.git").await;
    let others = fx.fork("https://github.com/malloryx/ccextractor.git").await;
    let queued = fx.run_on(theirs, "linux", "master", &[]).await;
    let done = fx.run_on(theirs, "linux", "master", &[]).await;
    fx.complete(done, 0).await;
    let bystander = fx.run_on(others, "linux", "master", &[]).await;
    let status = |id: i32| {
        let (app, admin) = (&app, admin.clone());
        async move { get(app, &format!("/runs/{id}"), &admin).await.1["status"].clone() }
    };
    let finished = status(done).await;

    let body = json!({"user_id": 4242, "comment": "spam PRs"});
    let (s, b) = post(&app, "/system/blocked-users", &admin, body.clone()).await;
    assert_eq!(
        (s, b),
        (201, json!({"user_id": 4242, "comment": "spam PRs"}))
    );
    assert_eq!(status(queued).await, "canceled");
    assert_eq!(status(done).await, finished);
    assert_eq!(status(bystander).await, "queued");
    let (s, e) = post(&app, "/system/blocked-users", &admin, body).await;
    assert_eq!((s, e["code"].as_str()), (409, Some("conflict")));

    // An id GitHub does not know is blocked all the same, with nothing to cancel.
    let (s, _) = post(&app, "/system/blocked-users", &admin, json!({"user_id": 7})).await;
    assert_eq!(s, 201);
    let (_, page) = get(&app, "/system/blocked-users", &admin).await;
    assert_eq!(
        page["data"],
        json!([{"user_id": 7, "comment": ""}, {"user_id": 4242, "comment": "spam PRs"}])
    );
    let blocked = audit(&app, &admin, "github_user_blocked").await;
    assert_eq!(blocked.len(), 2);
    assert_eq!(blocked[1]["value"], "Mallory; 1 pending runs canceled");

    let (s, d) = call(&app, "DELETE", "/system/blocked-users/4242", &admin, None).await;
    assert_eq!((s, d), (200, json!({"user_id": 4242, "deleted": true})));
    let (s, _) = call(&app, "DELETE", "/system/blocked-users/4242", &admin, None).await;
    assert_eq!(s, 404);
    // Unblocking does not bring canceled runs back.
    assert_eq!(status(queued).await, "canceled");
    assert_eq!(audit(&app, &admin, "github_user_unblocked").await.len(), 1);
}

#[tokio::test]
async fn blocking_writes_nothing_while_github_is_unreachable() {
    let app = GitHubStandIn::app_at(GitHubStandIn::unreachable().await).await;
    let (_, admin) = app.admin().await;
    let (s, e) = post(
        &app,
        "/system/blocked-users",
        &admin,
        json!({"user_id": 4242}),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (503, Some("service_unavailable")),
        "{e}"
    );
    let (_, page) = get(&app, "/system/blocked-users", &admin).await;
    assert_eq!(page["pagination"]["total"], 0);
    assert!(audit(&app, &admin, "github_user_blocked").await.is_empty());
}

#[tokio::test]
async fn a_fork_of_a_blocked_account_gets_no_new_run() {
    let github = GitHubStandIn::start(&[(4242, "mallory"), (5151, "alice")]).await;
    let app = github.app().await;
    let (_, admin) = app.admin().await;
    let fx = Fx { db: &app.state.db };
    let sample = fx.sample("CONV923H").await;
    fx.regression_test(sample, &[], 1).await;
    let mut tokens = vec![];
    for login in ["mallory", "alice"] {
        let (uid, token) = app
            .user_with_token("user", &["runs:write", "runs:read"])
            .await;
        crate::data::entity::user::ActiveModel {
            id: sea_orm::Set(uid),
            github_login: sea_orm::Set(Some(login.into())),
            ..Default::default()
        }
        .update(&app.state.db)
        .await
        .unwrap();
        tokens.push((login, token));
    }
    let (s, _) = post(
        &app,
        "/system/blocked-users",
        &admin,
        json!({"user_id": 4242}),
    )
    .await;
    assert_eq!(s, 201);
    for (login, token) in &tokens {
        let (s, body) = post(
            &app,
            "/runs",
            token,
            json!({"repository": format!("{login}/ccextractor"),
                   "commit_sha": "1978060bf7d2edd119736ba3ba88341f3bec3323", "platform": "linux"}),
        )
        .await;
        let want = if *login == "mallory" { 403 } else { 202 };
        assert_eq!(s, want, "{login}: {body}");
    }
}
