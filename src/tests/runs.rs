//! Runs: list filters (every status, exactly), one run, summary, progress, config, samples,
//! and the review findings on verdicts.
use super::common::get;
use super::fixtures::at;
use super::world::{World, ids};
use serde_json::Value;

#[tokio::test]
async fn every_run_status_filters_exactly_with_a_correct_total() {
    let w = World::new().await;
    let cases = [
        ("pass", vec![w.run_pass]),
        ("fail", vec![w.run_fail, w.run_c1]),
        ("running", vec![w.run_running]),
        ("queued", vec![w.run_queued]),
        ("canceled", vec![w.run_canceled]),
        ("error", vec![w.run_error]),
        ("incomplete", vec![w.run_incomplete]),
    ];
    for (status, mut want) in cases {
        let page = w.get(&format!("/runs?status={status}&sort=run_id")).await;
        want.sort();
        let got = ids(&page, "run_id");
        assert_eq!(
            got,
            want.iter().map(|i| *i as i64).collect::<Vec<_>>(),
            "{status}"
        );
        assert_eq!(page["pagination"]["total"], want.len() as i64, "{status}");
        for run in page["data"].as_array().unwrap() {
            assert_eq!(run["status"], status);
        }
        // Alone, the status filter reads only the verdicts; beside a filter on the run, it
        // joins them: both must find the same runs.
        let mut by_platform = vec![];
        for platform in ["linux", "windows"] {
            let q = format!("/runs?status={status}&platform={platform}&sort=run_id");
            by_platform.extend(ids(&w.get(&q).await, "run_id"));
        }
        by_platform.sort();
        assert_eq!(by_platform, got, "{status} by platform");
        let newest_first = w.get(&format!("/runs?status={status}")).await;
        let mut reversed = got.clone();
        reversed.reverse();
        assert_eq!(
            ids(&newest_first, "run_id"),
            reversed,
            "{status} newest first"
        );
    }
    let all = w.get("/runs?limit=100").await;
    assert_eq!(all["pagination"]["total"], 8);
}

#[tokio::test]
async fn review_c1_missing_output_is_not_pass_on_every_endpoint() {
    let w = World::new().await;
    let run = w.get(&format!("/runs/{}", w.run_c1)).await;
    assert_eq!(run["status"], "fail");
    let summary = w.get(&format!("/runs/{}/summary", w.run_c1)).await;
    assert_eq!(summary["missing_output_count"], 1, "{summary}");
    assert_eq!(summary["pass_count"], 0);
    assert_eq!(summary["error_count"], 1);
    let samples = w.get(&format!("/runs/{}/samples", w.run_c1)).await;
    assert_eq!(samples["data"][0]["status"], "missing_output");
    assert_eq!(samples["data"][0]["outputs"][0]["status"], "missing_output");
    let fails = w.get("/runs?status=fail").await;
    assert!(ids(&fails, "run_id").contains(&(w.run_c1 as i64)));
    let passes = w.get("/runs?status=pass").await;
    assert!(!ids(&passes, "run_id").contains(&(w.run_c1 as i64)));
    let history = w
        .get(&format!(
            "/samples/{}/history?status=missing_output",
            w.sample_a
        ))
        .await;
    assert!(
        ids(&history, "run_id").contains(&(w.run_c1 as i64)),
        "{history}"
    );
}

