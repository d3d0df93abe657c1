//! Conditional GETs: a strong ETag and `Vary: Authorization` on JSON 200s, 304 without a body
//! while nothing changed, 200 again after a change, and a 304 never spends the caller's reads.
use super::common::{TestApp, TestAppBuilder, bearer};
use super::fixtures::{Fx, at};
use poem::test::TestResponse;
use sea_orm::EntityTrait;

async fn conditional_get(
    app: &TestApp,
    path: &str,
    token: &str,
    etag: Option<&str>,
) -> TestResponse {
    let mut r = app
        .client
        .get(format!("/api/v1{path}"))
        .header("Authorization", bearer(token));
    if let Some(e) = etag {
        r = r.header("If-None-Match", e);
    }
    r.send().await
}

fn header(r: &TestResponse, name: &str) -> Option<String> {
    r.0.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

async fn a_run(app: &TestApp) -> i32 {
    let fx = Fx { db: &app.state.db };
    let cat = fx.category("General").await;
    let sample = fx.sample("etag").await;
    let (rt, _) = fx.regression_test(sample, &[cat], 1).await;
    let run = fx.run("linux", &[rt]).await;
    fx.progress(run, "preparation", at(0)).await;
    run
}

#[tokio::test]
async fn a_304_while_unchanged_and_a_200_after_a_change() {
    let app = TestApp::new().await;
    let (_, token) = app.user_with_token("user", &["runs:read"]).await;
    let run = a_run(&app).await;
    let path = format!("/runs/{run}");

    let first = conditional_get(&app, &path, &token, None).await;
    assert_eq!(first.0.status().as_u16(), 200);
    let etag = header(&first, "ETag").expect("an ETag on a JSON 200");
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() == 34,
        "{etag}"
    );
    assert_eq!(header(&first, "Vary").as_deref(), Some("Authorization"));

    let again = conditional_get(&app, &path, &token, Some(&etag)).await;
    assert_eq!(again.0.status().as_u16(), 304);
    assert_eq!(header(&again, "ETag"), Some(etag.clone()));
    let body = again.0.into_body().into_string().await.unwrap();
    assert!(body.is_empty(), "a 304 has no body: {body}");
    // Named among others, or weakly: still not modified.
    let listed = format!("\"00000000000000000000000000000000\", W/{etag}");
    let weak = conditional_get(&app, &path, &token, Some(&listed)).await;
    assert_eq!(weak.0.status().as_u16(), 304);

    // The run moves on: the old ETag no longer names it.
    Fx { db: &app.state.db }
        .progress(run, "testing", at(1))
        .await;
    let changed = conditional_get(&app, &path, &token, Some(&etag)).await;
    assert_eq!(changed.0.status().as_u16(), 200);
    let new_etag = header(&changed, "ETag").unwrap();
    assert_ne!(new_etag, etag);
    let json = changed.0.into_body().into_string().await.unwrap();
    assert!(json.contains("\"running\""), "{json}");

    // Lists and errors: a page has one too; a 404 has none.
    let page = conditional_get(&app, "/runs?limit=5", &token, None).await;
    assert!(header(&page, "ETag").is_some());
    let missing = conditional_get(&app, "/runs/999999", &token, None).await;
    assert_eq!(missing.0.status().as_u16(), 404);
    assert!(header(&missing, "ETag").is_none());
}

#[tokio::test]
async fn a_304_leaves_the_read_limit_untouched_and_a_full_answer_spends_it() {
    let app = TestAppBuilder::new()
        .config(|c| {
            c.rate_reads = 5;
            c.rate_conditional = 50;
        })
        .build()
        .await;
    let (_, token) = app.user_with_token("user", &["runs:read"]).await;
    let run = a_run(&app).await;
    let path = format!("/runs/{run}");
    let remaining = |r: &TestResponse| {
        header(r, "X-RateLimit-Remaining")
            .unwrap()
            .parse::<u32>()
            .unwrap()
    };
    let first = conditional_get(&app, &path, &token, None).await;
    let etag = header(&first, "ETag").unwrap();
    assert_eq!(remaining(&first), 4);
    // The IETF draft's pair names the bucket, as the X- headers do not.
    assert_eq!(
        header(&first, "RateLimit-Policy").as_deref(),
        Some("\"reads\";q=5;w=60")
    );
    assert!(
        header(&first, "RateLimit")
            .unwrap()
            .starts_with("\"reads\";r=4;t="),
        "{:?}",
        header(&first, "RateLimit")
    );
    // Twenty polls that changed nothing: more than the read limit, none of it spent.
    for _ in 0..20 {
        let r = conditional_get(&app, &path, &token, Some(&etag)).await;
        assert_eq!(r.0.status().as_u16(), 304);
        assert_eq!(header(&r, "X-RateLimit-Limit").as_deref(), Some("50"));
        assert_eq!(
            header(&r, "RateLimit-Policy").as_deref(),
            Some("\"conditional\";q=50;w=60")
        );
    }
    let read = conditional_get(&app, &path, &token, None).await;
    assert_eq!((read.0.status().as_u16(), remaining(&read)), (200, 3));
    // A made-up ETag is answered in full and charged to the reads as well.
    let stale = conditional_get(&app, &path, &token, Some("\"made-up\"")).await;
    assert_eq!((stale.0.status().as_u16(), remaining(&stale)), (200, 2));
    assert_eq!(header(&stale, "X-RateLimit-Limit").as_deref(), Some("5"));
}

