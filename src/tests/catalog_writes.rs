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

#[tokio::test]
async fn regression_tests_are_created_changed_and_deleted_by_contributors() {
    let app = TestApp::new().await;
    let (_, admin) = app.admin().await;
    let (_, contributor) = app
        .user_with_token("contributor", &["runs:read", "runs:write"])
        .await;
    let (_, user) = app
        .user_with_token("user", &["runs:read", "runs:write"])
        .await;
    let fx = Fx { db: &app.state.db };
    let sample = fx.sample("RTWRITE").await;
    fx.category("Broken").await;
    fx.category("DVB").await;
    let body = json!({"sample_id": sample, "command": "--autoprogram --out=srt",
                      "categories": ["dvb", "DVB", "Broken"], "expected_rc": 10});
    let (s, e) = post(&app, "/regression-tests", &user, body.clone()).await;
    assert_eq!((s, e["code"].as_str()), (403, Some("forbidden")));
    let (s, rt) = post(&app, "/regression-tests", &contributor, body).await;
    assert_eq!(s, 201, "{rt}");
    assert_eq!(
        rt["active"], false,
        "inactive unless asked, as upstream's API"
    );
    assert_eq!(rt["expected_rc"], 10);
    assert_eq!(rt["input_type"], "file");
    let mut cats: Vec<String> = serde_json::from_value(rt["categories"].clone()).unwrap();
    cats.sort();
    assert_eq!(
        cats,
        ["Broken", "DVB"],
        "each category once, matched case-insensitively"
    );
    let id = rt["regression_test_id"].as_i64().unwrap();

    let refused = [
        (
            json!({"sample_id": 999999, "command": "-x", "categories": ["DVB"]}),
            404,
            "not_found",
        ),
        (
            json!({"sample_id": sample, "command": "-x", "categories": ["DVB", "Nope"]}),
            400,
            "validation_error",
        ),
    ];
    for (body, want, code) in refused {
        let (s, e) = post(&app, "/regression-tests", &admin, body.clone()).await;
        assert_eq!((s, e["code"].as_str()), (want, Some(code)), "{body}: {e}");
        if want == 400 {
            assert_eq!(e["details"]["unknown"], json!(["Nope"]));
        }
    }

    let path = format!("/regression-tests/{id}");
    let (s, changed) = call(
        &app,
        "PATCH",
        &path,
        &contributor,
        Some(json!({"active": true, "categories": ["Broken"], "command": "-out=ttxt"})),
    )
    .await;
    assert_eq!(s, 200, "{changed}");
    assert_eq!(
        (
            &changed["active"],
            &changed["categories"],
            &changed["command"]
        ),
        (&json!(true), &json!(["Broken"]), &json!("-out=ttxt"))
    );
    let (_, listed) = get(&app, "/regression-tests?category=DVB", &admin).await;
    assert_eq!(
        listed["pagination"]["total"], 0,
        "the old category link is gone"
    );
    for (body, want) in [(json!({}), 400), (json!({"categories": ["Nope"]}), 400)] {
        let (s, _) = call(&app, "PATCH", &path, &admin, Some(body.clone())).await;
        assert_eq!(s, want, "{body}");
    }
    let (s, _) = call(
        &app,
        "PATCH",
        "/regression-tests/999999",
        &admin,
        Some(json!({"active": false})),
    )
    .await;
    assert_eq!(s, 404);

    // Used by a run: history is never erased.
    let run = fx.run("linux", &[id as i32]).await;
    let (s, e) = call(&app, "DELETE", &path, &contributor, None).await;
    assert_eq!((s, e["code"].as_str()), (409, Some("conflict")), "{e}");
    assert_eq!(e["details"]["runs_choosing_it"], 1);
    fx.result(run, id as i32, 0, 0).await;
    let (s, e) = call(&app, "DELETE", &path, &contributor, None).await;
    assert_eq!((s, e["details"]["results"].as_i64()), (409, Some(1)));

    // A test no run used goes, with its outputs and variants.
    let (_, fresh) = post(
        &app,
        "/regression-tests",
        &admin,
        json!({"sample_id": sample, "command": "-y", "categories": ["DVB"]}),
    )
    .await;
    let fresh_id = fresh["regression_test_id"].as_i64().unwrap();
    let output = super::fixtures::output(&app.state.db, fresh_id as i32).await;
    fx.variant(output, &hash("another")).await;
    let fresh_path = format!("/regression-tests/{fresh_id}");
    let (s, gone) = call(&app, "DELETE", &fresh_path, &contributor, None).await;
    assert_eq!(s, 200, "{gone}");
    assert_eq!(gone, json!({"id": fresh_id, "deleted": true}));
    assert_eq!(get(&app, &fresh_path, &admin).await.0, 404);
    assert_eq!(call(&app, "DELETE", &fresh_path, &admin, None).await.0, 404);
    let (_, cat) = get(&app, "/categories?limit=100", &admin).await;
    let dvb = cat["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "DVB")
        .unwrap();
    assert_eq!(dvb["test_count"], 0, "its category link went with it");
}
