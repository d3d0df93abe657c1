//! POST /runs/{run_id}/rerun: scopes, lineage, and POST /runs' permission rules.
use super::common::{TestApp, get, post};
use super::fixtures::Fx;
use serde_json::{Value, json};

struct Setup {
    app: TestApp,
    staff: String,
    run: i32,
    /// passed, failed, missed its output
    tests: [i32; 3],
    outputs: [i32; 3],
}

async fn setup() -> Setup {
    let app = TestApp::new().await;
    let (_, staff) = app
        .user_with_token("contributor", &["runs:read", "runs:write"])
        .await;
    let fx = Fx { db: &app.state.db };
    let cat = fx.category("General").await;
    let sample = fx.sample("rerun").await;
    let mut t = vec![];
    for _ in 0..3 {
        t.push(fx.regression_test(sample, &[cat], 1).await);
    }
    let run = fx
        .run("linux", &t.iter().map(|x| x.0).collect::<Vec<_>>())
        .await;
    fx.result(run, t[0].0, 0, 0).await;
    fx.file(run, t[0].0, t[0].1[0], None).await;
    fx.result(run, t[1].0, 0, 0).await;
    fx.file(run, t[1].0, t[1].1[0], Some("differs")).await;
    fx.result(run, t[2].0, 0, 0).await;
    fx.complete(run, 0).await;
    Setup {
        app,
        staff,
        run,
        tests: [t[0].0, t[1].0, t[2].0],
        outputs: [t[0].1[0], t[1].1[0], t[2].1[0]],
    }
}

async fn scope_of(s: &Setup, run: i64) -> Value {
    let (status, config) = get(&s.app, &format!("/runs/{run}/config"), &s.staff).await;
    assert_eq!(status, 200, "{config}");
    config["regression_test_ids"].clone()
}

#[tokio::test]
async fn a_rerun_repeats_the_failed_all_or_selected_tests_and_links_back() {
    let s = setup().await;
    let [passed, failed, missing] = s.tests;
    let rerun = |run: i64, body: Value| {
        let app = &s.app;
        let staff = s.staff.clone();
        async move { post(app, &format!("/runs/{run}/rerun"), &staff, body).await }
    };
    let (status, first) = rerun(s.run as i64, json!({"scope": "failed"})).await;
    assert_eq!(status, 202, "{first}");
    let id = first["run_id"].as_i64().unwrap();
    assert_eq!(
        (first["attempt"].as_i64(), first["rerun_of"].as_i64()),
        (Some(2), Some(s.run as i64))
    );
    assert_eq!(first["status"], "queued");
    let (_, original) = get(&s.app, &format!("/runs/{}", s.run), &s.staff).await;
    assert_eq!(
        (original["attempt"].as_i64(), &original["rerun_of"]),
        (Some(1), &Value::Null)
    );
    for field in [
        "commit_sha",
        "platform",
        "repository",
        "branch",
        "test_type",
    ] {
        assert_eq!(first[field], original[field], "{field}");
    }
    assert_eq!(scope_of(&s, id).await, json!([failed, missing]));

    // A rerun of the rerun, once it finished: its whole scope, attempt 3.
    Fx {
        db: &s.app.state.db,
    }
    .progress(id as i32, "canceled", super::fixtures::at(30))
    .await;
    let (status, second) = rerun(id, json!({"scope": "all"})).await;
    assert_eq!(status, 202, "{second}");
    assert_eq!(
        (second["attempt"].as_i64(), second["rerun_of"].as_i64()),
        (Some(3), Some(id))
    );
    assert_eq!(
        scope_of(&s, second["run_id"].as_i64().unwrap()).await,
        json!([failed, missing])
    );

    let (status, picked) = rerun(
        s.run as i64,
        json!({"scope": "all", "regression_test_ids": [passed]}),
    )
    .await;
    assert_eq!(status, 202, "{picked}");
    assert_eq!(
        scope_of(&s, picked["run_id"].as_i64().unwrap()).await,
        json!([passed])
    );
    // Narrowing the failed ones: only what failed among those named.
    let (status, narrowed) = rerun(
        s.run as i64,
        json!({"scope": "failed", "regression_test_ids": [passed, missing]}),
    )
    .await;
    assert_eq!(status, 202, "{narrowed}");
    assert_eq!(
        scope_of(&s, narrowed["run_id"].as_i64().unwrap()).await,
        json!([missing])
    );
}

#[tokio::test]
async fn a_rerun_is_refused_as_post_runs_would_be_and_for_what_cannot_run() {
    let s = setup().await;
    let fx = Fx {
        db: &s.app.state.db,
    };
    let path = format!("/runs/{}/rerun", s.run);
    // A plain user without a fork of their own may not run the main repository.
    let (_, user) = s
        .app
        .user_with_token("user", &["runs:read", "runs:write"])
        .await;
    let (status, e) = post(&s.app, &path, &user, json!({"scope": "failed"})).await;
    assert_eq!(
        (status, e["code"].as_str()),
        (403, Some("forbidden")),
        "{e}"
    );

    let inactive = {
        use crate::data::entity::regression_test;
        use sea_orm::{ActiveModelTrait, EntityTrait, Set};
        let mut m: regression_test::ActiveModel = regression_test::Entity::find_by_id(s.tests[0])
            .one(&s.app.state.db)
            .await
            .unwrap()
            .unwrap()
            .into();
        m.active = Set(Some(false));
        m.update(&s.app.state.db).await.unwrap();
        s.tests[0]
    };
    let cases = [
        (
            json!({"scope": "all", "regression_test_ids": [inactive]}),
            422,
            "unprocessable",
        ),
        // Not one of the run's tests.
        (
            json!({"scope": "all", "regression_test_ids": [999_999]}),
            422,
            "unprocessable",
        ),
        // Named, but it passed: nothing failed among those named.
        (
            json!({"scope": "failed", "regression_test_ids": [inactive]}),
            422,
            "unprocessable",
        ),
        (json!({"scope": "sideways"}), 400, "validation_error"),
        (
            json!({"scope": "all", "regression_test_ids": []}),
            400,
            "validation_error",
        ),
    ];
    for (body, want, code) in cases {
        let (status, e) = post(&s.app, &path, &s.staff, body.clone()).await;
        assert_eq!(
            (status, e["code"].as_str()),
            (want, Some(code)),
            "{body}: {e}"
        );
    }

    // Nothing failed: nothing to rerun.
    let green = fx.run("linux", &[s.tests[1]]).await;
    fx.result(green, s.tests[1], 0, 0).await;
    fx.file(green, s.tests[1], s.outputs[1], None).await;
    fx.complete(green, 40).await;
    let (status, e) = post(
        &s.app,
        &format!("/runs/{green}/rerun"),
        &s.staff,
        json!({"scope": "failed"}),
    )
    .await;
    assert_eq!(
        (status, e["code"].as_str()),
        (422, Some("unprocessable")),
        "{e}"
    );
    // A run still going is not rerun.
    let going = fx.run("linux", &[s.tests[1]]).await;
    fx.progress(going, "testing", super::fixtures::at(50)).await;
    let (status, e) = post(
        &s.app,
        &format!("/runs/{going}/rerun"),
        &s.staff,
        json!({"scope": "all"}),
    )
    .await;
    assert_eq!((status, e["code"].as_str()), (409, Some("conflict")), "{e}");
    let (status, _) = post(
        &s.app,
        "/runs/999999/rerun",
        &s.staff,
        json!({"scope": "all"}),
    )
    .await;
    assert_eq!(status, 404);
}