#[tokio::test]
async fn a_download_has_its_files_etag_and_a_304_reads_nothing() {
    let w = super::world::World::new().await;
    let sha = "cd".repeat(32);
    w.put(&format!("TestResults/{sha}.srt"), b"0123456789");
    let key = crate::files::Key::result(&sha, ".srt").unwrap();
    let url = w.app.state.storage.download_url(&key).await.unwrap();
    let link = &url[url.find("/api/v1/files/").unwrap()..];
    let whole = w.app.client.get(link).send().await;
    assert_eq!(whole.0.status().as_u16(), 200);
    let tag = header(&whole, "ETag").unwrap();
    assert_eq!(
        tag,
        format!("\"{sha}\""),
        "the content hash the file is named by"
    );
    let part = w
        .app
        .client
        .get(link)
        .header("Range", "bytes=2-4")
        .send()
        .await;
    assert_eq!(part.0.status().as_u16(), 206);
    assert_eq!(
        header(&part, "ETag"),
        Some(tag.clone()),
        "a range has the file's tag"
    );
    for range in [None, Some("bytes=2-4")] {
        let mut r = w.app.client.get(link).header("If-None-Match", &tag);
        if let Some(range) = range {
            r = r.header("Range", range);
        }
        let r = r.send().await;
        assert_eq!(r.0.status().as_u16(), 304, "{range:?}");
        assert_eq!(header(&r, "ETag"), Some(tag.clone()));
        assert!(r.0.into_body().into_vec().await.unwrap().is_empty());
    }
    let stale = w
        .app
        .client
        .get(link)
        .header("If-None-Match", "\"00\"")
        .send()
        .await;
    assert_eq!(stale.0.status().as_u16(), 200);
    assert_eq!(stale.0.into_body().into_vec().await.unwrap(), b"0123456789");
}

