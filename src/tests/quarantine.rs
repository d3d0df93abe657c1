//! Quarantine: failures of a test quarantined when a run completed do not fail it
//! (`effective_status`), fixed at completion; `status` never changes; periods end by expiry or
//! lift; who may set them; the audit trail.
use super::common::{TestApp, call, get, post};
use super::fixtures::{Fx, at};
use super::world::ids;
use chrono::{Duration, NaiveDateTime, Utc};
use serde_json::{Value, json};

struct Setup {
    app: TestApp,
    staff: String,
    /// The test that fails now and then, and a steady one.
    flaky: i32,
    steady: i32,
    outputs: [i32; 2],
}

async fn setup() -> Setup {
    let app = TestApp::new().await;
    let (_, staff) = app
        .user_with_token("contributor", &["runs:read", "runs:write"])
        .await;
    let fx = Fx { db: &app.state.db };
    let cat = fx.category("General").await;
    let sample = fx.sample("quarantine").await;
    let (flaky, flaky_out) = fx.regression_test(sample, &[cat], 1).await;
    let (steady, steady_out) = fx.regression_test(sample, &[cat], 1).await;
    Setup {
        app,
        staff,
        flaky,
        steady,
        outputs: [flaky_out[0], steady_out[0]],
    }
}

/// `minutes` from now, at whole seconds as upstream's workers write them.
fn from_now(minutes: i64) -> NaiveDateTime {
    crate::data::db_now() + Duration::minutes(minutes)
}

impl Setup {
    /// A run of both tests completed at `completed`, `failing` producing another output.
    async fn run(&self, failing: &[i32], completed: NaiveDateTime) -> i32 {
        let fx = Fx {
            db: &self.app.state.db,
        };
        let run = fx.run("linux", &[self.flaky, self.steady]).await;
        for (rt, output) in [
            (self.flaky, self.outputs[0]),
            (self.steady, self.outputs[1]),
        ] {
            fx.result(run, rt, 0, 0).await;
            let got = failing.contains(&rt).then_some("differs");
            fx.file(run, rt, output, got).await;
        }
        fx.progress(run, "preparation", completed - Duration::minutes(2))
            .await;
        fx.progress(run, "testing", completed - Duration::minutes(1))
            .await;
        fx.progress(run, "completed", completed).await;
        run
    }

    async fn statuses(&self, run: i32) -> (String, String) {
        let (code, body) = get(&self.app, &format!("/runs/{run}"), &self.staff).await;
        assert_eq!(code, 200, "{body}");
        (
            body["status"].as_str().unwrap().to_string(),
            body["effective_status"].as_str().unwrap().to_string(),
        )
    }

    async fn quarantine(&self, rt: i32, body: Value) -> (u16, Value) {
        let path = format!("/regression-tests/{rt}/quarantine");
        post(&self.app, &path, &self.staff, body).await
    }

    async fn lift(&self, rt: i32) -> (u16, Value) {
        let path = format!("/regression-tests/{rt}/quarantine");
        call(&self.app, "DELETE", &path, &self.staff, None).await
    }

    /// (test, quarantined) of the flaky list's entries, by test.
    async fn quarantined_in_flaky_list(&self) -> Vec<(i64, bool)> {
        let (code, page) = get(
            &self.app,
            "/regression-tests/flaky?platform=linux",
            &self.staff,
        )
        .await;
        assert_eq!(code, 200, "{page}");
        let mut out: Vec<(i64, bool)> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["regression_test_id"].as_i64().unwrap(),
                    e["quarantined"].as_bool().unwrap(),
                )
            })
            .collect();
        out.sort_unstable();
        out
    }

    /// Moves a quarantine's start `minutes` into the past.
    async fn backdate(&self, id: i32, minutes: i64) {
        use crate::data::entity::spci_quarantine;
        use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
        let db = &self.app.state.db;
        let q = spci_quarantine::Entity::find_by_id(id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        let from = q.created_at - Duration::minutes(minutes);
        let mut q = q.into_active_model();
        q.created_at = Set(from);
        q.update(db).await.unwrap();
    }

    async fn listed(&self, query: &str) -> Vec<i64> {
        let (code, page) = get(&self.app, &format!("/runs?{query}"), &self.staff).await;
        assert_eq!(code, 200, "{page}");
        let mut runs = ids(&page, "run_id");
        runs.sort_unstable();
        assert_eq!(
            page["pagination"]["total"].as_i64(),
            Some(runs.len() as i64)
        );
        runs
    }
}

fn pass_fail(status: &str, effective: &str) -> (String, String) {
    (status.to_string(), effective.to_string())
}

