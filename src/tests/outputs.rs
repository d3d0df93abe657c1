//! Expected and actual outputs, diffs and baseline approval, with real files in the test's
//! storage root.
use super::common::{bearer, get, post};
use super::fixtures::hash;
use super::world::World;
use crate::data::entity::{
    regression_test_output, regression_test_output_files, spci_baseline_approval,
};
use base64::Engine;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

impl World {
    /// The baseline file a run with a file row for `output` was judged against (the fixtures'
    /// snapshot hash in `test_result_file.expected`).
    pub(super) fn expected_key(output: i32) -> String {
        format!("TestResults/{}.srt", hash(&format!("expected {output}")))
    }

    fn output_path(&self, run: i32, sample: i32, rt: i32, output: i32) -> String {
        format!("/runs/{run}/samples/{sample}/regression-tests/{rt}/outputs/{output}")
    }

    /// run_fail's t2 output: reported as "zz" (a diff mismatch).
    fn mismatch(&self) -> String {
        self.output_path(self.run_fail, self.sample_a, self.t2, self.o2)
    }
}

const EXPECTED: &str =
    "1\n00:00:01,000 --> 00:00:02,000\nHello\n\n2\n00:00:03,000 --> 00:00:04,000\nWorld\n";
const ACTUAL: &str =
    "1\n00:00:01,000 --> 00:00:02,000\nHello\n\n2\n00:00:03,000 --> 00:00:04,000\nWorId\n";

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[tokio::test]
async fn the_expected_output_is_served_as_text_or_base64() {
    let w = World::new().await;
    w.put(&World::expected_key(w.o1), EXPECTED.as_bytes());
    let path = w.output_path(w.run_fail, w.sample_a, w.t1, w.o1);
    let (s, b) = get(&w.app, &format!("{path}/expected?format=text"), &w.admin).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["encoding"], "utf-8");
    assert_eq!(b["content"], EXPECTED);
    assert_eq!(b["sha256"], sha(EXPECTED.as_bytes()));
    assert_eq!(b["storage_status"], "ok");
    assert_eq!(b["truncated"], false);
    assert_eq!(b["download_url"], Value::Null);
    assert_eq!(b["run_id"], w.run_fail);
    assert_eq!(
        b["filename"],
        format!("{}.srt", hash(&format!("expected {}", w.o1)))
    );

    let (_, b) = get(&w.app, &format!("{path}/expected"), &w.admin).await;
    assert_eq!(b["encoding"], "base64");
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b["content"].as_str().unwrap())
        .unwrap();
    assert_eq!(raw, EXPECTED.as_bytes());
}

#[tokio::test]
async fn a_large_output_is_cut_at_one_mebibyte_with_the_whole_files_hash() {
    let w = World::new().await;
    let big: Vec<u8> = (0..(1usize << 20) + 5000)
        .map(|i| b"abcdefghij\n"[i % 11])
        .collect();
    w.put(&World::expected_key(w.o1), &big);
    let path = w.output_path(w.run_fail, w.sample_a, w.t1, w.o1);
    let (s, b) = get(&w.app, &format!("{path}/expected?format=text"), &w.admin).await;
    assert_eq!(s, 200);
    assert_eq!(b["truncated"], true);
    assert_eq!(b["content"].as_str().unwrap().len(), 1 << 20);
    assert_eq!(b["sha256"], sha(&big));
    // The whole file is behind the link the local store signs.
    let url = b["download_url"]
        .as_str()
        .expect("a link to the whole file");
    let link = &url[url.find("/api/v1/files/").expect("a file link")..];
    let r = w.app.client.get(link).send().await;
    assert_eq!(r.0.status().as_u16(), 200);
    assert_eq!(r.0.into_body().into_vec().await.unwrap(), big);
}