#[tokio::test]
async fn the_rate_limit_report_shows_what_is_left_and_costs_no_read() {
    let app = TestAppBuilder::new()
        .config(|c| {
            c.rate_reads = 50;
            c.rate_writes = 7;
            c.rate_conditional = 40;
        })
        .build()
        .await;
    let (_, token) = app.user_with_token("user", &["runs:read"]).await;
    for _ in 0..3 {
        conditional_get(&app, "/runs", &token, None).await;
    }
    let first = rate_report(&app, &token).await;
    let bucket = |v: &serde_json::Value, name: &str| {
        v["buckets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["name"] == name)
            .cloned()
            .unwrap()
    };
    assert!(first["key"].as_str().unwrap().starts_with("token:"));
    let read = bucket(&first, "read");
    assert_eq!(
        (read["limit"].as_i64(), read["remaining"].as_i64()),
        (Some(50), Some(47))
    );
    assert!(read["reset"].as_i64().unwrap() > 0);
    assert_eq!(bucket(&first, "write")["remaining"], 7, "unused: full");
    assert_eq!(bucket(&first, "conditional")["remaining"], 39);
    // Asking again spends a conditional request, not a read.
    let second = rate_report(&app, &token).await;
    assert_eq!(bucket(&second, "read")["remaining"].as_i64(), Some(47));
    assert_eq!(bucket(&second, "conditional")["remaining"], 38);
}

async fn rate_report(app: &TestApp, token: &str) -> serde_json::Value {
    let r = app
        .client
        .get("/api/v1/rate-limit")
        .header("Authorization", bearer(token))
        .send()
        .await;
    assert_eq!(r.0.status().as_u16(), 200);
    assert_eq!(
        header(&r, "RateLimit-Policy").unwrap(),
        "\"conditional\";q=40;w=60"
    );
    super::common::json(r).await
}

/// A poll of a run that changed nothing is answered from its version alone (one statement), the
/// handler never runs; an unconditional read of it comes from memory.
#[tokio::test]
async fn a_polled_run_is_answered_304_from_its_version_before_the_handler() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let counter = Arc::new(AtomicUsize::new(0));
    let app = TestAppBuilder::new()
        .count_statements(counter.clone())
        .build()
        .await;
    let (_, token) = app
        .user_with_token("user", &["runs:read", "system:read"])
        .await;
    let run = a_run(&app).await;
    for path in [
        format!("/runs/{run}"),
        format!("/runs/{run}/progress?limit=5"),
        format!("/runs/{run}/summary"),
        "/system/queue".to_string(),
    ] {
        // The token's verification is not the answer's: counted apart and left out of each
        // count below (each forgets verified tokens first, so each pays it).
        let verification = app.verification_statements(&counter, &token).await;
        let forget = || app.state.verified_tokens.forget_all();
        let before = counter.load(Ordering::SeqCst);
        let first = conditional_get(&app, &path, &token, None).await;
        let full = counter.load(Ordering::SeqCst) - before - verification;
        assert_eq!(first.0.status().as_u16(), 200, "{path}");
        let mut tag = header(&first, "ETag").unwrap();
        // A first read may judge what it reads (the queue's runs): its tag is the version read
        // before, so the next poll is answered in full once, with the settled version.
        let settle = conditional_get(&app, &path, &token, Some(&tag)).await;
        if settle.0.status().as_u16() == 200 {
            tag = header(&settle, "ETag").unwrap();
        }
        forget();
        let before = counter.load(Ordering::SeqCst);
        let again = conditional_get(&app, &path, &token, Some(&tag)).await;
        let spent = counter.load(Ordering::SeqCst) - before - verification;
        assert_eq!(again.0.status().as_u16(), 304, "{path}");
        assert!(
            spent <= 1 && spent < full,
            "{path}: {spent} statements for a 304, {full} for a 200"
        );
        // Unconditional, unchanged: the same body from memory, the handler not run.
        let first_type = header(&first, "Content-Type");
        let first_body = first.0.into_body().into_vec().await.unwrap();
        let first_body = if path.contains("queue") {
            // The settled answer, as it is cached now.
            let r = conditional_get(&app, &path, &token, None).await;
            r.0.into_body().into_vec().await.unwrap()
        } else {
            first_body
        };
        forget();
        let before = counter.load(Ordering::SeqCst);
        let cached = conditional_get(&app, &path, &token, None).await;
        let spent = counter.load(Ordering::SeqCst) - before - verification;
        assert!(spent <= 1, "{path}: {spent} statements, {full} for a 200");
        assert_eq!(header(&cached, "ETag"), Some(tag.clone()));
        assert_eq!(header(&cached, "Content-Type"), first_type);
        assert_eq!(
            cached.0.into_body().into_vec().await.unwrap(),
            first_body,
            "{path}"
        );
        // Answered by version only once every parameter is valid.
        let long = "a".repeat(5000);
        let invalid = conditional_get(&app, &path, &token, Some(&long)).await;
        assert_eq!(invalid.0.status().as_u16(), 400, "{path}");
        if path.contains("progress") {
            let bad = format!("/runs/{run}/progress?limit=0");
            assert_eq!(
                conditional_get(&app, &bad, &token, Some(&tag))
                    .await
                    .0
                    .status()
                    .as_u16(),
                400
            );
        }
        // The same version with another query string is another representation.
        if path.contains("progress") {
            let other = conditional_get(
                &app,
                &format!("/runs/{run}/progress?limit=6"),
                &token,
                Some(&tag),
            )
            .await;
            assert_eq!(other.0.status().as_u16(), 200);
        }
    }
    // A new result changes the run's version.
    let tag = header(
        &conditional_get(&app, &format!("/runs/{run}/summary"), &token, None).await,
        "ETag",
    )
    .unwrap();
    let fx = Fx { db: &app.state.db };
    let rt = crate::data::entity::customized_test::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .regression_id
        .unwrap();
    fx.result(run, rt, 0, 0).await;
    let after = conditional_get(&app, &format!("/runs/{run}/summary"), &token, Some(&tag)).await;
    assert_eq!(after.0.status().as_u16(), 200);
}
