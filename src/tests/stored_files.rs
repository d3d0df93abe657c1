//! Logs, artifacts and download descriptors, with real files in the test's storage root.
use super::common::get;
use super::fixtures::hash;
use super::world::World;
use crate::data::entity::sample_extra;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};

fn messages(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["message"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn run_logs_page_by_cursor_with_filters() {
    let w = World::new().await;
    let r = w.run_fail;
    let path = format!("/runs/{r}/logs");
    let (s, b) = get(&w.app, &path, &w.admin).await;
    assert_eq!((s, b["code"].as_str()), (404, Some("log_not_found")));

    let log: String = (0..250)
        .map(|i| match i % 50 {
            7 => format!("line {i}: Build FAILED in cmake\r\n"),
            _ => format!("line {i}: all good\n"),
        })
        .collect();
    w.put(&format!("LogFiles/{r}.txt"), log.as_bytes());
    let first = w.get(&path).await;
    assert_eq!(
        first["data"].as_array().unwrap().len(),
        100,
        "default limit"
    );
    assert_eq!(
        first["pagination"],
        json!({"limit": 100, "next_cursor": 100})
    );
    assert_eq!(first["data"][0]["message"], "line 0: all good");
    assert_eq!(first["data"][0]["level"], "info");
    assert_eq!(first["data"][0]["run_id"], r);
    let last = w.get(&format!("{path}?cursor=200&limit=100")).await;
    assert_eq!(last["data"].as_array().unwrap().len(), 50);
    assert_eq!(last["pagination"]["next_cursor"], Value::Null);
    assert_eq!(last["data"][0]["message"], "line 200: all good");

    let errors = w.get(&format!("{path}?level=error")).await;
    assert_eq!(
        messages(&errors),
        (0..5)
            .map(|k| format!("line {}: Build FAILED in cmake", k * 50 + 7))
            .collect::<Vec<_>>()
    );
    assert_eq!(errors["data"][0]["source"], "build");
    let some = w
        .get(&format!("{path}?contains=LINE%2012%3A&limit=5"))
        .await;
    assert_eq!(messages(&some), vec!["line 12: all good"]);
    let built = w
        .get(&format!("{path}?source=build&cursor=100&limit=1"))
        .await;
    assert_eq!(messages(&built), vec!["line 107: Build FAILED in cmake"]);
    assert_eq!(built["pagination"]["next_cursor"], 108);
    let past = w.get(&format!("{path}?cursor=5000")).await;
    assert_eq!(past["data"], json!([]));
}

#[tokio::test]
async fn sample_logs_are_never_recorded() {
    let w = World::new().await;
    let (s, b) = get(
        &w.app,
        &format!("/runs/{}/samples/{}/logs", w.run_fail, w.sample_a),
        &w.admin,
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (404, Some("log_not_found")));
    let (s, b) = get(&w.app, "/runs/999999/samples/1/logs", &w.admin).await;
    assert_eq!((s, b["code"].as_str()), (404, Some("not_found")));
}

#[tokio::test]
async fn artifacts_list_machine_files_then_outputs_with_their_storage_state() {
    let w = World::new().await;
    let r = w.run_fail;
    w.put(
        &format!("test_artifacts/{r}/ccextractor"),
        b"\x7fELF binary",
    );
    w.put(&format!("LogFiles/{r}.txt"), b"log\n");
    w.put("TestResults/zz.srt", b"actual");
    let page = w.get(&format!("/runs/{r}/artifacts")).await;
    let rows: Vec<(String, String, Value, Value)> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["artifact_id"].as_str().unwrap().to_string(),
                a["storage_status"].as_str().unwrap().to_string(),
                a["size_bytes"].clone(),
                json!(a["download_url"].is_string()),
            )
        })
        .collect();
    let (t1, t2, t3) = (w.t1, w.t2, w.t3);
    let (o1, o2, o30) = (w.o1, w.o2, w.o3[0]);
    // Stored files have a link (the local store signs its own); missing ones none, nor the
    // build log, which is read through the logs endpoint.
    let missing = |id: String| (id, "missing".to_string(), Value::Null, json!(false));
    assert_eq!(
        rows,
        vec![
            (format!("binary_{r}"), "ok".into(), json!(11), json!(true)),
            missing(format!("coredump_{r}")),
            missing(format!("stdout_{r}")),
            (format!("buildlog_{r}"), "ok".into(), json!(4), json!(false)),
            missing(format!("expected_{r}_{t1}_{o1}")),
            missing(format!("expected_{r}_{t2}_{o2}")),
            (
                format!("actual_{r}_{t2}_{o2}"),
                "ok".into(),
                json!(6),
                json!(true)
            ),
            missing(format!("expected_{r}_{t3}_{o30}")),
        ]
    );
    let url = page["data"][0]["download_url"].as_str().unwrap();
    let link = &url[url.find("/api/v1/files/").unwrap()..];
    let got = w.app.client.get(link).send().await;
    assert_eq!(
        got.0.into_body().into_vec().await.unwrap(),
        b"\x7fELF binary"
    );
    assert_eq!(page["data"][6]["type"], "actual_output");
    assert_eq!(page["data"][6]["sample_id"], w.sample_a);
    assert_eq!(page["data"][6]["filename"], "zz.srt");
    let only = w
        .get(&format!("/runs/{r}/artifacts?type=sample_output"))
        .await;
    assert_eq!(only["pagination"]["total"], 1);
    let paged = w
        .get(&format!("/runs/{r}/artifacts?limit=2&offset=6"))
        .await;
    assert_eq!(paged["data"].as_array().unwrap().len(), 2);
    assert_eq!(paged["pagination"]["total"], 8);
    // A Windows run's binary has the Windows name.
    let win = w
        .get(&format!("/runs/{}/artifacts?type=binary", w.run_c1))
        .await;
    assert_eq!(win["data"][0]["filename"], "ccextractorwinfull.exe");
}