#[tokio::test]
async fn failures_of_a_test_quarantined_at_completion_do_not_fail_the_run() {
    let s = setup().await;
    let before = s.run(&[s.flaky], at(0)).await;

    let (code, q) = s
        .quarantine(s.flaky, json!({"reason": "flaky timing, see issue 1234"}))
        .await;
    assert_eq!(code, 201, "{q}");
    assert_eq!(q["in_force"], true);
    assert_eq!(q["regression_test_id"].as_i64(), Some(s.flaky as i64));
    assert_eq!(
        (&q["expires_at"], &q["lifted_at"]),
        (&Value::Null, &Value::Null)
    );
    // Set an hour ago, so runs can complete while it is in force and before it is lifted.
    s.backdate(q["id"].as_i64().unwrap() as i32, 60).await;

    let forgiven = s.run(&[s.flaky], from_now(-30)).await;
    let other_failure = s.run(&[s.flaky, s.steady], from_now(-29)).await;
    let passing = s.run(&[], from_now(-28)).await;

    assert_eq!(
        s.statuses(before).await,
        pass_fail("fail", "fail"),
        "completed before"
    );
    assert_eq!(s.statuses(forgiven).await, pass_fail("fail", "pass"));
    assert_eq!(s.statuses(other_failure).await, pass_fail("fail", "fail"));
    assert_eq!(s.statuses(passing).await, pass_fail("pass", "pass"));

    let (_, summary) = get(&s.app, &format!("/runs/{forgiven}/summary"), &s.staff).await;
    assert_eq!(
        (
            summary["status"].as_str(),
            summary["effective_status"].as_str(),
            summary["fail_count"].as_i64(),
            summary["quarantined_failure_count"].as_i64()
        ),
        (Some("fail"), Some("pass"), Some(1), Some(1))
    );
    let (_, summary) = get(&s.app, &format!("/runs/{other_failure}/summary"), &s.staff).await;
    assert_eq!(
        (
            summary["fail_count"].as_i64(),
            summary["quarantined_failure_count"].as_i64()
        ),
        (Some(2), Some(1))
    );

    // The filters: status keeps its meaning, effective_status forgives; alone, together and
    // beside a filter on the runs themselves.
    let ids = |v: &[i32]| v.iter().map(|i| *i as i64).collect::<Vec<_>>();
    assert_eq!(
        s.listed("status=fail").await,
        ids(&[before, forgiven, other_failure])
    );
    assert_eq!(
        s.listed("effective_status=pass").await,
        ids(&[forgiven, passing])
    );
    assert_eq!(
        s.listed("status=fail&effective_status=fail").await,
        ids(&[before, other_failure])
    );
    assert_eq!(
        s.listed("effective_status=pass&platform=linux").await,
        ids(&[forgiven, passing])
    );
    let (_, page) = get(&s.app, "/runs?effective_status=pass", &s.staff).await;
    assert_eq!(page["data"][0]["effective_status"], "pass");
    assert_eq!(page["data"][0]["status"], "pass");

    // The flaky list and the test's stability say which tests are quarantined now.
    assert_eq!(
        s.quarantined_in_flaky_list().await,
        vec![(s.flaky as i64, true), (s.steady as i64, false)]
    );
    let (_, stability) = get(
        &s.app,
        &format!("/regression-tests/{}/stability", s.flaky),
        &s.staff,
    )
    .await;
    assert_eq!(
        stability["platforms"][0]["stability"]["quarantined"], true,
        "{stability}"
    );

    // Lifted: runs completing from now on fail again; the forgiven run stays forgiven.
    let (code, lifted) = s.lift(s.flaky).await;
    assert_eq!(code, 200, "{lifted}");
    assert_eq!(lifted["in_force"], false);
    assert!(lifted["lifted_at"].is_string() && lifted["lifted_by"].is_i64());
    assert_eq!(
        s.quarantined_in_flaky_list().await,
        vec![(s.flaky as i64, false), (s.steady as i64, false)]
    );
    let after = s.run(&[s.flaky], from_now(1)).await;
    assert_eq!(s.statuses(after).await, pass_fail("fail", "fail"));
    assert_eq!(s.statuses(forgiven).await, pass_fail("fail", "pass"));
    assert_eq!(
        s.listed("effective_status=pass").await,
        ids(&[forgiven, passing])
    );

    let (_, current) = get(&s.app, "/regression-tests/quarantined", &s.staff).await;
    assert_eq!(current["pagination"]["total"], 0, "{current}");
    let (_, all) = get(
        &s.app,
        &format!(
            "/regression-tests/quarantined?all=true&regression_test_id={}",
            s.flaky
        ),
        &s.staff,
    )
    .await;
    assert_eq!(ids_of(&all), vec![q["id"].as_i64().unwrap()]);
    assert_eq!(all["data"][0]["reason"], "flaky timing, see issue 1234");

    // Both changes are in the audit trail, by whom and on which test.
    let (_, admin) = s.app.admin().await;
    let (_, log) = get(&s.app, "/audit-log?limit=10", &admin).await;
    let actions: Vec<(&str, &str)> = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["target"].as_str().unwrap()))
        .collect();
    let target = s.flaky.to_string();
    assert_eq!(
        actions,
        vec![
            ("quarantine_lifted", target.as_str()),
            ("test_quarantined", target.as_str())
        ]
    );
}

