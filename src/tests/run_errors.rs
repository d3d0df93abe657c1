//! Run errors, the error summary and infrastructure errors, against the World's failing run:
//! t1 exits 3 (expected 0), t2's output differs and matches no variant, t3 misses one of its
//! two outputs.
use super::common::get;
use super::fixtures::at;
use super::world::World;
use crate::data::entity::test_progress;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};

fn pairs(page: &Value, a: &str, b: &str) -> Vec<(String, String)> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e[a].to_string().replace('"', ""),
                e[b].to_string().replace('"', ""),
            )
        })
        .collect()
}

#[tokio::test]
async fn result_errors_are_derived_and_filtered() {
    let w = World::new().await;
    let r = w.run_fail;
    let all = w.get(&format!("/runs/{r}/errors")).await;
    let want: Vec<(String, String)> = vec![
        (format!("err_{r}_{}_rc", w.t1), "exit_code_mismatch".into()),
        (format!("err_{r}_{}_{}", w.t2, w.o2), "diff_mismatch".into()),
        (
            format!("err_{r}_{}_missing_{}", w.t3, w.o3[1]),
            "missing_output".into(),
        ),
    ];
    assert_eq!(pairs(&all, "error_id", "type"), want);
    assert_eq!(all["pagination"]["total"], 3);
    assert_eq!(all["data"][0]["severity"], "error");
    assert_eq!(all["data"][1]["severity"], "warning");
    assert_eq!(all["data"][0]["location"]["sample_name"], "CONV923H.ts");
    assert!(all["data"][0]["occurred_at"].is_string());
    assert!(
        all["data"][0]["message"]
            .as_str()
            .unwrap()
            .contains("exited with 3")
    );
    let cases = [
        ("type=diff_mismatch", 1),
        ("type=test_failure", 3),
        ("severity=error", 2),
        ("severity=critical", 0),
        (&format!("sample_id={}", w.sample_b), 1),
        ("limit=1&offset=2", 1),
    ];
    for (query, n) in cases {
        let page = w.get(&format!("/runs/{r}/errors?{query}")).await;
        assert_eq!(page["data"].as_array().unwrap().len(), n, "{query}");
    }
    // The summary's error_count comes from the same classifier.
    let summary = w.get(&format!("/runs/{r}/summary")).await;
    assert_eq!(summary["error_count"], 3);
    let clean = w.get(&format!("/runs/{}/errors", w.run_pass)).await;
    assert_eq!(clean["pagination"]["total"], 0);
    // C1: the missing output is an error even though the exit code was fine.
    let c1 = w.get(&format!("/runs/{}/errors", w.run_c1)).await;
    assert_eq!(c1["data"][0]["type"], "missing_output");
    let (s, _) = get(&w.app, "/runs/999999/errors", &w.admin).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn the_error_summary_groups_by_every_key() {
    let w = World::new().await;
    let r = w.run_fail;
    let by = |g: &str| format!("/runs/{r}/error-summary?group_by={g}");
    let page = w.get(&by("type")).await;
    let mut got = pairs(&page, "key", "count");
    got.sort();
    assert_eq!(
        got,
        vec![
            ("diff_mismatch".into(), "1".into()),
            ("exit_code_mismatch".into(), "1".into()),
            ("missing_output".into(), "1".into()),
        ]
    );
    let page = w.get(&by("severity")).await;
    assert_eq!(
        pairs(&page, "key", "count"),
        vec![("error".into(), "2".into()), ("warning".into(), "1".into())]
    );
    assert_eq!(page["data"][0]["severity"], "error");
    assert_eq!(page["data"][0]["group_by"], "severity");
    let page = w.get(&by("sample_id")).await;
    assert_eq!(
        pairs(&page, "key", "count"),
        vec![
            (w.sample_a.to_string(), "2".into()),
            (w.sample_b.to_string(), "1".into())
        ]
    );
    assert_eq!(page["data"][0]["sample_ids"], json!([w.sample_a]));
    let page = w.get(&by("regression_id")).await;
    assert_eq!(page["pagination"]["total"], 3);
    // Default grouping is by type; severity filters before grouping.
    let page = w
        .get(&format!("/runs/{r}/error-summary?severity=warning"))
        .await;
    assert_eq!(
        pairs(&page, "key", "count"),
        vec![("diff_mismatch".into(), "1".into())]
    );
}

#[tokio::test]
async fn infrastructure_errors_come_from_cancellations_not_asked_for_through_the_api() {
    let w = World::new().await;
    let db = &w.app.state.db;
    let run = w.fx().run("linux", &[w.t1]).await;
    for (i, message) in [
        "Could not create VM: quota exceeded\ntrace line 1",
        "Canceled by admin via API: wrong commit",
    ]
    .into_iter()
    .enumerate()
    {
        test_progress::ActiveModel {
            test_id: Set(Some(run)),
            status: Set("canceled".into()),
            timestamp: Set(at(90 + i as i64)),
            message: Set(message.into()),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
    let page = w.get(&format!("/runs/{run}/infrastructure-errors")).await;
    assert_eq!(page["pagination"]["total"], 1, "{page}");
    let e = &page["data"][0];
    assert_eq!(e["type"], "vm_provisioning");
    assert_eq!(e["severity"], "critical");
    assert!(
        e["error_id"]
            .as_str()
            .unwrap()
            .starts_with(&format!("infra_{run}_"))
    );
    assert_eq!(e["stack"], Value::Null);
    let with_stack = w
        .get(&format!(
            "/runs/{run}/infrastructure-errors?include_stack=true"
        ))
        .await;
    assert_eq!(
        with_stack["data"][0]["stack"],
        json!(["Could not create VM: quota exceeded", "trace line 1"])
    );
    let filtered = w
        .get(&format!("/runs/{run}/infrastructure-errors?type=build"))
        .await;
    assert_eq!(filtered["pagination"]["total"], 0);
    // include_stack is for admins and contributors only.
    let (_, tester) = w.app.user_with_token("tester", &["system:read"]).await;
    let path = format!("/runs/{run}/infrastructure-errors?include_stack=true");
    let (s, b) = get(&w.app, &path, &tester).await;
    assert_eq!(s, 403, "{b}");
    assert_eq!(b["details"]["user_role"], "tester");
    let (s, _) = get(
        &w.app,
        &format!("/runs/{run}/infrastructure-errors"),
        &tester,
    )
    .await;
    assert_eq!(s, 200);
    let (_, contributor) = w.app.user_with_token("contributor", &["system:read"]).await;
    let (s, _) = get(&w.app, &path, &contributor).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn error_operations_need_their_scopes() {
    let w = World::new().await;
    let (_, runs_only) = w.app.user_with_token("admin", &["runs:read"]).await;
    let r = w.run_fail;
    for (path, scope) in [
        (format!("/runs/{r}/errors"), "results:read"),
        (format!("/runs/{r}/error-summary"), "results:read"),
        (format!("/runs/{r}/infrastructure-errors"), "system:read"),
    ] {
        let (s, _) = get(&w.app, &path, "spci_invalid").await;
        assert_eq!(s, 401, "{path}");
        let (s, b) = get(&w.app, &path, &runs_only).await;
        assert_eq!(s, 403, "{path}");
        assert_eq!(b["details"]["missing_scopes"], json!([scope]));
    }
}
