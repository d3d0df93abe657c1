//! Server-sent events: a run's events and its log, resumed across disconnects, with their
//! limits. The recorder and hub passes the background tasks run are run here by the test, so
//! it knows when each event exists.
use super::common::{TestApp, TestAppBuilder, bearer};
use super::fixtures::{Fx, at};
use crate::data::entity::spci_event;
use crate::domain::events::LogKind;
use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;
use std::time::Duration;

/// One server-sent event as received.
#[derive(Debug, Clone, PartialEq)]
struct Sse {
    id: String,
    event: String,
    data: Value,
}

/// The client side of one open stream.
struct Reader {
    body: BoxStream<'static, Result<Bytes, std::io::Error>>,
    buf: String,
}

impl Reader {
    /// The next event, `None` when the stream ended; fails after 10 s without one.
    async fn next(&mut self) -> Option<Sse> {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let (mut id, mut event, mut data) = (String::new(), String::new(), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if data.is_empty() {
                    continue; // a heartbeat comment
                }
                let data = serde_json::from_str(&data).expect("event data is JSON");
                return Some(Sse { id, event, data });
            }
            let chunk = tokio::time::timeout(Duration::from_secs(10), self.body.next())
                .await
                .expect("an event within 10 s")?;
            self.buf
                .push_str(std::str::from_utf8(&chunk.expect("body chunk")).unwrap());
        }
    }

    async fn take(&mut self, n: usize) -> Vec<Sse> {
        let mut out = vec![];
        for _ in 0..n {
            out.push(self.next().await.expect("the stream is still open"));
        }
        out
    }

    async fn rest(&mut self) -> Vec<Sse> {
        let mut out = vec![];
        while let Some(e) = self.next().await {
            out.push(e);
        }
        out
    }
}

/// GET `path` as an EventSource would; the status, and the stream when it is 200.
async fn open(app: &TestApp, path: &str, token: &str, last: Option<&str>) -> (u16, Option<Reader>) {
    let mut req = app
        .client
        .get(format!("/api/v1{path}"))
        .header("Authorization", bearer(token))
        .header("Accept", "text/event-stream");
    if let Some(l) = last {
        req = req.header("Last-Event-ID", l);
    }
    let resp = req.send().await;
    let status = resp.0.status().as_u16();
    if status != 200 {
        return (status, None);
    }
    let ct = resp.0.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(ct.starts_with("text/event-stream"), "{ct}");
    let body = resp.0.into_body().into_bytes_stream().boxed();
    (
        status,
        Some(Reader {
            body,
            buf: String::new(),
        }),
    )
}

/// What the background tasks do: record changes, hand new entries to the streams.
async fn record(app: &TestApp) {
    let s = &app.state;
    crate::live::recorder::pass(&s.db, &s.verdicts)
        .await
        .unwrap();
    s.live.hub.pass(&s.db).await.unwrap();
}

/// A run of two tests, with the event log begun before it moved.
async fn fresh_run(app: &TestApp) -> (i32, i32, i32) {
    let fx = Fx { db: &app.state.db };
    let cat = fx.category("General").await;
    let sample = fx.sample("S1").await;
    let (t1, _) = fx.regression_test(sample, &[cat], 1).await;
    let (t2, _) = fx.regression_test(sample, &[cat], 1).await;
    let run = fx.run("linux", &[t1, t2]).await;
    record(app).await;
    (run, t1, t2)
}

async fn logged_ids(app: &TestApp, run: i32) -> Vec<String> {
    spci_event::Entity::find()
        .filter(spci_event::Column::RunId.eq(run))
        .filter(spci_event::Column::Kind.is_in(LogKind::streamed_names()))
        .order_by_asc(spci_event::Column::Id)
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id.to_string())
        .collect()
}

