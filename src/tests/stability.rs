//! GET /regression-tests/flaky and /regression-tests/{id}/stability over a branch's completed
//! runs, with the verdicts the verdict cache stores.
use super::common::{TestApp, get};
use super::fixtures::Fx;
use crate::data::entity::test;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::Value;

struct Lab {
    app: TestApp,
    admin: String,
    /// stable, flaky, broken, regressed then fixed
    tests: [i32; 4],
    runs: Vec<i32>,
}

/// 12 completed master runs on linux, oldest first; each test's verdict per run from its row
/// of `P`/`F`. Results are written before the run completes, as upstream's workers do.
async fn lab() -> Lab {
    let app = TestApp::new().await;
    let (_, admin) = app.admin().await;
    let fx = Fx { db: &app.state.db };
    let cat = fx.category("General").await;
    let sample = fx.sample("lab").await;
    let plan = [
        "PPPPPPPPPPPP",
        "PFPPFPPFPPFP",
        "PPPPPPFFFFFF",
        "PPPPFFPPPPPP",
    ];
    let mut tests = vec![];
    let mut outputs = vec![];
    for _ in &plan {
        let (rt, o) = fx.regression_test(sample, &[cat], 1).await;
        tests.push(rt);
        outputs.push(o[0]);
    }
    let mut runs = vec![];
    for i in 0..12 {
        let run = fx.run("linux", &tests).await;
        for (t, row) in plan.iter().enumerate() {
            fx.result(run, tests[t], 0, 0).await;
            let got = (row.as_bytes()[i] == b'F').then_some("differs");
            fx.file(run, tests[t], outputs[t], got).await;
        }
        fx.complete(run, i as i64 * 10).await;
        runs.push(run);
    }
    Lab {
        app,
        admin,
        tests: tests.try_into().unwrap(),
        runs,
    }
}

fn rows(page: &Value) -> Vec<(i64, String, i64)> {
    page["data"]
        .as_array()
        .unwrap_or_else(|| panic!("a page: {page}"))
        .iter()
        .map(|e| {
            (
                e["regression_test_id"].as_i64().unwrap(),
                e["state"].as_str().unwrap().to_string(),
                e["flips"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn flaky_tests_come_first_by_weighted_rate_with_their_states() {
    let l = lab().await;
    let [stable, flaky, broken, fixed] = l.tests.map(i64::from);
    let (status, page) = get(&l.app, "/regression-tests/flaky?platform=linux", &l.admin).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        rows(&page),
        vec![
            (flaky, "flaky".into(), 8),
            (fixed, "stable".into(), 2),
            (broken, "broken".into(), 1),
            (stable, "stable".into(), 0),
        ]
    );
    let f = &page["data"][0];
    assert_eq!(
        (f["verdicts"].as_i64(), f["failures"].as_i64()),
        (Some(12), Some(4))
    );
    assert!(
        (f["flip_rate"].as_f64().unwrap() - 8.0 / 11.0).abs() < 1e-9,
        "{f}"
    );
    assert_eq!(f["last_flip_run_id"], l.runs[11]);
    assert_eq!(f["platform"], "linux");
    assert_eq!(page["meta"]["thresholds"]["window"], 50);
    assert_eq!(page["meta"]["branch"], "master");

    // A filter by state, and thresholds of the caller's: with 2 flips a test is flaky.
    let (_, only) = get(&l.app, "/regression-tests/flaky?state=broken", &l.admin).await;
    assert_eq!(rows(&only), vec![(broken, "broken".into(), 1)]);
    let (_, strict) = get(
        &l.app,
        "/regression-tests/flaky?platform=linux&min_flips=2&state=flaky",
        &l.admin,
    )
    .await;
    assert_eq!(
        rows(&strict).iter().map(|r| r.0).collect::<Vec<_>>(),
        vec![flaky, fixed]
    );
    // The last 4 runs only: the regression and its fix are out of the window.
    let (_, recent) = get(
        &l.app,
        "/regression-tests/flaky?platform=linux&window=4",
        &l.admin,
    )
    .await;
    let fixed_row = rows(&recent).into_iter().find(|r| r.0 == fixed).unwrap();
    assert_eq!(fixed_row, (fixed, "stable".into(), 0));
    // Another branch or platform has no runs: nothing listed.
    for q in ["branch=feature", "platform=windows"] {
        let (_, none) = get(&l.app, &format!("/regression-tests/flaky?{q}"), &l.admin).await;
        assert_eq!(none["pagination"]["total"], 0, "{q}");
    }
}

#[tokio::test]
async fn a_rerun_that_disagrees_on_one_commit_is_flaky() {
    let l = lab().await;
    let fx = Fx {
        db: &l.app.state.db,
    };
    let stable = l.tests[0];
    // Two more runs of the stable test's commit: one fails, one passes.
    let mut commit = None;
    for got in [Some("differs"), None] {
        let run = fx.run("linux", &[stable]).await;
        fx.result(run, stable, 0, 0).await;
        let o = crate::data::entity::regression_test_output::Entity::find()
            .all(&l.app.state.db)
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.regression_id == Some(stable))
            .unwrap()
            .id;
        fx.file(run, stable, o, got).await;
        let m = test::Entity::find_by_id(run)
            .one(&l.app.state.db)
            .await
            .unwrap()
            .unwrap();
        let c = commit.get_or_insert_with(|| m.commit.clone()).clone();
        let mut m: test::ActiveModel = m.into();
        m.commit = Set(c);
        m.update(&l.app.state.db).await.unwrap();
        fx.complete(run, 200).await;
    }
    let (_, s) = get(
        &l.app,
        &format!("/regression-tests/{stable}/stability?platform=linux"),
        &l.admin,
    )
    .await;
    let p = &s["platforms"][0];
    assert_eq!(
        (
            p["stability"]["state"].as_str(),
            p["stability"]["flips"].as_i64(),
            p["stability"]["rerun_disagreed"].as_bool()
        ),
        (Some("flaky"), Some(2), Some(true)),
        "{s}"
    );
}

#[tokio::test]
async fn a_tests_stability_shows_its_verdicts_oldest_first() {
    let l = lab().await;
    let broken = l.tests[2];
    let (status, s) = get(
        &l.app,
        &format!("/regression-tests/{broken}/stability"),
        &l.admin,
    )
    .await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["regression_test_id"], broken);
    let platforms = s["platforms"].as_array().unwrap();
    assert_eq!(platforms.len(), 1, "only linux has verdicts");
    let seq: Vec<(i64, String)> = platforms[0]["sequence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["run_id"].as_i64().unwrap(),
                v["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: Vec<(i64, String)> = l
        .runs
        .iter()
        .enumerate()
        .map(|(i, r)| (*r as i64, if i < 6 { "pass" } else { "fail" }.to_string()))
        .collect();
    assert_eq!(seq, want);
    assert_eq!(platforms[0]["stability"]["state"], "broken");
    assert_eq!(platforms[0]["stability"]["last_flip_run_id"], l.runs[6]);

    let (status, e) = get(&l.app, "/regression-tests/999999/stability", &l.admin).await;
    assert_eq!((status, e["code"].as_str()), (404, Some("not_found")));
}
