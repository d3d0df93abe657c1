//! GET /runs/{run_id}/comparison against a run, master and the closest ancestor (GitHub played
//! by a local server), with upstream's classes, counts and paging.
use super::common::{TestApp, get};
use super::fixtures::Fx;
use super::github_standin::{GitHubStandIn, History};
use crate::data::entity::test;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{Value, json};

/// Tests named by what they do between the base and the run compared.
struct Story {
    app: TestApp,
    admin: String,
    base: i32,
    run: i32,
    /// pass both, broken, fixed, same failure, other failure, missing output here, new, removed
    tests: [i32; 8],
}

async fn set_run(app: &TestApp, run: i32, commit: &str, branch: &str, pr: Option<i32>) {
    let mut m: test::ActiveModel = test::Entity::find_by_id(run)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .into();
    m.commit = Set(commit.into());
    m.branch = Set(branch.into());
    m.test_type = Set(if pr.is_some() { "pr" } else { "commit" }.into());
    m.pr_nr = Set(pr.unwrap_or(0));
    m.update(&app.state.db).await.unwrap();
}

impl Story {
    async fn new(app: TestApp) -> Self {
        let (_, admin) = app.admin().await;
        let fx = Fx { db: &app.state.db };
        let cat = fx.category("General").await;
        let sample = fx.sample("story").await;
        let mut t = vec![];
        let mut o = vec![];
        for _ in 0..8 {
            let (rt, outputs) = fx.regression_test(sample, &[cat], 1).await;
            t.push(rt);
            o.push(outputs[0]);
        }
        let base = fx
            .run("linux", &[t[0], t[1], t[2], t[3], t[4], t[5], t[7]])
            .await;
        let run = fx
            .run("linux", &[t[0], t[1], t[2], t[3], t[4], t[5], t[6]])
            .await;
        fx.complete(base, 0).await;
        fx.complete(run, 10).await;
        // (test, in the base: exit code and produced hash, here: the same)
        type Reported<'a> = Option<(i32, Option<&'a str>)>;
        let plan: [(usize, Reported, Reported); 8] = [
            (0, Some((0, None)), Some((0, None))),
            (1, Some((0, None)), Some((0, Some("b1")))),
            (2, Some((0, Some("f1"))), Some((0, None))),
            (3, Some((0, Some("s1"))), Some((0, Some("s1")))),
            (4, Some((0, Some("d1"))), Some((0, Some("d2")))),
            // Here the test reports no file: its expected output is missing.
            (5, Some((0, None)), None),
            (6, None, Some((0, None))),
            (7, Some((0, None)), None),
        ];
        for (i, there, here) in plan {
            for (r, what) in [(base, there), (run, here)] {
                if let Some((rc, got)) = what {
                    fx.result(r, t[i], rc, 0).await;
                    fx.file(r, t[i], o[i], got).await;
                }
            }
        }
        fx.result(run, t[5], 0, 0).await;
        Self {
            app,
            admin,
            base,
            run,
            tests: t.try_into().unwrap(),
        }
    }

    async fn compare(&self, query: &str) -> (u16, Value) {
        get(
            &self.app,
            &format!("/runs/{}/comparison{query}", self.run),
            &self.admin,
        )
        .await
    }

    /// (test id, class against each base) of a page.
    fn classes(page: &Value) -> Vec<(i64, Vec<String>)> {
        page["data"]
            .as_array()
            .unwrap_or_else(|| panic!("a page: {page}"))
            .iter()
            .map(|e| {
                let classes = e["against"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v["class"].as_str().unwrap().to_string())
                    .collect();
                (e["regression_test_id"].as_i64().unwrap(), classes)
            })
            .collect()
    }
}

