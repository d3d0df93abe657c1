//! The queue of uploaded samples and the sample writes, with real files in the test's
//! storage root: who sees what, where files go, and that rows and files stay together.
use super::common::{TestApp, call, get, post};
use super::fixtures::Fx;
use serde_json::json;

fn exists(app: &TestApp, rel: &str) -> bool {
    app.storage_dir.path().join(rel).exists()
}

#[tokio::test]
async fn queued_uploads_are_their_uploaders_and_admins_only() {
    let app = TestApp::new().await;
    let (_, admin) = app.admin().await;
    let (alice, alice_t) = app
        .user_with_token("user", &["runs:read", "runs:write"])
        .await;
    let (_, bob_t) = app
        .user_with_token("user", &["runs:read", "runs:write"])
        .await;
    let fx = Fx { db: &app.state.db };
    let root = app.storage_dir.path();
    let (id, sha) = fx.queued(root, alice, "clip.ts", b"alice's clip").await;

    let (_, mine) = get(&app, "/queued-samples", &alice_t).await;
    assert_eq!(mine["pagination"]["total"], 1, "{mine}");
    assert_eq!(
        mine["data"][0],
        json!({"id": id, "sha": sha, "extension": ".ts", "original_name": "clip.ts", "user_id": alice})
    );
    let (_, theirs) = get(&app, "/queued-samples", &bob_t).await;
    assert_eq!(theirs["pagination"]["total"], 0);
    let (_, all) = get(&app, "/queued-samples", &admin).await;
    assert_eq!(all["pagination"]["total"], 1);

    let path = format!("/queued-samples/{id}");
    let cases = [
        ("GET", &path, &alice_t, 200),
        ("GET", &path, &admin, 200),
        ("GET", &path, &bob_t, 404),
        ("DELETE", &path, &bob_t, 404),
    ];
    for (method, p, token, want) in cases {
        let (s, e) = call(&app, method, p, token, None).await;
        assert_eq!(s, want, "{method} {p}: {e}");
    }
    for (suffix, body) in [
        ("finalize", json!({"version": "0.94", "platform": "linux"})),
        ("link", json!({"sample_id": 1})),
    ] {
        let (s, _) = post(&app, &format!("{path}/{suffix}"), &bob_t, body).await;
        assert_eq!(s, 404, "another user's upload cannot be {suffix}ed");
    }
    assert!(exists(&app, &format!("QueuedFiles/{sha}.ts")));
    let (s, gone) = call(&app, "DELETE", &path, &alice_t, None).await;
    assert_eq!((s, gone), (200, json!({"id": id, "deleted": true})));
    assert!(
        !exists(&app, &format!("QueuedFiles/{sha}.ts")),
        "its file went too"
    );
    assert_eq!(get(&app, &path, &alice_t).await.0, 404);
}