#[tokio::test]
async fn download_descriptors_exist_only_for_stored_files() {
    let w = World::new().await;
    let sha = hash("CONV923H");
    let extra = sample_extra::ActiveModel {
        sample_id: Set(Some(w.sample_a)),
        original_name: Set("subs.srt".into()),
        extension: Set("srt".into()),
        ..Default::default()
    }
    .insert(&w.app.state.db)
    .await
    .unwrap()
    .id;
    let baseline = format!("{}.srt", hash(&format!("baseline {} 0", w.t2)));
    let cases = [
        (
            format!("/samples/{}/download", w.sample_a),
            format!("TestFiles/{sha}.ts"),
            format!("{sha}.ts"),
        ),
        (
            format!("/samples/{}/media-info/download", w.sample_a),
            format!("TestFiles/media/{sha}.xml"),
            format!("{sha}.xml"),
        ),
        (
            format!("/samples/{}/extra-files/{extra}/download", w.sample_a),
            format!("TestFiles/extra/{sha}_{extra}.srt"),
            format!("{sha}_{extra}.srt"),
        ),
        (
            format!("/regression-tests/{}/outputs/{}/download", w.t2, w.o2),
            format!("TestResults/{baseline}"),
            baseline.clone(),
        ),
    ];
    for (path, key, filename) in &cases {
        // Not stored: a 404, never a URL to nothing (review MEDIUM on blob.exists).
        let (s, b) = get(&w.app, path, &w.admin).await;
        assert_eq!((s, b["code"].as_str()), (404, Some("not_found")), "{path}");
        w.put(key, b"content");
        let (s, b) = get(&w.app, path, &w.admin).await;
        assert_eq!(s, 200, "{path}: {b}");
        assert_eq!(b["filename"], filename.as_str());
        assert_eq!(b["storage_status"], "ok");
    }
    let (_, b) = get(&w.app, &cases[0].0, &w.admin).await;
    assert_eq!(b["sample_id"], w.sample_a);

    // The variant "vv" of o2.
    let variants = w.get(&format!("/regression-tests/{}", w.t2)).await;
    let variant = variants["outputs"][0]["variants"][0]["id"]
        .as_i64()
        .unwrap();
    let path = format!(
        "/regression-tests/{}/outputs/{}/variants/{variant}/download",
        w.t2, w.o2
    );
    let (s, _) = get(&w.app, &path, &w.admin).await;
    assert_eq!(s, 404);
    w.put("TestResults/vv.srt", b"variant");
    let (s, b) = get(&w.app, &path, &w.admin).await;
    assert_eq!((s, b["filename"].as_str()), (200, Some("vv.srt")), "{b}");

    // Every link is checked: the extra file of another sample, the output of another test.
    for path in [
        format!("/samples/{}/extra-files/{extra}/download", w.sample_b),
        format!("/regression-tests/{}/outputs/{}/download", w.t1, w.o2),
        format!(
            "/regression-tests/{}/outputs/{}/variants/{variant}/download",
            w.t1, w.o1
        ),
    ] {
        let (s, _) = get(&w.app, &path, &w.admin).await;
        assert_eq!(s, 404, "{path}");
    }
}