/// A 200 always carries the file (upstream answers 404 too): before, spci answered 200 with
/// empty content and `sha256: null`.
#[tokio::test]
async fn wire_an_output_file_missing_from_storage_is_404() {
    let w = World::new().await;
    let expected = w.output_path(w.run_fail, w.sample_a, w.t1, w.o1);
    // The mismatching actual file ("zz") is not in storage either.
    let actual = w.mismatch();
    for path in [format!("{expected}/expected"), format!("{actual}/actual")] {
        let (s, b) = get(&w.app, &path, &w.admin).await;
        assert_eq!(s, 404, "{path}: {b}");
        assert_eq!(b["code"], "not_found", "{path}: {b}");
    }
    w.put("TestResults/zz.srt", b"now stored");
    let (s, b) = get(&w.app, &format!("{actual}/actual"), &w.admin).await;
    assert_eq!((s, &b["storage_status"]), (200, &Value::from("ok")), "{b}");
}

#[tokio::test]
async fn the_actual_output_redirects_when_identical_and_is_404_when_never_produced() {
    let w = World::new().await;
    // Identical to the baseline (got NULL): 303 to the expected output, format kept.
    let path = w.output_path(w.run_fail, w.sample_a, w.t1, w.o1);
    let r = w
        .app
        .client
        .get(format!("/api/v1{path}/actual?format=text"))
        .header("Authorization", bearer(&w.admin))
        .send()
        .await;
    assert_eq!(r.0.status().as_u16(), 303);
    assert_eq!(
        r.0.headers()["location"].to_str().unwrap(),
        format!("/api/v1{path}/expected?format=text")
    );
    // C1 run: an expected output with no file row.
    let path = w.output_path(w.run_c1, w.sample_a, w.t1, w.o1);
    let (s, b) = get(&w.app, &format!("{path}/actual"), &w.admin).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (404, Some("missing_output")),
        "{b}"
    );
    // A mismatch: the produced file itself.
    w.put("TestResults/zz.srt", ACTUAL.as_bytes());
    let (s, b) = get(
        &w.app,
        &format!("{}/actual?format=text", w.mismatch()),
        &w.admin,
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["content"], ACTUAL);
    assert_eq!(b["filename"], "zz.srt");
}

#[tokio::test]
async fn every_link_of_the_path_is_checked() {
    let w = World::new().await;
    for path in [
        // t1 belongs to sample A, not B
        w.output_path(w.run_fail, w.sample_b, w.t1, w.o1),
        // o2 belongs to t2, not t1
        w.output_path(w.run_fail, w.sample_a, w.t1, w.o2),
        w.output_path(999_999, w.sample_a, w.t1, w.o1),
        w.output_path(w.run_fail, w.sample_a, 999_999, w.o1),
    ] {
        for tail in ["expected", "actual", "diff"] {
            let (s, b) = get(&w.app, &format!("{path}/{tail}"), &w.admin).await;
            assert_eq!(
                (s, b["code"].as_str()),
                (404, Some("not_found")),
                "{path}/{tail}"
            );
        }
    }
}

/// Review MEDIUM (resolve_artifact): a hash column holding a path is never followed, so the
/// file it names outside `TestResults/` is never read.
#[tokio::test]
async fn review_medium_a_hash_holding_a_path_never_reads_outside_its_folder() {
    let w = World::new().await;
    w.put("LogFiles/secret.srt", b"top secret");
    w.put(&World::expected_key(w.o2), EXPECTED.as_bytes());
    let fx = super::fixtures::Fx {
        db: &w.app.state.db,
    };
    for (n, evil) in [
        "../LogFiles/secret",
        "..%2FLogFiles%2Fsecret",
        "/etc/passwd",
    ]
    .into_iter()
    .enumerate()
    {
        let run = fx.run("linux", &[w.t2]).await;
        fx.complete(run, 100 + n as i64).await;
        fx.result(run, w.t2, 0, 0).await;
        fx.file(run, w.t2, w.o2, Some(evil)).await;
        let path = w.output_path(run, w.sample_a, w.t2, w.o2);
        let (s, b) = get(&w.app, &format!("{path}/actual?format=text"), &w.admin).await;
        // Not a file of its folder, so not in storage: nothing is read.
        assert_eq!(s, 404, "{evil}: {b}");
        assert!(!b.to_string().contains("top secret"), "{evil}: {b}");
        let (_, d) = get(&w.app, &format!("{path}/diff"), &w.admin).await;
        assert_eq!(d["status"], "missing_actual", "{evil}");
    }
}