#[tokio::test]
async fn finalizing_makes_a_sample_and_moves_its_file() {
    let app = TestApp::new().await;
    let (uid, token) = app
        .user_with_token("user", &["runs:read", "runs:write"])
        .await;
    let fx = Fx { db: &app.state.db };
    let version = fx.version("0.94").await;
    let (id, sha) = fx
        .queued(app.storage_dir.path(), uid, "ship.mpg", b"a ship")
        .await;
    let path = format!("/queued-samples/{id}/finalize");

    let (s, e) = post(
        &app,
        &path,
        &token,
        json!({"version": "9.99", "platform": "linux"}),
    )
    .await;
    assert_eq!((s, e["details"]["unknown"].clone()), (400, json!(["9.99"])));
    let (s, done) = post(
        &app,
        &path,
        &token,
        json!({"version": "0.94", "platform": "windows", "parameters": "-autoprogram", "notes": "from a ship"}),
    )
    .await;
    assert_eq!(s, 201, "{done}");
    assert_eq!(
        (&done["sha"], &done["original_name"]),
        (&json!(sha), &json!("ship.mpg"))
    );
    let sample_id = done["sample_id"].as_i64().unwrap();
    assert!(exists(&app, &format!("TestFiles/{sha}.mpg")));
    assert!(!exists(&app, &format!("QueuedFiles/{sha}.mpg")));
    assert_eq!(
        get(&app, &format!("/queued-samples/{id}"), &token).await.0,
        404
    );

    let (_, details) = get(&app, &format!("/samples/{sample_id}/details"), &token).await;
    assert_eq!(details["extension"], "mpg", "{details}");
    let upload = &details["upload"];
    assert_eq!(
        (&upload["platform"], &upload["parameters"], &upload["notes"]),
        (
            &json!("windows"),
            &json!("-autoprogram"),
            &json!("from a ship")
        ),
        "{details}"
    );
    let row = crate::data::entity::upload::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.user_id, row.version_id), (Some(uid), Some(version)));
    use sea_orm::EntityTrait;

    // The same file again: already a sample, nothing new stored.
    let (again, _) = fx
        .queued(app.storage_dir.path(), uid, "ship2.mpg", b"a ship")
        .await;
    let (s, e) = post(
        &app,
        &format!("/queued-samples/{again}/finalize"),
        &token,
        json!({"version": "0.94", "platform": "linux"}),
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (409, Some("conflict")), "{e}");
    assert_eq!(
        get(&app, &format!("/queued-samples/{again}"), &token)
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn a_queued_file_missing_from_storage_is_a_409_and_the_row_stays() {
    let app = TestApp::new().await;
    let (uid, token) = app
        .user_with_token("user", &["runs:read", "runs:write"])
        .await;
    let fx = Fx { db: &app.state.db };
    fx.version("0.94").await;
    let (id, sha) = fx
        .queued(app.storage_dir.path(), uid, "lost.ts", b"lost")
        .await;
    std::fs::remove_file(app.storage_dir.path().join(format!("QueuedFiles/{sha}.ts"))).unwrap();
    let (s, e) = post(
        &app,
        &format!("/queued-samples/{id}/finalize"),
        &token,
        json!({"version": "0.94", "platform": "linux"}),
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (409, Some("conflict")), "{e}");
    let (_, samples) = get(&app, "/samples", &token).await;
    assert_eq!(
        samples["pagination"]["total"], 0,
        "no sample without its file"
    );
    assert_eq!(
        get(&app, &format!("/queued-samples/{id}"), &token).await.0,
        200
    );
}

#[tokio::test]
async fn linking_makes_an_extra_file_and_deleting_it_removes_the_file() {
    let app = TestApp::new().await;
    let (_, admin) = app.admin().await;
    let (uid, token) = app
        .user_with_token("user", &["runs:read", "runs:write"])
        .await;
    let fx = Fx { db: &app.state.db };
    let sample = fx.sample("HOST").await;
    let host_sha = super::fixtures::hash("HOST");
    let (id, _) = fx
        .queued(
            app.storage_dir.path(),
            uid,
            "subs.srt",
            b"1\n00:00 --> 00:01\nhi\n",
        )
        .await;
    let path = format!("/queued-samples/{id}/link");
    let (s, _) = post(&app, &path, &token, json!({"sample_id": 999999})).await;
    assert_eq!(s, 404);
    let (s, linked) = post(&app, &path, &token, json!({"sample_id": sample})).await;
    assert_eq!(s, 201, "{linked}");
    let extra = linked["id"].as_i64().unwrap();
    let name = format!("{host_sha}_{extra}.srt");
    assert_eq!(
        linked,
        json!({"id": extra, "sample_id": sample, "filename": name})
    );
    assert!(exists(&app, &format!("TestFiles/extra/{name}")));
    let (s, d) = get(
        &app,
        &format!("/samples/{sample}/extra-files/{extra}/download"),
        &token,
    )
    .await;
    assert_eq!((s, &d["storage_status"]), (200, &json!("ok")), "{d}");

    let del = format!("/samples/{sample}/extra-files/{extra}");
    let (s, _) = call(&app, "DELETE", &del, &token, None).await;
    assert_eq!(s, 403, "admins only");
    let other = fx.sample("OTHER").await;
    let (s, _) = call(
        &app,
        "DELETE",
        &format!("/samples/{other}/extra-files/{extra}"),
        &admin,
        None,
    )
    .await;
    assert_eq!(s, 404, "another sample's extra file");
    let (s, gone) = call(&app, "DELETE", &del, &admin, None).await;
    assert_eq!((s, gone), (200, json!({"id": extra, "deleted": true})));
    assert!(!exists(&app, &format!("TestFiles/extra/{name}")));
}

#[tokio::test]
async fn sample_tags_and_upload_record_change_by_admins() {
    let app = TestApp::new().await;
    let (_, admin) = app.admin().await;
    let (uid, user) = app
        .user_with_token("user", &["runs:read", "runs:write"])
        .await;
    let fx = Fx { db: &app.state.db };
    fx.version("0.94").await;
    fx.version("0.95").await;
    let bare = fx.sample("BARE").await;
    fx.tag(bare, "DVB").await;
    fx.tag(bare, "Teletext").await;
    let path = format!("/samples/{bare}");
    let (s, _) = call(&app, "PATCH", &path, &user, Some(json!({"tags": []}))).await;
    assert_eq!(s, 403);
    let (s, t) = call(
        &app,
        "PATCH",
        &path,
        &admin,
        Some(json!({"tags": ["teletext", "Teletext"]})),
    )
    .await;
    assert_eq!(
        (s, t),
        (200, json!({"sample_id": bare, "tags": ["Teletext"]}))
    );
    let cases = [
        (json!({}), 400, "validation_error"),
        (json!({"tags": ["Nope"]}), 400, "validation_error"),
        (json!({"notes": "x"}), 409, "conflict"),
    ];
    for (body, want, code) in cases {
        let (s, e) = call(&app, "PATCH", &path, &admin, Some(body.clone())).await;
        assert_eq!((s, e["code"].as_str()), (want, Some(code)), "{body}: {e}");
    }
    let (_, t) = get(&app, &path, &admin).await;
    assert_eq!(
        t["tags"],
        json!(["Teletext"]),
        "a refused change changed nothing"
    );

    let (q, _) = fx
        .queued(app.storage_dir.path(), uid, "up.ts", b"uploaded")
        .await;
    let (_, f) = post(
        &app,
        &format!("/queued-samples/{q}/finalize"),
        &user,
        json!({"version": "0.94", "platform": "linux"}),
    )
    .await;
    let up = f["sample_id"].as_i64().unwrap();
    let (s, e) = call(
        &app,
        "PATCH",
        &format!("/samples/{up}"),
        &admin,
        Some(json!({"notes": "better notes", "version": "0.95", "platform": "mac"})),
    )
    .await;
    assert_eq!(s, 200, "{e}");
    let (_, d) = get(&app, &format!("/samples/{up}/details"), &admin).await;
    assert_eq!(
        (
            &d["upload"]["notes"],
            &d["upload"]["version"],
            &d["upload"]["platform"]
        ),
        (&json!("better notes"), &json!("0.95"), &json!("mac")),
        "{d}"
    );
    let (s, e) = call(
        &app,
        "PATCH",
        &format!("/samples/{up}"),
        &admin,
        Some(json!({"version": "1.0"})),
    )
    .await;
    assert_eq!((s, e["details"]["unknown"].clone()), (400, json!(["1.0"])));
    assert_eq!(
        call(
            &app,
            "PATCH",
            "/samples/999999",
            &admin,
            Some(json!({"tags": []}))
        )
        .await
        .0,
        404
    );
}

#[tokio::test]
async fn a_sample_in_use_cannot_be_deleted_and_one_unused_goes_with_its_files() {
    let app = TestApp::new().await;
    let (_, admin) = app.admin().await;
    let (uid, user) = app
        .user_with_token("user", &["runs:read", "runs:write"])
        .await;
    let fx = Fx { db: &app.state.db };
    fx.version("0.94").await;
    let (q, sha) = fx
        .queued(app.storage_dir.path(), uid, "gone.ts", b"to be deleted")
        .await;
    let (_, f) = post(
        &app,
        &format!("/queued-samples/{q}/finalize"),
        &user,
        json!({"version": "0.94", "platform": "linux"}),
    )
    .await;
    let sample = f["sample_id"].as_i64().unwrap() as i32;
    let (q2, _) = fx
        .queued(app.storage_dir.path(), uid, "extra.srt", b"extra")
        .await;
    let (_, l) = post(
        &app,
        &format!("/queued-samples/{q2}/link"),
        &user,
        json!({"sample_id": sample}),
    )
    .await;
    let extra_file = format!("TestFiles/extra/{}", l["filename"].as_str().unwrap());
    fx.tag(sample, "DVB").await;
    let (rt, _) = fx.regression_test(sample, &[], 1).await;

    let path = format!("/samples/{sample}");
    assert_eq!(call(&app, "DELETE", &path, &user, None).await.0, 403);
    let (s, e) = call(&app, "DELETE", &path, &admin, None).await;
    assert_eq!(
        (s, e["details"]["regression_tests"].as_i64()),
        (409, Some(1)),
        "{e}"
    );
    assert!(exists(&app, &format!("TestFiles/{sha}.ts")));

    let (s, _) = call(
        &app,
        "DELETE",
        &format!("/regression-tests/{rt}"),
        &admin,
        None,
    )
    .await;
    assert_eq!(s, 200);
    let (s, gone) = call(&app, "DELETE", &path, &admin, None).await;
    assert_eq!(
        (s, gone),
        (200, json!({"sample_id": sample, "deleted": true}))
    );
    assert_eq!(get(&app, &path, &admin).await.0, 404);
    assert!(!exists(&app, &format!("TestFiles/{sha}.ts")));
    assert!(!exists(&app, &extra_file));
    assert_eq!(call(&app, "DELETE", &path, &admin, None).await.0, 404);
}

#[tokio::test]
async fn a_failed_file_removal_is_recorded_and_retried() {
    let app = TestApp::new().await;
    let (_, admin) = app.admin().await;
    let fx = Fx { db: &app.state.db };
    let sample = fx.sample("STUCK").await;
    let sha = super::fixtures::hash("STUCK");
    // A directory where the file should be: removing it as a file fails, as a storage outage
    // would.
    let stuck = app.storage_dir.path().join(format!("TestFiles/{sha}.ts"));
    std::fs::create_dir_all(stuck.join("inside")).unwrap();
    let (s, _) = call(&app, "DELETE", &format!("/samples/{sample}"), &admin, None).await;
    assert_eq!(s, 200, "the rows go whatever storage does");
    use crate::data::entity::spci_file_removal;
    use sea_orm::EntityTrait;
    let pending = spci_file_removal::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert_eq!(pending[0].object_key, format!("TestFiles/{sha}.ts"));

    // Not due yet: nothing is tried.
    let n = crate::files::removal::retry_due(&app.state.db, &app.state.storage)
        .await
        .unwrap();
    assert_eq!(n, 0);
    // Due, storage still failing: tried, attempts counted, kept.
    spci_file_removal::Entity::update_many()
        .col_expr(
            spci_file_removal::Column::NextAttemptAt,
            sea_orm::sea_query::Expr::value(crate::data::db_now()),
        )
        .exec(&app.state.db)
        .await
        .unwrap();
    let n = crate::files::removal::retry_due(&app.state.db, &app.state.storage)
        .await
        .unwrap();
    assert_eq!(n, 1);
    let row = spci_file_removal::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.attempts, 2);
    assert!(row.next_attempt_at > crate::data::db_now());
    // Storage recovers: the next due attempt removes it and the record goes.
    std::fs::remove_dir_all(&stuck).unwrap();
    std::fs::write(&stuck, b"the file").unwrap();
    spci_file_removal::Entity::update_many()
        .col_expr(
            spci_file_removal::Column::NextAttemptAt,
            sea_orm::sea_query::Expr::value(crate::data::db_now()),
        )
        .exec(&app.state.db)
        .await
        .unwrap();
    crate::files::removal::retry_due(&app.state.db, &app.state.storage)
        .await
        .unwrap();
    assert!(!stuck.exists());
    assert!(
        spci_file_removal::Entity::find()
            .all(&app.state.db)
            .await
            .unwrap()
            .is_empty()
    );
}