#[tokio::test]
async fn a_run_reads_the_same_everywhere() {
    let w = World::new().await;
    let run = w.get(&format!("/runs/{}", w.run_fail)).await;
    assert_eq!(run["status"], "fail");
    assert_eq!(run["repository"], "CCExtractor/ccextractor");
    assert_eq!(run["branch"], "feature");
    assert_eq!(run["test_type"], "commit");
    assert_eq!(run["pr_number"], Value::Null);
    assert_eq!(run["created_at"], "2026-01-01T00:10:00Z");
    assert_eq!(run["started_at"], "2026-01-01T00:11:00Z");
    assert_eq!(run["completed_at"], "2026-01-01T00:12:00Z");
    let sha = run["commit_sha"].as_str().unwrap();
    assert_eq!(
        run["github_link"],
        format!("https://github.com/CCExtractor/ccextractor/commit/{sha}")
    );

    let samples = w.get(&format!("/runs/{}/samples", w.run_fail)).await;
    let by_rt = |rt: i32| {
        samples["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["regression_test_id"] == rt)
            .cloned()
            .unwrap()
    };
    let s1 = by_rt(w.t1);
    assert_eq!(s1["status"], "fail");
    assert_eq!(
        (s1["exit_code"].as_i64(), s1["expected_rc"].as_i64()),
        (Some(3), Some(0))
    );
    assert_eq!(s1["sample_name"], "CONV923H.ts");
    assert_eq!(s1["categories"], serde_json::json!(["General"]));
    let s2 = by_rt(w.t2);
    assert_eq!(s2["status"], "fail");
    assert_eq!(s2["outputs"][0]["status"], "fail");
    let s3 = by_rt(w.t3);
    assert_eq!(s3["status"], "missing_output");
    let statuses: Vec<&str> = s3["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["pass", "missing_output"]);

    let summary = w.get(&format!("/runs/{}/summary", w.run_fail)).await;
    assert_eq!(summary["status"], "fail");
    assert_eq!(
        (
            summary["total_samples"].as_i64(),
            summary["pass_count"].as_i64(),
            summary["fail_count"].as_i64(),
            summary["missing_output_count"].as_i64(),
            summary["skipped_count"].as_i64(),
            summary["error_count"].as_i64(),
            summary["duration_ms"].as_i64(),
        ),
        (
            Some(3),
            Some(0),
            Some(2),
            Some(1),
            Some(0),
            Some(3),
            Some(3600)
        )
    );

    // The variant-matching output passes, and so does the run.
    let pass = w
        .get(&format!("/runs/{}/samples/{}", w.run_pass, w.t2))
        .await;
    assert_eq!(pass["status"], "pass");
    assert_eq!(pass["outputs"][0]["status"], "pass");
    assert_eq!(
        w.get(&format!("/runs/{}", w.run_pass)).await["status"],
        "pass"
    );
}

#[tokio::test]
async fn review_medium_summary_counts_reconcile_with_the_scope() {
    let w = World::new().await;
    for run in [
        w.run_pass,
        w.run_fail,
        w.run_running,
        w.run_queued,
        w.run_canceled,
        w.run_error,
    ] {
        let s = w.get(&format!("/runs/{run}/summary")).await;
        let sum: i64 = [
            "pass_count",
            "fail_count",
            "missing_output_count",
            "skipped_count",
        ]
        .iter()
        .map(|k| s[*k].as_i64().unwrap())
        .sum();
        assert_eq!(s["total_samples"].as_i64().unwrap(), sum, "run {run}: {s}");
        assert_eq!(s["total_samples"], 3, "run {run}: {s}");
    }
    // A running run: one test judged, two not started (counted as skipped).
    let s = w.get(&format!("/runs/{}/summary", w.run_running)).await;
    assert_eq!(
        (s["pass_count"].as_i64(), s["skipped_count"].as_i64()),
        (Some(1), Some(2))
    );
    let samples = w
        .get(&format!(
            "/runs/{}/samples?status=not_started",
            w.run_running
        ))
        .await;
    assert_eq!(samples["pagination"]["total"], 2);
}

#[tokio::test]
async fn list_filters_sort_and_dates() {
    let w = World::new().await;
    let fork = w
        .fx()
        .fork("https://github.com/alice/ccextractor.git")
        .await;
    let forked = w.fx().run_on(fork, "windows", "master", &[w.t1]).await;
    w.fx().progress(forked, "preparation", at(100)).await;
    let commit = w.get(&format!("/runs/{}", w.run_pass)).await["commit_sha"]
        .as_str()
        .unwrap()
        .to_string();
    let cases = [
        (
            "platform=windows".to_string(),
            vec![forked, w.run_queued, w.run_c1],
        ),
        ("branch=feature".to_string(), vec![w.run_fail]),
        (
            format!("commit_sha={}", commit.to_uppercase()),
            vec![w.run_pass],
        ),
        ("repository=alice/ccextractor".to_string(), vec![forked]),
        ("repository=ALICE/CCEXTRACTOR".to_string(), vec![forked]),
        ("repository=nobody/ccextractor".to_string(), vec![]),
        ("ccx_version=9.99".to_string(), vec![]),
        (
            "created_after=2026-01-01T00:40:00Z&created_before=2026-01-01T01:00:00".to_string(),
            vec![w.run_incomplete, w.run_error, w.run_canceled],
        ),
        (
            "created_after=2026-01-01T01:30:00%2B01:00&created_before=2026-01-01T01:35:00%2B01:00"
                .to_string(),
            vec![w.run_running],
        ),
    ];
    for (query, want) in cases {
        let page = w.get(&format!("/runs?{query}")).await;
        assert_eq!(
            ids(&page, "run_id"),
            want.iter().map(|i| *i as i64).collect::<Vec<_>>(),
            "{query}"
        );
        assert_eq!(page["pagination"]["total"], want.len() as i64, "{query}");
    }
    let asc = ids(&w.get("/runs?sort=created_at&limit=3").await, "run_id");
    assert_eq!(asc, [w.run_pass as i64, w.run_fail as i64, w.run_c1 as i64]);
    let desc = w.get("/runs?limit=2&offset=1").await;
    assert_eq!(
        ids(&desc, "run_id"),
        [w.run_incomplete as i64, w.run_error as i64]
    );
    assert_eq!(desc["pagination"]["next_offset"], 3);

    let (status, body) = get(
        &w.app,
        "/runs?created_after=2026-02-01T00:00:00Z&created_before=2026-01-01T00:00:00Z",
        &w.admin,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("validation_error"))
    );
}

#[tokio::test]
async fn progress_and_config() {
    let w = World::new().await;
    let p = w.get(&format!("/runs/{}/progress", w.run_fail)).await;
    let statuses: Vec<&str> = p["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["preparation", "testing", "completed"]);
    assert_eq!(p["data"][0]["timestamp"], "2026-01-01T00:10:00Z");
    let only = w
        .get(&format!("/runs/{}/progress?status=testing", w.run_fail))
        .await;
    assert_eq!(only["pagination"]["total"], 1);
    let c = w.get(&format!("/runs/{}/config", w.run_c1)).await;
    assert_eq!(c["platform"], "windows");
    assert_eq!(c["branch"], "master");
    assert_eq!(c["regression_test_ids"], serde_json::json!([w.t1]));
}

#[tokio::test]
async fn run_samples_filters() {
    let w = World::new().await;
    let path = |q: &str| format!("/runs/{}/samples?{q}", w.run_fail);
    let cases = [
        ("status=fail", vec![w.t1, w.t2]),
        ("status=missing_output", vec![w.t3]),
        ("status=pass", vec![]),
        ("name=conv", vec![w.t1, w.t2]),
        ("name=STORY", vec![w.t3]),
        ("name=%25", vec![]),
        ("category=dvb", vec![w.t2]),
        ("tag=teletext", vec![w.t1, w.t2]),
        ("tag=teletext&category=general", vec![w.t1]),
        ("limit=1&offset=2", vec![w.t3]),
    ];
    for (q, want) in cases {
        let page = w.get(&path(q)).await;
        let got = ids(&page, "regression_test_id");
        assert_eq!(
            got,
            want.iter().map(|i| *i as i64).collect::<Vec<_>>(),
            "{q}"
        );
    }
    let total = w.get(&path("limit=1")).await;
    assert_eq!(total["pagination"]["total"], 3);
    let (status, body) = get(
        &w.app,
        &format!("/runs/{}/samples/999999", w.run_fail),
        &w.admin,
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
}

#[tokio::test]
async fn missing_runs_are_404_on_every_run_endpoint() {
    let w = World::new().await;
    for path in [
        "/runs/2147483647",
        "/runs/2147483647/summary",
        "/runs/2147483647/progress",
        "/runs/2147483647/config",
        "/runs/2147483647/samples",
        "/runs/2147483647/samples/1",
        "/samples/2147483647",
        "/samples/2147483647/details",
        "/samples/2147483647/history",
        "/regression-tests/2147483647",
    ] {
        let (status, body) = get(&w.app, path, &w.admin).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (404, Some("not_found")),
            "{path}"
        );
    }
}
