//! Writes to the library: tags, and accepted output variants, whose verdicts are retroactive.
use super::common::{TestApp, call, get, post};
use super::fixtures::{Fx, hash};
use serde_json::json;

#[tokio::test]
async fn a_variant_flips_a_run_from_fail_to_pass_and_back() {
    let app = TestApp::new().await;
    let (_, admin) = app.admin().await;
    let (_, contributor) = app
        .user_with_token("contributor", &["runs:read", "runs:write"])
        .await;
    let (_, user) = app
        .user_with_token("user", &["runs:read", "runs:write"])
        .await;
    let fx = Fx { db: &app.state.db };
    let sample = fx.sample("VARIANT1").await;
    let (rt, outputs) = fx.regression_test(sample, &[], 1).await;
    let run = fx.run("linux", &[rt]).await;
    fx.result(run, rt, 0, 0).await;
    let produced = hash("what this run produced");
    fx.file(run, rt, outputs[0], Some(&produced)).await;
    fx.complete(run, 0).await;
    let status = || async { get(&app, &format!("/runs/{run}"), &admin).await.1["status"].clone() };
    assert_eq!(status().await, "fail");

    let path = format!("/regression-tests/{rt}/outputs/{}/variants", outputs[0]);
    let (s, e) = post(&app, &path, &user, json!({"hash": produced})).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (403, Some("forbidden")),
        "contributors and admins only"
    );
    let (s, v) = post(&app, &path, &contributor, json!({"hash": produced})).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["hash"], produced.as_str());
    assert_eq!(
        status().await,
        "pass",
        "the variant passes the run retroactively"
    );
    let cases = [
        (json!({"hash": produced}), 409, "conflict"),
        (
            json!({"hash": hash(&format!("baseline {rt} 0"))}),
            409,
            "conflict",
        ),
        (json!({"hash": "not/a/hash"}), 400, "validation_error"),
    ];
    for (body, want, code) in cases {
        let (s, e) = post(&app, &path, &admin, body.clone()).await;
        assert_eq!((s, e["code"].as_str()), (want, Some(code)), "{body}");
    }
    let (s, _) = post(
        &app,
        &format!("/regression-tests/{rt}/outputs/999999/variants"),
        &admin,
        json!({"hash": "ab"}),
    )
    .await;
    assert_eq!(s, 404);

    let one = format!("{path}/{}", v["id"]);
    let (s, gone) = call(&app, "DELETE", &one, &contributor, None).await;
    assert_eq!((s, gone), (200, json!({"id": v["id"], "deleted": true})));
    assert_eq!(status().await, "fail", "and fails again without it");
    let (s, _) = call(&app, "DELETE", &one, &contributor, None).await;
    assert_eq!(s, 404, "deleted once");
}

#[tokio::test]
async fn tags_are_created_by_admins_with_unique_names() {
    let app = TestApp::new().await;
    let (_, admin) = app.admin().await;
    let (_, contributor) = app
        .user_with_token("contributor", &["runs:read", "runs:write"])
        .await;
    let (s, t) = post(
        &app,
        "/tags",
        &admin,
        json!({"name": "teletext", "description": "Teletext samples"}),
    )
    .await;
    assert_eq!(s, 201, "{t}");
    assert_eq!(
        (t["name"].as_str(), t["description"].as_str()),
        (Some("teletext"), Some("Teletext samples"))
    );
    let cases = [
        (&admin, json!({"name": "teletext"}), 409),
        (&admin, json!({"name": "TELETEXT"}), 409),
        (&admin, json!({"name": ""}), 400),
        (&contributor, json!({"name": "dvb"}), 403),
    ];
    for (token, body, want) in cases {
        let (s, e) = post(&app, "/tags", token, body.clone()).await;
        assert_eq!(s, want, "{body}: {e}");
    }
    let (_, page) = get(&app, "/tags", &admin).await;
    assert_eq!(page["pagination"]["total"], 1);
}