#[tokio::test]
async fn a_resume_across_a_forced_disconnect_loses_and_repeats_nothing() {
    let app = TestApp::new().await;
    let (_, token) = app.user_with_token("user", &["runs:read"]).await;
    let (run, t1, t2) = fresh_run(&app).await;
    let fx = Fx { db: &app.state.db };
    let path = format!("/runs/{run}/events");

    fx.progress(run, "preparation", at(0)).await;
    record(&app).await;
    let (status, reader) = open(&app, &path, &token, None).await;
    assert_eq!(status, 200);
    let mut reader = reader.unwrap();
    let first = reader.take(2).await;
    assert_eq!(
        first.iter().map(|e| e.event.as_str()).collect::<Vec<_>>(),
        ["progress", "status"]
    );
    assert_eq!(first[0].data["progress"]["status"], "preparation");
    assert_eq!(first[1].data["status"], "running");
    // The connection drops; the run goes on meanwhile.
    drop(reader);
    fx.progress(run, "testing", at(1)).await;
    fx.result(run, t1, 0, 0).await;
    record(&app).await;
    fx.result(run, t2, 3, 0).await;
    fx.progress(run, "completed", at(2)).await;
    record(&app).await;

    let last = first.last().unwrap().id.clone();
    let (status, reader) = open(&app, &path, &token, Some(&last)).await;
    assert_eq!(status, 200);
    let second = reader.unwrap().rest().await;
    let kinds: Vec<&str> = second.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "progress",
            "sample_result",
            "sample_result",
            "progress",
            "status",
            "completed"
        ],
        "{second:#?}"
    );
    assert_eq!(second[2].data["result"]["exit_code"], 3);
    assert_eq!(second[5].data["status"], "fail");
    let received: Vec<String> = first.iter().chain(&second).map(|e| e.id.clone()).collect();
    assert_eq!(
        received,
        logged_ids(&app, run).await,
        "every event once, in order"
    );
    for e in first.iter().chain(&second) {
        assert_eq!(e.data["id"].to_string(), e.id, "the id is in the data too");
        assert_eq!(e.data["run_id"], run);
    }
    // Ended, and the client has everything: 204 stops an EventSource from reconnecting.
    let done = second.last().unwrap().id.clone();
    assert_eq!(open(&app, &path, &token, Some(&done)).await.0, 204);
    // Resuming from the first disconnect again gives the same events.
    let again = open(&app, &path, &token, Some(&last))
        .await
        .1
        .unwrap()
        .rest()
        .await;
    assert_eq!(again, second);
}

#[tokio::test]
async fn an_open_stream_hears_what_is_recorded_after_it_opened() {
    let app = TestApp::new().await;
    let (_, token) = app.user_with_token("user", &["runs:read"]).await;
    let (run, t1, _) = fresh_run(&app).await;
    let (_, reader) = open(&app, &format!("/runs/{run}/events"), &token, None).await;
    let mut reader = reader.unwrap();
    let listening = tokio::spawn(async move { reader.take(3).await });
    let fx = Fx { db: &app.state.db };
    fx.progress(run, "preparation", at(0)).await;
    fx.progress(run, "testing", at(1)).await;
    fx.result(run, t1, 0, 0).await;
    record(&app).await;
    let got = tokio::time::timeout(Duration::from_secs(10), listening)
        .await
        .expect("delivered")
        .unwrap();
    let kinds: Vec<&str> = got.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(kinds, ["progress", "progress", "sample_result"]);
}

#[tokio::test]
async fn an_idle_hub_reads_nothing_and_its_first_stream_misses_nothing() {
    let app = TestApp::new().await;
    let (run, t1, _) = fresh_run(&app).await;
    let (s, fx) = (&app.state, Fx { db: &app.state.db });
    let hub = &s.live.hub;
    fx.progress(run, "preparation", at(0)).await;
    crate::live::recorder::pass(&s.db, &s.verdicts)
        .await
        .unwrap();
    let before = crate::data::events::newest_id(&s.db).await.unwrap();
    assert!(before > 0, "the progress is in the log");
    assert_eq!(hub.pass(&s.db).await.unwrap(), 0, "nobody listens");

    let mut rx = hub.subscribe(&s.db).await.unwrap();
    fx.progress(run, "testing", at(1)).await;
    fx.result(run, t1, 0, 0).await;
    record(&app).await;
    let mut heard = vec![];
    while let Ok(e) = rx.try_recv() {
        heard.push(e.id);
    }
    let logged: Vec<i64> = spci_event::Entity::find()
        .filter(spci_event::Column::Id.gt(before))
        .order_by_asc(spci_event::Column::Id)
        .all(&s.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert!(!logged.is_empty());
    assert_eq!(
        heard, logged,
        "every entry after the subscription, none from before"
    );
}

#[tokio::test]
async fn a_run_that_ended_before_the_log_began_has_only_its_completed_event() {
    let app = TestApp::new().await;
    let (_, token) = app.user_with_token("user", &["runs:read"]).await;
    let fx = Fx { db: &app.state.db };
    let run = fx.run("linux", &[]).await;
    fx.progress(run, "canceled", at(0)).await;
    record(&app).await;
    let path = format!("/runs/{run}/events");
    let got = open(&app, &path, &token, None)
        .await
        .1
        .unwrap()
        .rest()
        .await;
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].id.as_str(), got[0].event.as_str()),
        ("0", "completed")
    );
    assert_eq!(got[0].data["status"], "canceled");
    assert_eq!(open(&app, &path, &token, Some("0")).await.0, 204);
}