#[tokio::test]
async fn diffs_are_structured_or_unified() {
    let w = World::new().await;
    w.put(&World::expected_key(w.o2), EXPECTED.as_bytes());
    w.put("TestResults/zz.srt", ACTUAL.as_bytes());
    let (s, b) = get(
        &w.app,
        &format!("{}/diff?context_lines=1", w.mismatch()),
        &w.admin,
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["format"], "structured");
    assert_eq!(b["status"], "different");
    assert_eq!(
        b["summary"],
        json!({"added_lines": 1, "removed_lines": 1, "changed_hunks": 1})
    );
    assert_eq!(
        b["hunks"],
        json!([{
            "expected_start": 6, "actual_start": 6,
            "lines": [
                {"kind": "context", "expected_line": 6, "actual_line": 6, "text": "00:00:03,000 --> 00:00:04,000"},
                {"kind": "removed", "expected_line": 7, "actual_line": null, "text": "World"},
                {"kind": "added", "expected_line": null, "actual_line": 7, "text": "WorId"},
            ]
        }])
    );
    let (_, u) = get(
        &w.app,
        &format!("{}/diff?format=unified", w.mismatch()),
        &w.admin,
    )
    .await;
    assert_eq!(u["format"], "unified");
    let text = u["content"].as_str().unwrap();
    assert!(text.starts_with(&format!(
        "--- {}.srt\n+++ zz.srt\n@@ -4,4 +4,4 @@\n",
        hash(&format!("expected {}", w.o2))
    )));
    assert!(text.contains("\n-World\n+WorId\n"), "{text}");
}

#[tokio::test]
async fn diff_statuses_for_identical_and_missing_files() {
    let w = World::new().await;
    let cases = [
        // got NULL: identical without reading anything
        (
            w.output_path(w.run_fail, w.sample_a, w.t1, w.o1),
            "identical",
        ),
        // no file row at all (C1)
        (
            w.output_path(w.run_c1, w.sample_a, w.t1, w.o1),
            "missing_actual",
        ),
        // the baseline file is not in storage
        (w.mismatch(), "missing_expected"),
    ];
    w.put("TestResults/zz.srt", ACTUAL.as_bytes());
    for (path, status) in cases {
        let (s, b) = get(&w.app, &format!("{path}/diff"), &w.admin).await;
        assert_eq!(
            (s, b["status"].as_str()),
            (200, Some(status)),
            "{path}: {b}"
        );
        assert_eq!(b["hunks"], json!([]));
    }
}

#[tokio::test]
async fn a_diff_of_a_file_over_ten_mebibytes_is_422_before_reading_it() {
    let w = World::new().await;
    w.put(&World::expected_key(w.o2), EXPECTED.as_bytes());
    let path = w.app.storage_dir.path().join("TestResults/zz.srt");
    // Sparse: the size is what is checked, nothing is read.
    std::fs::File::create(&path)
        .unwrap()
        .set_len((10 << 20) + 1)
        .unwrap();
    let (s, b) = get(&w.app, &format!("{}/diff", w.mismatch()), &w.admin).await;
    assert_eq!((s, b["code"].as_str()), (422, Some("unprocessable")), "{b}");
    assert_eq!(b["details"]["limit_bytes"], 10 << 20);
}

async fn approvals(w: &World) -> Vec<spci_baseline_approval::Model> {
    spci_baseline_approval::Entity::find()
        .all(&w.app.state.db)
        .await
        .unwrap()
}

async fn baseline(w: &World, output: i32) -> Option<String> {
    regression_test_output::Entity::find_by_id(output)
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap()
        .correct
}

