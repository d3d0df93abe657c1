//! GET /runs/{run_id}/failure-groups with real files in the test's storage root.
use super::common::{TestApp, get};
use super::fixtures::{Fx, hash};
use serde_json::{Value, json};

#[tokio::test]
async fn failures_group_by_cause_largest_first() {
    let app = TestApp::new().await;
    let (_, admin) = app.admin().await;
    let fx = Fx { db: &app.state.db };
    let cat = fx.category("General").await;
    let sample = fx.sample("grouped").await;
    let mut t = vec![];
    let mut o = vec![];
    for _ in 0..8 {
        let (rt, outputs) = fx.regression_test(sample, &[cat], 1).await;
        t.push(rt);
        o.push(outputs[0]);
    }
    let run = fx.run("linux", &t).await;
    let put = |name: String, text: &str| {
        std::fs::write(app.storage_dir.path().join("TestResults").join(name), text).unwrap();
    };
    // Three tests whose output departs from the baseline at the same line, at different
    // line numbers; their produced hashes all differ.
    for (i, lead) in [(0usize, ""), (1, "1\n00:00:01,000\nIntro\n\n"), (2, "")] {
        let got = format!("got{i}");
        fx.result(run, t[i], 0, 0).await;
        fx.file(run, t[i], o[i], Some(&got)).await;
        put(
            format!("{}.srt", hash(&format!("expected {}", o[i]))),
            &format!("{lead}2\n00:00:02,000\nHello\n"),
        );
        put(
            format!("{got}.srt"),
            &format!("{lead}2\n00:00:02,500\nHello\n"),
        );
    }
    for i in [3, 4] {
        fx.result(run, t[i], 139, 0).await;
        fx.file(run, t[i], o[i], None).await;
    }
    fx.result(run, t[5], 0, 0).await;
    // Differs, but its files are not stored: grouped by what it produced.
    fx.result(run, t[6], 0, 0).await;
    fx.file(run, t[6], o[6], Some("unstored")).await;
    fx.result(run, t[7], 0, 0).await;
    fx.file(run, t[7], o[7], None).await;
    fx.complete(run, 0).await;

    let (status, page) = get(&app, &format!("/runs/{run}/failure-groups"), &admin).await;
    assert_eq!(status, 200, "{page}");
    let shape: Vec<(String, Vec<i32>)> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let ids = g["regression_test_ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i.as_i64().unwrap() as i32)
                .collect();
            (g["cause"].as_str().unwrap().to_string(), ids)
        })
        .collect();
    assert_eq!(
        shape,
        vec![
            ("first_difference".to_string(), vec![t[0], t[1], t[2]]),
            ("exit_code".to_string(), vec![t[3], t[4]]),
            ("missing_output".to_string(), vec![t[5]]),
            ("produced_hash".to_string(), vec![t[6]]),
        ]
    );
    let g = &page["data"];
    assert_eq!(
        (
            g[0]["expected_line"].as_str(),
            g[0]["actual_line"].as_str(),
            g[0]["size"].as_i64()
        ),
        (Some("00:00:02,000"), Some("00:00:02,500"), Some(3))
    );
    assert_eq!(
        (g[1]["expected_rc"].as_i64(), g[1]["exit_code"].as_i64()),
        (Some(0), Some(139))
    );
    assert_eq!(g[2]["missing"], json!([".srt"]));
    assert_eq!(
        (g[3]["output_id"].as_i64(), g[3]["got"].as_str()),
        (Some(o[6] as i64), Some("unstored"))
    );
    assert_eq!(g[1]["expected_line"], Value::Null);
    assert_eq!(page["meta"]["failing_tests"], 7);
    let (_, second) = get(
        &app,
        &format!("/runs/{run}/failure-groups?limit=1&offset=1"),
        &admin,
    )
    .await;
    assert_eq!(second["data"][0]["group_key"], "exit_code:0:139");
    assert_eq!(second["pagination"]["total"], 4);
    let (status, _) = get(&app, "/runs/999999/failure-groups", &admin).await;
    assert_eq!(status, 404);
}
