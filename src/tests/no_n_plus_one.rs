//! Review H6 (no N+1) and the MEDIUM item on the 1000-row status-filter cap: list endpoints
//! run a fixed number of statements whatever the page size, and status filters are exact far
//! past any cap.
use super::common::{TestApp, TestAppBuilder, get};
use super::fixtures::{Fx, at, hash};
use crate::data::entity::{test, test_progress, test_result, test_result_file};
use sea_orm::{EntityTrait, Set};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Statements one GET runs (after a warm-up request, so one-off cache fills don't count).
async fn statements(app: &TestApp, counter: &AtomicUsize, token: &str, path: &str) -> usize {
    let (status, body) = get(app, path, token).await;
    assert_eq!(status, 200, "{path}: {body}");
    // The token's verification is not the page's: counted apart and left out.
    let verification = app.verification_statements(counter, token).await;
    let before = counter.load(Ordering::SeqCst);
    let (status, body) = get(app, path, token).await;
    assert_eq!(status, 200, "{path}: {body}");
    counter.load(Ordering::SeqCst) - before - verification
}

#[tokio::test]
async fn review_h6_list_endpoints_run_a_fixed_number_of_statements() {
    let counter = Arc::new(AtomicUsize::new(0));
    let app = TestAppBuilder::new()
        .count_statements(counter.clone())
        .build()
        .await;
    let (_, admin) = app.admin().await;
    let fx = Fx { db: &app.state.db };
    let cat = fx.category("General").await;
    let sample = fx.sample("CONV923H").await;
    let mut rts = vec![];
    for _ in 0..50 {
        rts.push(fx.regression_test(sample, &[cat], 1).await);
    }
    let wide = fx
        .run("linux", &rts.iter().map(|r| r.0).collect::<Vec<_>>())
        .await;
    let narrow = fx
        .run("linux", &rts[..5].iter().map(|r| r.0).collect::<Vec<_>>())
        .await;
    for run in [wide, narrow] {
        fx.complete(run, 0).await;
    }
    for (rt, outputs) in &rts {
        fx.result(wide, *rt, 0, 0).await;
        fx.file(wide, *rt, outputs[0], Some("different")).await;
    }
    for (rt, outputs) in &rts[..5] {
        fx.result(narrow, *rt, 1, 0).await;
        fx.file(narrow, *rt, outputs[0], None).await;
    }
    // 60 more runs of the first test, for the runs list and the sample's history.
    for i in 0..60 {
        let run = fx
            .run(if i % 2 == 0 { "linux" } else { "windows" }, &[rts[0].0])
            .await;
        fx.complete(run, 10 + i).await;
        fx.result(run, rts[0].0, 0, 0).await;
        fx.file(run, rts[0].0, rts[0].1[0], None).await;
    }

    let pairs = [
        ("/runs?limit=5", "/runs?limit=50"),
        ("/runs?status=pass&limit=5", "/runs?status=pass&limit=50"),
        (
            &*format!("/runs/{narrow}/samples?limit=50"),
            &*format!("/runs/{wide}/samples?limit=50"),
        ),
        (
            &*format!("/samples/{sample}/history?limit=5"),
            &*format!("/samples/{sample}/history?limit=50"),
        ),
        (
            &*format!("/samples/{sample}/history?status=pass&limit=5"),
            &*format!("/samples/{sample}/history?status=pass&limit=50"),
        ),
        ("/regression-tests?limit=5", "/regression-tests?limit=50"),
        ("/samples?limit=1", "/samples?limit=50"),
        ("/system/queue?limit=5", "/system/queue?limit=50"),
        (
            "/regression-tests/flaky?limit=5",
            "/regression-tests/flaky?limit=50",
        ),
        (
            "/regression-tests/flaky?window=2&limit=5",
            "/regression-tests/flaky?window=500&limit=50",
        ),
        (
            &*format!("/runs/{narrow}/comparison?base={wide}&limit=5"),
            &*format!("/runs/{wide}/comparison?base={narrow}&limit=50"),
        ),
        (
            &*format!("/runs/{narrow}/comparison?base=master&limit=5"),
            &*format!("/runs/{wide}/comparison?base=master&limit=50"),
        ),
    ];
    for (small, large) in pairs {
        let s = statements(&app, &counter, &admin, small).await;
        let l = statements(&app, &counter, &admin, large).await;
        assert_eq!(s, l, "{small} ran {s} statements, {large} ran {l}");
        // 18: the run bodies of a history page say whether each platform is in maintenance
        // and which runs are reruns (one statement each, whatever the page size).
        assert!(l <= 18, "{large} ran {l} statements");
    }
    // The pages really were of different sizes.
    let (_, page) = get(&app, &format!("/runs/{wide}/samples?limit=50"), &admin).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 50);
    let (_, page) = get(&app, &format!("/samples/{sample}/history?limit=50"), &admin).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 50);
}

