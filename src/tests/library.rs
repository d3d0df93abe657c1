//! Samples, regression tests, categories, tags, the queue and about; and the authorisation
//! matrix of every run and sample operation.
use super::common::{bearer, get};
use super::fixtures::at;
use super::world::{World, ids};
use serde_json::json;

#[tokio::test]
async fn samples_list_filters_and_details() {
    let w = World::new().await;
    let retired = w.fx().sample("Retired").await;
    let cases = [
        ("", vec![w.sample_a, w.sample_b, retired]),
        ("status=active", vec![w.sample_a, w.sample_b]),
        ("status=inactive", vec![retired]),
        ("name=conv", vec![w.sample_a]),
        ("tag=TELETEXT", vec![w.sample_a]),
        ("extension=ts&limit=1&offset=1", vec![w.sample_b]),
        (
            "sha256=0000000000000000000000000000000000000000000000000000000000000000",
            vec![],
        ),
    ];
    for (q, want) in cases {
        let page = w.get(&format!("/samples?{q}")).await;
        assert_eq!(
            ids(&page, "sample_id"),
            want.iter().map(|i| *i as i64).collect::<Vec<_>>(),
            "{q}"
        );
    }
    let a = w.get(&format!("/samples/{}", w.sample_a)).await;
    assert_eq!(a["tags"], json!(["teletext"]));
    assert_eq!(a["regression_test_count"], 2);
    assert_eq!(a["active"], true);
    assert_eq!(a["filename"], format!("{}.ts", a["sha"].as_str().unwrap()));
    let by_sha = w
        .get(&format!("/samples?sha256={}", a["sha"].as_str().unwrap()))
        .await;
    assert_eq!(ids(&by_sha, "sample_id"), [w.sample_a as i64]);
    let d = w.get(&format!("/samples/{}/details", w.sample_a)).await;
    assert_eq!(d["original_name"], "CONV923H.ts");
    assert_eq!(d["upload"], serde_json::Value::Null);
    assert_eq!(d["extra_files"], json!([]));
}

#[tokio::test]
async fn sample_history_filters_and_signatures() {
    let w = World::new().await;
    let h = w.get(&format!("/samples/{}/history", w.sample_a)).await;
    // Newest run first; one entry per result of the sample's tests (t1 and t2).
    let entries: Vec<(i64, i64, &str)> = h["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["run_id"].as_i64().unwrap(),
                e["regression_test_id"].as_i64().unwrap(),
                e["status"].as_str().unwrap(),
            )
        })
        .collect();
    let (t1, t2) = (w.t1 as i64, w.t2 as i64);
    assert_eq!(
        entries,
        [
            (w.run_running as i64, t1, "pass"),
            (w.run_c1 as i64, t1, "missing_output"),
            (w.run_fail as i64, t1, "fail"),
            (w.run_fail as i64, t2, "fail"),
            (w.run_pass as i64, t1, "pass"),
            (w.run_pass as i64, t2, "pass"),
        ]
    );
    let sig = |i: usize| h["data"][i]["failure_signature"].clone();
    assert_eq!(sig(1), "missing_output");
    assert_eq!(sig(2), "exit_code_mismatch:rc:3");
    assert_eq!(sig(3), format!("diff_mismatch:output:{}", w.o2));
    assert_eq!(sig(4), serde_json::Value::Null);
    assert_eq!(h["data"][2]["tested_at"], "2026-01-01T00:12:00Z");
    let cases = [
        (format!("regression_test_id={}", w.t2), 2),
        ("status=fail".to_string(), 2),
        ("status=not_started".to_string(), 0),
        ("platform=windows".to_string(), 1),
        ("branch=feature".to_string(), 2),
        ("created_after=2026-01-01T00:15:00Z".to_string(), 2),
        (
            "created_before=2026-01-01T00:05:00Z&status=pass".to_string(),
            2,
        ),
    ];
    for (q, total) in cases {
        let page = w.get(&format!("/samples/{}/history?{q}", w.sample_a)).await;
        assert_eq!(page["pagination"]["total"], total, "{q}: {page}");
    }
}