#[tokio::test]
async fn streams_are_limited_per_token_and_given_back_when_closed() {
    let app = TestAppBuilder::new()
        .config(|c| c.streams_per_token = 1)
        .build()
        .await;
    let (_, token) = app.user_with_token("user", &["runs:read"]).await;
    let (_, other) = app.user_with_token("user", &["runs:read"]).await;
    let (run, _, _) = fresh_run(&app).await;
    let path = format!("/runs/{run}/events");
    let (status, held) = open(&app, &path, &token, None).await;
    assert_eq!(status, 200);
    let refused = app
        .client
        .get(format!("/api/v1{path}"))
        .header("Authorization", bearer(&token))
        .send()
        .await;
    assert_eq!(refused.0.status().as_u16(), 429);
    let body = super::common::json(refused).await;
    assert_eq!(body["code"], "too_many_streams");
    assert_eq!(body["details"]["limit"], 1);
    // Another token has its own.
    assert_eq!(open(&app, &path, &other, None).await.0, 200);
    drop(held);
    assert_eq!(open(&app, &path, &token, None).await.0, 200);
}

#[tokio::test]
async fn a_log_is_streamed_when_it_appears_and_resumed_by_line() {
    let app = TestApp::new().await;
    let (_, token) = app.user_with_token("user", &["runs:read"]).await;
    let (run, _, _) = fresh_run(&app).await;
    let fx = Fx { db: &app.state.db };
    fx.progress(run, "testing", at(0)).await;
    record(&app).await;
    let path = format!("/runs/{run}/logs/stream");
    let (status, reader) = open(&app, &path, &token, None).await;
    assert_eq!(status, 200);
    let mut reader = reader.unwrap();
    let listening = tokio::spawn(async move {
        let lines = reader.take(3).await;
        (lines, reader)
    });
    // Upstream's worker uploads the log once, at the end.
    let log = app.storage_dir.path().join(format!("LogFiles/{run}.txt"));
    std::fs::create_dir_all(log.parent().unwrap()).unwrap();
    std::fs::write(&log, "first\nsecond\r\nthird\n").unwrap();
    let (lines, mut reader) = tokio::time::timeout(Duration::from_secs(10), listening)
        .await
        .expect("the log is noticed")
        .unwrap();
    let got: Vec<(String, String)> = lines
        .iter()
        .map(|l| (l.id.clone(), l.data["text"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        got,
        [("1", "first"), ("2", "second"), ("3", "third")].map(|(a, b)| (a.into(), b.into()))
    );
    fx.progress(run, "completed", at(1)).await;
    record(&app).await;
    assert_eq!(reader.rest().await, vec![], "the stream ends with the run");
    assert_eq!(open(&app, &path, &token, Some("3")).await.0, 204);
    let tail = open(&app, &path, &token, Some("1"))
        .await
        .1
        .unwrap()
        .rest()
        .await;
    assert_eq!(
        tail.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
        ["2", "3"]
    );
}

#[tokio::test]
async fn streams_need_the_runs_scope_and_an_existing_run() {
    let app = TestApp::new().await;
    let (_, token) = app.user_with_token("user", &["runs:read"]).await;
    let (_, no_scope) = app.user_with_token("user", &["results:read"]).await;
    let (run, _, _) = fresh_run(&app).await;
    assert_eq!(
        open(&app, &format!("/runs/{run}/events"), &no_scope, None)
            .await
            .0,
        403
    );
    assert_eq!(open(&app, "/runs/999999/events", &token, None).await.0, 404);
    assert_eq!(
        open(&app, "/runs/999999/logs/stream", &token, None).await.0,
        404
    );
    assert_eq!(
        open(&app, &format!("/runs/{run}/events"), &token, Some("x"))
            .await
            .0,
        400,
        "Last-Event-ID is a number"
    );
}