#[tokio::test]
async fn approving_a_baseline_sets_it_keeps_the_old_hash_on_record_and_can_drop_variants() {
    let w = World::new().await;
    w.put("TestResults/zz.srt", ACTUAL.as_bytes());
    let before = baseline(&w, w.o2).await;
    let path = format!(
        "/runs/{}/samples/{}/baseline-approval",
        w.run_fail, w.sample_a
    );
    let body = json!({"regression_id": w.t2, "output_id": w.o2, "remove_variants": true});
    let (s, b) = post(&w.app, &path, &w.admin, body).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["status"], "approved");
    assert_eq!(b["output_id"], w.o2);
    assert!(b["requested_by"].as_str().unwrap().starts_with("admin"));
    assert_eq!(baseline(&w, w.o2).await.as_deref(), Some("zz"));
    let audit = approvals(&w).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].previous_hash, before);
    assert_eq!(audit[0].new_hash, "zz");
    assert_eq!(audit[0].removed_variants, 1);
    let variants = regression_test_output_files::Entity::find()
        .filter(regression_test_output_files::Column::RegressionTestOutputId.eq(w.o2))
        .count(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(variants, 0);
    // The expected output now reads as the approved file... for runs judged from now on; the
    // run itself keeps the snapshot it was judged against.
    let (_, e) = get(
        &w.app,
        &format!("{}/expected?format=text", w.mismatch()),
        &w.admin,
    )
    .await;
    assert_ne!(e["filename"], "zz.srt");
}

#[tokio::test]
async fn approval_refuses_what_cannot_become_a_baseline() {
    let w = World::new().await;
    let url = |run: i32| format!("/runs/{run}/samples/{}/baseline-approval", w.sample_a);
    let cases = [
        // identical to the baseline: nothing to approve
        (
            url(w.run_fail),
            json!({"regression_id": w.t1, "output_id": w.o1}),
            422,
        ),
        // never produced (C1)
        (
            url(w.run_c1),
            json!({"regression_id": w.t1, "output_id": w.o1}),
            422,
        ),
        // produced, but the file is not in storage
        (
            url(w.run_fail),
            json!({"regression_id": w.t2, "output_id": w.o2}),
            422,
        ),
        // an output of another regression test
        (
            url(w.run_fail),
            json!({"regression_id": w.t1, "output_id": w.o2}),
            404,
        ),
    ];
    for (path, body, want) in cases {
        let (s, b) = post(&w.app, &path, &w.admin, body.clone()).await;
        assert_eq!(s, want, "{body}: {b}");
    }
    assert!(approvals(&w).await.is_empty());
    // Only admins hold baselines:write; a contributor's token cannot even ask for it.
    let (_, contributor) = w
        .app
        .user_with_token("contributor", &["results:read"])
        .await;
    w.put("TestResults/zz.srt", ACTUAL.as_bytes());
    let (s, _) = post(
        &w.app,
        &url(w.run_fail),
        &contributor,
        json!({"regression_id": w.t2, "output_id": w.o2}),
    )
    .await;
    assert_eq!(s, 403);
    assert!(approvals(&w).await.is_empty());
}

#[tokio::test]
async fn ten_concurrent_approvals_of_one_output_take_effect_once() {
    let w = World::new().await;
    w.put("TestResults/zz.srt", ACTUAL.as_bytes());
    let path = format!(
        "/runs/{}/samples/{}/baseline-approval",
        w.run_fail, w.sample_a
    );
    let calls = (0..10).map(|_| {
        post(
            &w.app,
            &path,
            &w.admin,
            json!({"regression_id": w.t2, "output_id": w.o2}),
        )
    });
    let answers = futures_util::future::join_all(calls).await;
    assert!(answers.iter().all(|(s, _)| *s == 200), "{answers:?}");
    assert_eq!(approvals(&w).await.len(), 1);
    assert_eq!(baseline(&w, w.o2).await.as_deref(), Some("zz"));
}

#[tokio::test]
async fn output_operations_need_a_token_and_the_results_scope() {
    let w = World::new().await;
    let (_, runs_only) = w.app.user_with_token("user", &["runs:read"]).await;
    let path = w.output_path(w.run_fail, w.sample_a, w.t1, w.o1);
    for tail in ["expected", "actual", "diff"] {
        let (s, _) = get(&w.app, &format!("{path}/{tail}"), "spci_nope").await;
        assert_eq!(s, 401);
        let (s, b) = get(&w.app, &format!("{path}/{tail}"), &runs_only).await;
        assert_eq!(s, 403);
        assert_eq!(b["details"]["missing_scopes"], json!(["results:read"]));
    }
}