fn ids_of(page: &Value) -> Vec<i64> {
    ids(page, "id")
}

#[tokio::test]
async fn a_quarantine_ends_when_it_expires() {
    let s = setup().await;
    let expires = (Utc::now() + Duration::minutes(30)).to_rfc3339();
    let (code, q) = s
        .quarantine(
            s.flaky,
            json!({"reason": "until the fix lands", "expires_at": expires}),
        )
        .await;
    assert_eq!(code, 201, "{q}");
    assert!(q["expires_at"].is_string());
    let inside = s.run(&[s.flaky], from_now(10)).await;
    let past = s.run(&[s.flaky], from_now(40)).await;
    assert_eq!(s.statuses(inside).await, pass_fail("fail", "pass"));
    assert_eq!(s.statuses(past).await, pass_fail("fail", "fail"));
}

#[tokio::test]
async fn quarantine_refusals() {
    let s = setup().await;
    let path = |rt: i32| format!("/regression-tests/{rt}/quarantine");
    let reason = json!({"reason": "flaky on CI"});

    let past = (Utc::now() - Duration::minutes(1)).to_rfc3339();
    let (code, body) = s
        .quarantine(
            s.flaky,
            json!({"reason": "flaky on CI", "expires_at": past}),
        )
        .await;
    assert_eq!(
        (code, body["code"].as_str()),
        (422, Some("unprocessable")),
        "{body}"
    );

    let (code, _) = s.quarantine(s.flaky, reason.clone()).await;
    assert_eq!(code, 201);
    let (code, body) = s.quarantine(s.flaky, reason.clone()).await;
    assert_eq!(code, 409, "already in force: {body}");
    assert_eq!(
        body["details"]["regression_test_id"].as_i64(),
        Some(s.flaky as i64)
    );

    let (code, _) = s.lift(s.steady).await;
    assert_eq!(code, 404, "nothing to lift");
    let (code, _) = s.quarantine(999_999, reason.clone()).await;
    assert_eq!(code, 404, "no such test");
    let (code, _) = s.lift(s.flaky).await;
    assert_eq!(code, 200);
    let (code, _) = s.lift(s.flaky).await;
    assert_eq!(code, 404, "lifted already");
    // After a lift a new period may start.
    let (code, _) = s.quarantine(s.flaky, reason.clone()).await;
    assert_eq!(code, 201);

    // A plain user, and a contributor's read-only token, may not.
    let (_, user) = s
        .app
        .user_with_token("user", &["runs:read", "runs:write"])
        .await;
    let (code, _) = post(&s.app, &path(s.steady), &user, reason.clone()).await;
    assert_eq!(code, 403);
    let (_, reader) = s.app.user_with_token("contributor", &["runs:read"]).await;
    let (code, _) = call(&s.app, "DELETE", &path(s.flaky), &reader, None).await;
    assert_eq!(code, 403);
    let (code, _) = post(&s.app, &path(s.steady), "", reason).await;
    assert_eq!(code, 401);
    // Readers see what is quarantined.
    let (code, page) = get(&s.app, "/regression-tests/quarantined", &reader).await;
    assert_eq!(code, 200);
    assert_eq!(page["pagination"]["total"], 1, "{page}");
}

/// Two concurrent quarantines of one test: exactly one is set (the test's row is the lock).
#[tokio::test]
async fn concurrent_quarantines_set_one() {
    let s = setup().await;
    let body = json!({"reason": "raced twice"});
    let (a, b) = tokio::join!(
        s.quarantine(s.flaky, body.clone()),
        s.quarantine(s.flaky, body)
    );
    let mut codes = [a.0, b.0];
    codes.sort_unstable();
    assert_eq!(codes, [201, 409], "{a:?} {b:?}");
}