#[tokio::test]
async fn review_medium_status_filters_are_exact_past_a_thousand_rows() {
    let app = TestApp::new().await;
    let (_, admin) = app.admin().await;
    let fx = Fx { db: &app.state.db };
    let cat = fx.category("General").await;
    let sample = fx.sample("Storyville").await;
    let (rt, outputs) = fx.regression_test(sample, &[cat], 1).await;
    let main = fx.main_fork().await;
    const N: i32 = 1100;
    let first = 1000;
    let runs: Vec<test::ActiveModel> = (first..first + N)
        .map(|id| test::ActiveModel {
            id: Set(id),
            platform: Set("linux".into()),
            test_type: Set("commit".into()),
            token: Set(Some(format!("t{id}"))),
            fork_id: Set(Some(main)),
            branch: Set("master".into()),
            commit: Set(hash(&id.to_string())[..40].to_string()),
            pr_nr: Set(0),
        })
        .collect();
    for chunk in runs.chunks(200) {
        test::Entity::insert_many(chunk.to_vec())
            .exec(&app.state.db)
            .await
            .unwrap();
    }
    let progress: Vec<test_progress::ActiveModel> = (first..first + N)
        .map(|id| test_progress::ActiveModel {
            test_id: Set(Some(id)),
            status: Set("completed".into()),
            timestamp: Set(at(id as i64)),
            message: Set("Ran all tests".into()),
            ..Default::default()
        })
        .collect();
    for chunk in progress.chunks(200) {
        test_progress::Entity::insert_many(chunk.to_vec())
            .exec(&app.state.db)
            .await
            .unwrap();
    }
    // Every other run fails on its exit code; the rest pass.
    let results: Vec<test_result::ActiveModel> = (first..first + N)
        .map(|id| test_result::ActiveModel {
            test_id: Set(id),
            regression_test_id: Set(rt),
            runtime: Set(Some(100)),
            exit_code: Set(Some(if id % 2 == 0 { 1 } else { 0 })),
            expected_rc: Set(Some(0)),
        })
        .collect();
    for chunk in results.chunks(200) {
        test_result::Entity::insert_many(chunk.to_vec())
            .exec(&app.state.db)
            .await
            .unwrap();
    }
    let files: Vec<test_result_file::ActiveModel> = (first..first + N)
        .map(|id| test_result_file::ActiveModel {
            test_id: Set(id),
            regression_test_id: Set(rt),
            regression_test_output_id: Set(outputs[0]),
            expected: Set(hash("baseline")),
            got: Set(None),
        })
        .collect();
    for chunk in files.chunks(200) {
        test_result_file::Entity::insert_many(chunk.to_vec())
            .exec(&app.state.db)
            .await
            .unwrap();
    }

    let half = (N / 2) as i64;
    for (path, total) in [
        ("/runs?status=fail&limit=100&offset=500".to_string(), half),
        ("/runs?status=pass&limit=1".to_string(), half),
        ("/runs?limit=1".to_string(), N as i64),
        (
            format!("/samples/{sample}/history?status=fail&limit=100&offset=500"),
            half,
        ),
        (
            format!("/samples/{sample}/history?status=pass&limit=1"),
            half,
        ),
        (format!("/samples/{sample}/history?limit=1"), N as i64),
    ] {
        let (status, page) = get(&app, &path, &admin).await;
        assert_eq!(status, 200, "{path}: {page}");
        assert_eq!(page["pagination"]["total"], total, "{path}");
        assert!(page["pagination"].get("truncated").is_none());
    }
    // The deepest page of the filter still holds the oldest failing runs.
    let (_, page) = get(&app, "/runs?status=fail&limit=10&offset=540", &admin).await;
    let ids: Vec<i64> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["run_id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ids,
        (0..10)
            .map(|i| (first + 2 * (9 - i)) as i64)
            .collect::<Vec<_>>()
    );
}