#[tokio::test]
async fn every_class_against_a_run_with_statuses_signatures_and_counts() {
    let s = Story::new(TestApp::new().await).await;
    let (status, page) = s.compare(&format!("?base={}", s.base)).await;
    assert_eq!(status, 200, "{page}");
    let t = s.tests;
    let want: Vec<(i64, Vec<String>)> = [
        (t[0], "unchanged_pass"),
        (t[1], "broken_here"),
        (t[2], "fixed_here"),
        (t[3], "failing_identically"),
        (t[4], "failing_differently"),
        (t[5], "broken_here"),
        (t[6], "no_reference"),
        (t[7], "removed_test"),
    ]
    .iter()
    .map(|(id, c)| (*id as i64, vec![c.to_string()]))
    .collect();
    assert_eq!(Story::classes(&page), want);
    let e = &page["data"];
    assert_eq!(
        (
            e[1]["status"].as_str(),
            e[1]["against"][0]["base_status"].as_str()
        ),
        (Some("fail"), Some("pass"))
    );
    assert_eq!(e[1]["signature"][0]["got"], "b1");
    assert_eq!(e[4]["against"][0]["base_signature"][0]["got"], "d1");
    assert_eq!(e[5]["status"], "missing_output");
    assert_eq!(
        (
            e[6]["against"][0]["base_status"].clone(),
            e[7]["status"].clone()
        ),
        (Value::Null, Value::Null)
    );
    let r = &page["meta"]["references"][0];
    assert_eq!(
        (r["base"].as_str(), r["base_run_id"].as_i64()),
        (Some("run"), Some(s.base as i64))
    );
    assert_eq!(
        r["counts"],
        json!({"broken_here": 2, "fixed_here": 1, "failing_differently": 1, "failing_identically": 1,
               "unchanged_pass": 1, "no_reference": 1, "removed_test": 1})
    );
    assert_eq!(page["meta"]["run_id"], s.run);

    // A class filter and a page of it; the counts stay those of every test.
    let (_, broken) = s
        .compare(&format!(
            "?base={}&comparison_class=broken_here&limit=1",
            s.base
        ))
        .await;
    assert_eq!(
        Story::classes(&broken),
        vec![(t[1] as i64, vec!["broken_here".to_string()])]
    );
    assert_eq!(
        (
            broken["pagination"]["total"].as_i64(),
            broken["pagination"]["next_offset"].as_i64()
        ),
        (Some(2), Some(1))
    );
    assert_eq!(
        broken["meta"]["references"][0]["counts"]["unchanged_pass"],
        1
    );

    for (query, code) in [
        ("?base=999999", "not_found"),
        ("?base=0", "validation_error"),
        ("?base=tip", "validation_error"),
    ] {
        let (status, e) = s.compare(query).await;
        assert_eq!(
            (status == 404 || status == 400, e["code"].as_str()),
            (true, Some(code)),
            "{query}: {e}"
        );
    }
    let (status, _) = get(&s.app, "/runs/999999/comparison", &s.admin).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn master_is_the_latest_completed_master_run_of_the_platform_but_this_one() {
    let s = Story::new(TestApp::new().await).await;
    let fx = Fx {
        db: &s.app.state.db,
    };
    // Neither a windows run, an unfinished run nor a branch run is the master base.
    let windows = fx.run("windows", &[s.tests[0]]).await;
    fx.complete(windows, 30).await;
    let unfinished = fx.run("linux", &[s.tests[0]]).await;
    fx.progress(unfinished, "testing", super::fixtures::at(40))
        .await;
    let branch = fx.run("linux", &[s.tests[0]]).await;
    fx.complete(branch, 50).await;
    set_run(&s.app, branch, &"b".repeat(40), "feature", None).await;
    // Nor a rerun of the base (one test repeated): the run it repeats stands for its commit.
    let rerun = fx.run("linux", &[s.tests[0]]).await;
    fx.complete(rerun, 55).await;
    crate::data::entity::spci_rerun::ActiveModel {
        run_id: Set(rerun),
        rerun_of: Set(s.base),
        attempt: Set(2),
        scope: Set("all".into()),
        requested_by: Set(1),
        created_at: Set(super::fixtures::at(54)),
    }
    .insert(&s.app.state.db)
    .await
    .unwrap();
    // The run itself completed last: it is never its own base.
    let (status, page) = s.compare("?base=master").await;
    assert_eq!(status, 200, "{page}");
    let r = &page["meta"]["references"][0];
    assert_eq!(
        (r["base"].as_str(), r["base_run_id"].as_i64()),
        (Some("master"), Some(s.base as i64)),
        "{r}"
    );
    assert_eq!(r["counts"]["broken_here"], 2);

    // Compared from the base's side, the master base is the other run.
    let (_, page) = get(
        &s.app,
        &format!("/runs/{}/comparison?base=master", s.base),
        &s.admin,
    )
    .await;
    assert_eq!(page["meta"]["references"][0]["base_run_id"], s.run);
    // A platform without another completed master run: no base, every test no_reference.
    let (_, page) = get(
        &s.app,
        &format!("/runs/{windows}/comparison?base=master"),
        &s.admin,
    )
    .await;
    let r = &page["meta"]["references"][0];
    assert_eq!(r["base_run_id"], Value::Null);
    assert!(
        r["unavailable"].as_str().unwrap().contains("windows"),
        "{r}"
    );
    assert_eq!(r["counts"]["no_reference"], 1);
}

#[tokio::test]
async fn the_ancestor_is_found_through_githubs_history_nearest_first() {
    // a0 ← a1 ← a2 ← a3 (the run's commit); runs of a0 and a1, none of a2.
    let history = History {
        pulls: vec![(7, "a1".repeat(20))],
        ..History::line(&[
            &"a0".repeat(20),
            &"a1".repeat(20),
            &"a2".repeat(20),
            &"a3".repeat(20),
        ])
    };
    let github = GitHubStandIn::with_history(&[], history).await;
    let s = Story::new(github.app().await).await;
    let fx = Fx {
        db: &s.app.state.db,
    };
    let older = fx.run("linux", &[s.tests[0]]).await;
    fx.complete(older, 60).await;
    set_run(&s.app, older, &"a0".repeat(20), "master", None).await;
    set_run(&s.app, s.base, &"a1".repeat(20), "master", None).await;
    set_run(&s.app, s.run, &"a3".repeat(20), "feature", None).await;
    let (status, page) = s.compare("?base=ancestor").await;
    assert_eq!(status, 200, "{page}");
    let r = &page["meta"]["references"][0];
    assert_eq!(
        (r["base"].as_str(), r["base_run_id"].as_i64()),
        (Some("ancestor"), Some(s.base as i64)),
        "{r}"
    );
    assert_eq!(r["commit_sha"], "a1".repeat(20));

    // A pull request walks from its base commit: PR 7's base is a1.
    set_run(&s.app, s.run, &"ff".repeat(20), "feature", Some(7)).await;
    let (_, page) = s.compare("?base=ancestor").await;
    assert_eq!(page["meta"]["references"][0]["base_run_id"], s.base);

    // No base: master, then ancestor, each entry against both.
    let (_, page) = s.compare("").await;
    let bases: Vec<&str> = page["meta"]["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["base"].as_str().unwrap())
        .collect();
    assert_eq!(bases, ["master", "ancestor"]);
    assert_eq!(page["data"][1]["against"].as_array().unwrap().len(), 2);

    // A commit GitHub does not know has no ancestry: unavailable, not an error.
    set_run(&s.app, s.run, &"99".repeat(20), "feature", None).await;
    let (status, page) = s.compare("?base=ancestor").await;
    assert_eq!(status, 200);
    assert_eq!(page["meta"]["references"][0]["base_run_id"], Value::Null);
}

#[tokio::test]
async fn an_unreachable_github_leaves_master_and_answers_503_for_the_ancestor_alone() {
    let app = GitHubStandIn::app_at(GitHubStandIn::unreachable().await).await;
    let s = Story::new(app).await;
    let (status, page) = s.compare("").await;
    assert_eq!(status, 200, "{page}");
    let refs = &page["meta"]["references"];
    assert_eq!(refs[0]["base_run_id"], s.base);
    assert_eq!(refs[1]["base_run_id"], Value::Null);
    assert!(
        refs[1]["unavailable"].as_str().unwrap().contains("GitHub"),
        "{refs}"
    );
    // Every test, the one only master ran included: nothing can be said against no run.
    assert_eq!(refs[1]["counts"]["no_reference"], 8);
    let (status, e) = s.compare("?base=ancestor").await;
    assert_eq!(
        (status, e["code"].as_str()),
        (503, Some("service_unavailable")),
        "{e}"
    );
}