#[tokio::test]
async fn regression_tests_categories_and_tags() {
    let w = World::new().await;
    let all = w.get("/regression-tests").await;
    assert_eq!(
        ids(&all, "regression_test_id"),
        [w.t1 as i64, w.t2 as i64, w.t3 as i64]
    );
    assert_eq!(all["data"][0]["sample_name"], "CONV923H.ts");
    assert_eq!(all["data"][0]["categories"], json!(["General"]));
    assert_eq!(all["data"][0]["input_type"], "file");
    for (q, want) in [
        ("category=general", vec![w.t1, w.t3]),
        ("tag=teletext", vec![w.t1, w.t2]),
        (&*format!("sample_id={}", w.sample_b), vec![w.t3]),
        ("active=false", vec![]),
    ] {
        let page = w.get(&format!("/regression-tests?{q}")).await;
        assert_eq!(
            ids(&page, "regression_test_id"),
            want.iter().map(|i| *i as i64).collect::<Vec<_>>(),
            "{q}"
        );
    }
    let t2 = w.get(&format!("/regression-tests/{}", w.t2)).await;
    assert_eq!(t2["outputs"][0]["id"], w.o2);
    assert_eq!(t2["outputs"][0]["variants"][0]["hash"], "vv");
    assert_eq!(t2["outputs"][0]["correct_extension"], ".srt");

    let cats = w.get("/categories").await;
    let names: Vec<&str> = cats["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["DVB", "General"]);
    assert_eq!(cats["data"][1]["test_count"], 2);
    let tags = w.get("/tags").await;
    assert_eq!(tags["data"][0]["name"], "teletext");
    assert_eq!(tags["pagination"]["total"], 1);
}

#[tokio::test]
async fn queue_counts_and_positions() {
    let w = World::new().await;
    let second = w.fx().run("linux", &[w.t1]).await;
    let q = w.get("/system/queue").await;
    assert_eq!(
        (q["queue_depth"].as_i64(), q["running_count"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(q["meta"]["queue_depth"], 2);
    assert_eq!(
        ids(&q, "run_id"),
        [w.run_running as i64, w.run_queued as i64, second as i64]
    );
    assert!(
        q["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|j| j["position"].is_null())
    );
    // Its first `testing` row, as upstream and `/runs` say (not the `preparation` row at :30).
    assert_eq!(q["data"][0]["started_at"], "2026-01-01T00:31:00Z");
    let queued = w.get("/system/queue?status=queued").await;
    let positions: Vec<i64> = queued["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, [1, 2]);
    let linux = w.get("/system/queue?platform=linux").await;
    assert_eq!(ids(&linux, "run_id"), [w.run_running as i64, second as i64]);
    // The queue moves: the running run completes.
    w.fx().progress(w.run_running, "completed", at(90)).await;
    let q = w.get("/system/queue").await;
    assert_eq!(q["running_count"], 0);
}

#[tokio::test]
async fn about_reports_versions() {
    let w = World::new().await;
    use crate::data::entity::{ccextractor_version, general_data};
    use sea_orm::{ActiveModelTrait, Set};
    for (v, d) in [("0.94", (2021, 12, 15)), ("0.88", (2019, 5, 1))] {
        ccextractor_version::ActiveModel {
            version: Set(Some(v.into())),
            released: Set(chrono::NaiveDate::from_ymd_opt(d.0, d.1, d.2)),
            commit: Set(Some(super::fixtures::hash(v)[..40].to_string())),
            ..Default::default()
        }
        .insert(&w.app.state.db)
        .await
        .unwrap();
    }
    general_data::ActiveModel {
        key: Set(Some("last_commit".into())),
        value: Set("1978060bf7d2edd119736ba3ba88341f3bec3323".into()),
        ..Default::default()
    }
    .insert(&w.app.state.db)
    .await
    .unwrap();
    let a = w.get("/system/about").await;
    assert_eq!(a["ccextractor_version"], "0.94");
    assert_eq!(a["ccextractor_released"], "2021-12-15");
    assert_eq!(
        a["last_tested_commit"],
        "1978060bf7d2edd119736ba3ba88341f3bec3323"
    );
    // And a version filter on runs resolves to its commit.
    let page = w.get("/runs?ccx_version=0.94").await;
    assert_eq!(page["pagination"]["total"], 0);
}

/// Every operation of this issue × {no token, a token lacking the scope, a user lacking the
/// role}: the documented 401/403, and nothing changes.
#[tokio::test]
async fn authorisation_matrix() {
    let w = World::new().await;
    let app = &w.app;
    let (_, no_scope) = app.user_with_token("contributor", &["results:read"]).await;
    let (_, plain) = app
        .user_with_token("user", &["runs:read", "runs:write", "system:read"])
        .await;
    let r = w.run_running;
    let s = w.sample_a;
    let ops: Vec<(&str, String, &str, bool)> = vec![
        // (method, path, scope, needs a staff role)
        ("GET", "/runs".into(), "runs:read", false),
        ("POST", "/runs".into(), "runs:write", false),
        ("GET", format!("/runs/{r}"), "runs:read", false),
        ("GET", format!("/runs/{r}/summary"), "runs:read", false),
        ("GET", format!("/runs/{r}/progress"), "runs:read", false),
        ("GET", format!("/runs/{r}/config"), "runs:read", false),
        ("POST", format!("/runs/{r}/cancel"), "runs:write", true),
        ("POST", format!("/runs/{r}/restart"), "runs:write", true),
        ("GET", format!("/runs/{r}/samples"), "runs:read", false),
        (
            "GET",
            format!("/runs/{r}/samples/{}", w.t1),
            "runs:read",
            false,
        ),
        ("GET", "/samples".into(), "runs:read", false),
        ("GET", format!("/samples/{s}"), "runs:read", false),
        ("GET", format!("/samples/{s}/details"), "runs:read", false),
        ("GET", format!("/samples/{s}/history"), "runs:read", false),
        ("GET", "/regression-tests".into(), "runs:read", false),
        (
            "GET",
            format!("/regression-tests/{}", w.t1),
            "runs:read",
            false,
        ),
        ("GET", "/categories".into(), "runs:read", false),
        ("GET", "/tags".into(), "runs:read", false),
        ("GET", "/system/queue".into(), "system:read", false),
        ("GET", "/system/about".into(), "system:read", false),
    ];
    let body = json!({"repository": "CCExtractor/ccextractor", "commit_sha": "1978060bf7d2edd119736ba3ba88341f3bec3323", "platform": "linux"});
    for (method, path, scope, staff) in &ops {
        for (token, want, code) in [
            (None, 401, "unauthorized"),
            (
                Some("spci_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                401,
                "unauthorized",
            ),
            (Some(no_scope.as_str()), 403, "forbidden"),
        ] {
            let mut req = match *method {
                "GET" => app.client.get(format!("/api/v1{path}")),
                _ => app.client.post(format!("/api/v1{path}")).body_json(&body),
            };
            if let Some(t) = token {
                req = req.header("Authorization", bearer(t));
            }
            let resp = req.send().await;
            let status = resp.0.status().as_u16();
            let b = super::common::json(resp).await;
            assert_eq!(
                (status, b["code"].as_str()),
                (want, Some(code)),
                "{method} {path} {token:?}"
            );
            if want == 403 {
                assert_eq!(b["details"]["missing_scopes"], json!([scope]), "{path}");
            }
        }
        if *staff {
            let (status, b) = super::common::post(app, path, &plain, json!({})).await;
            assert_eq!(
                (status, b["details"]["user_role"].as_str()),
                (403, Some("user")),
                "{path}"
            );
        }
    }
    // Nothing moved: the running run still runs, no run was added.
    assert_eq!(w.get(&format!("/runs/{r}")).await["status"], "running");
    assert_eq!(w.get("/runs").await["pagination"]["total"], 8);
    let (status, _) = get(app, "/runs", &plain).await;
    assert_eq!(status, 200, "plain users read runs");
}
