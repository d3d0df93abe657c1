//! The demo's runs, written to tell in five minutes what spci sees that a run-by-run view does
//! not: 26 master commits tested on Linux and Windows over 13 days, three pull requests, a
//! commit that truncates a caption line in three tests (one cause, one failure group) and a
//! later one that fixes it, a test that flips on Linux (and a rerun that passed where its run
//! failed), a Windows test that flips so often it was quarantined half-way, a run lost to the
//! infrastructure, one running and two queued (Windows is in maintenance). Every produced file
//! is stored, so diffs show real lines.
use crate::data::entity::*;
use crate::domain::DomainError;
use crate::files::{Folder, Key};
use crate::state::AppState;
use chrono::{Duration, NaiveDateTime, Utc};
use object_store::ObjectStoreExt;
use object_store::path::Path;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use sha2::{Digest, Sha256};

/// A regression test of the demo library, with its one expected output.
pub struct LibraryTest {
    pub id: i32,
    pub output: i32,
    pub baseline_hash: String,
    pub extension: &'static str,
    pub expected_rc: i32,
}

/// What the demo's runs refer to.
pub struct Library {
    pub tests: Vec<LibraryTest>,
    pub main_fork: i32,
    /// Who quarantined and reran.
    pub contributor: i32,
    /// The commit of the demo's CCExtractor release.
    pub release_commit: String,
}

/// Stores a demo file under its key.
pub async fn put(state: &AppState, key: Option<Key>, bytes: Vec<u8>) -> Result<(), DomainError> {
    let key = key.ok_or_else(|| DomainError::internal("a demo file name is not a plain name"))?;
    state
        .storage
        .store
        .put(&Path::from(key.as_str()), bytes.into())
        .await
        .map_err(DomainError::internal)?;
    Ok(())
}

/// Master commits, twelve hours apart.
const COMMITS: usize = 26;
/// The commit that truncates a caption line, and the one that fixes it.
const REGRESSION: usize = 10;
const FIX: usize = 14;
/// Commits whose Linux run saw the flaky test fail; the last one was rerun and passed.
const LINUX_FLAKES: [usize; 4] = [3, 8, 16, 21];
/// Commits whose Windows run saw the quarantined test fail; it was quarantined after `FIX`.
const WINDOWS_FLAKES: [usize; 10] = [2, 5, 9, 12, 15, 16, 19, 20, 22, 24];
/// The Windows run the infrastructure lost.
const LOST: usize = 17;

/// The library's tests by the part they play.
const TRUNCATED: [usize; 3] = [0, 5, 6];
const FLAKY_LINUX: usize = 1;
const EXIT_CODE: usize = 2;
const QUARANTINED: usize = 3;
const DVB: usize = 4;

fn commit(n: &str) -> String {
    hex::encode(Sha256::digest(format!("demo commit {n}").as_bytes()))[..40].to_string()
}

/// The newest master commit: what upstream's `general_data` names as the last one fetched.
pub fn last_master_commit() -> String {
    commit(&format!("master {}", COMMITS - 1))
}

/// What a test did in one run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Did {
    Pass,
    /// Its output differs from the baseline: the first caption line, which every test's
    /// output shares, cut short.
    Truncated,
    /// Its output's second cue starts a frame late.
    Late,
    /// Its DVB subtitle output lost its first region.
    Regionless,
    /// It crashed (exit code 1).
    Crashed,
    /// It wrote nothing.
    NoOutput,
}

/// The expected file of test `i`, and what it became under each failure.
pub fn baseline(i: usize) -> String {
    format!(
        "1\n00:00:00,000 --> 00:00:02,000\nWelcome to the CCExtractor demo\n\n\
         2\n00:00:02,000 --> 00:00:04,000\nDemo caption {i}: the quick brown fox\n"
    )
}

fn produced(i: usize, did: Did) -> Option<String> {
    let base = baseline(i);
    match did {
        Did::Pass | Did::Crashed => Some(base),
        Did::Truncated => Some(base.replace("CCExtractor demo\n", "CCExtractor de\n")),
        Did::Late => Some(base.replace(
            "00:00:02,000 --> 00:00:04,000",
            "00:00:02,033 --> 00:00:04,000",
        )),
        Did::Regionless => Some(base.replace("Welcome to the CCExtractor demo\n", "")),
        Did::NoOutput => None,
    }
}

struct Run<'a> {
    platform: &'static str,
    branch: &'a str,
    commit: String,
    pr: i32,
    /// When preparation started; None for a queued run.
    start: Option<NaiveDateTime>,
    end: End,
    /// What each test did (by library index); tests not named passed.
    did: Vec<(usize, Did)>,
    /// Only these tests (customized); all when empty.
    scope: Vec<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Completed,
    /// Still testing: results for the first `n` tests so far.
    Testing(usize),
    Lost,
    Queued,
}

pub async fn seed(
    state: &AppState,
    db: &impl ConnectionTrait,
    lib: &Library,
) -> Result<(), DomainError> {
    let base = Utc::now().naive_utc() - Duration::days(13);
    let at = |n: usize| base + Duration::hours(12 * n as i64);
    let mut master = vec![];
    for n in 0..COMMITS {
        let c = if n == 0 {
            // The 0.94 release's commit, so ?ccx_version=0.94 finds runs.
            lib.release_commit.clone()
        } else {
            commit(&format!("master {n}"))
        };
        for platform in ["linux", "windows"] {
            let mut did = vec![];
            if (REGRESSION..FIX).contains(&n) {
                did.extend(TRUNCATED.iter().map(|t| (*t, Did::Truncated)));
            }
            if platform == "linux" && LINUX_FLAKES.contains(&n) {
                did.push((FLAKY_LINUX, Did::Late));
            }
            if platform == "windows" && WINDOWS_FLAKES.contains(&n) {
                did.push((QUARANTINED, Did::Late));
            }
            let end = match (platform, n) {
                ("windows", LOST) => End::Lost,
                ("windows", n) if n == COMMITS - 1 => End::Queued,
                _ => End::Completed,
            };
            let start = Some(at(n) + Duration::minutes(if platform == "linux" { 1 } else { 2 }));
            master.push(Run {
                platform,
                branch: "master",
                commit: c.clone(),
                pr: 0,
                start: start.filter(|_| end != End::Queued),
                end,
                did,
                scope: vec![],
            });
        }
    }
    let mut ids = vec![];
    for run in &master {
        ids.push(write_run(state, db, lib, run).await?);
    }
    let master_run = |n: usize, platform: &str| ids[2 * n + usize::from(platform == "windows")];

    // The flaky test's last failure, rerun: it passed on the same commit.
    let flaked = master_run(LINUX_FLAKES[3], "linux");
    let rerun = write_run(
        state,
        db,
        lib,
        &Run {
            platform: "linux",
            branch: "master",
            commit: master[2 * LINUX_FLAKES[3]].commit.clone(),
            pr: 0,
            start: Some(at(LINUX_FLAKES[3]) + Duration::minutes(40)),
            end: End::Completed,
            did: vec![],
            scope: vec![FLAKY_LINUX],
        },
    )
    .await?;
    spci_rerun::ActiveModel {
        run_id: Set(rerun),
        rerun_of: Set(flaked),
        attempt: Set(2),
        scope: Set("failed".into()),
        requested_by: Set(lib.contributor),
        created_at: Set(at(LINUX_FLAKES[3]) + Duration::minutes(35)),
    }
    .insert(db)
    .await?;

    // The Windows flake, quarantined after the fix landed: later Windows runs that failed only
    // on it are effectively passes.
    spci_quarantine::ActiveModel {
        regression_test_id: Set(lib.tests[QUARANTINED].id),
        reason: Set(
            "Windows decoder starts the second cue a frame late now and then (#1510)".into(),
        ),
        created_by: Set(lib.contributor),
        created_at: Set(at(FIX) + Duration::minutes(30)),
        expires_at: Set(None),
        lifted_at: Set(None),
        lifted_by: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;

    // Pull requests: one fixing the truncation while master still had it, one breaking the DVB
    // test (and crashing another on Linux), one being tested now.
    let prs = [
        (
            101,
            "fix-caption-truncation",
            REGRESSION + 2,
            vec![],
            End::Completed,
        ),
        (
            102,
            "dvb-region-rework",
            19,
            vec![(DVB, Did::Regionless), (EXIT_CODE, Did::Crashed)],
            End::Completed,
        ),
        (
            103,
            "teletext-page-888",
            COMMITS - 1,
            vec![],
            End::Testing(3),
        ),
    ];
    for (pr, branch, n, did, end) in prs {
        for platform in ["linux", "windows"] {
            let mut did = did.clone();
            if platform == "windows" && pr == 102 {
                // On Windows the reworked decoder writes no DVB output at all.
                did = vec![(DVB, Did::NoOutput)];
            }
            let end = if platform == "windows" && end != End::Completed {
                End::Queued
            } else {
                end
            };
            write_run(
                state,
                db,
                lib,
                &Run {
                    platform,
                    branch,
                    commit: commit(&format!("pr {pr}")),
                    pr,
                    start: Some(at(n) + Duration::hours(3)).filter(|_| end != End::Queued),
                    end,
                    did,
                    scope: vec![],
                },
            )
            .await?;
        }
    }
    Ok(())
}

async fn write_run(
    state: &AppState,
    db: &impl ConnectionTrait,
    lib: &Library,
    run: &Run<'_>,
) -> Result<i32, DomainError> {
    let id = test::ActiveModel {
        platform: Set(run.platform.into()),
        test_type: Set(if run.pr > 0 { "pr" } else { "commit" }.into()),
        token: Set(Some(format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        ))),
        fork_id: Set(Some(lib.main_fork)),
        branch: Set(run.branch.into()),
        commit: Set(run.commit.clone()),
        pr_nr: Set(run.pr),
        ..Default::default()
    }
    .insert(db)
    .await?
    .id;
    if !run.scope.is_empty() {
        customized_test::Entity::insert_many(run.scope.iter().map(|t| {
            customized_test::ActiveModel {
                test_id: Set(Some(id)),
                regression_id: Set(Some(lib.tests[*t].id)),
                ..Default::default()
            }
        }))
        .exec_without_returning(db)
        .await?;
    }
    let Some(t0) = run.start else {
        return Ok(id);
    };
    let progress = |status: &str, at: NaiveDateTime, message: &str| test_progress::ActiveModel {
        test_id: Set(Some(id)),
        status: Set(status.into()),
        timestamp: Set(at),
        message: Set(message.into()),
        ..Default::default()
    };
    progress("preparation", t0, "Preparing VM")
        .insert(db)
        .await?;
    if run.end == End::Lost {
        progress(
            "canceled",
            t0 + Duration::minutes(2),
            "Could not create VM: quota exceeded",
        )
        .insert(db)
        .await?;
        return Ok(id);
    }
    progress("testing", t0 + Duration::minutes(3), "Running tests")
        .insert(db)
        .await?;
    let tests: Vec<usize> = if run.scope.is_empty() {
        (0..lib.tests.len()).collect()
    } else {
        run.scope.clone()
    };
    let reported = match run.end {
        End::Testing(n) => n,
        _ => tests.len(),
    };
    let mut results = vec![];
    let mut files = vec![];
    for &t in tests.iter().take(reported) {
        let rt = &lib.tests[t];
        let did = run
            .did
            .iter()
            .find(|(i, _)| *i == t)
            .map_or(Did::Pass, |(_, d)| *d);
        results.push(test_result::ActiveModel {
            test_id: Set(id),
            regression_test_id: Set(rt.id),
            runtime: Set(Some(900 + 137 * t as i32)),
            exit_code: Set(Some(if did == Did::Crashed {
                1
            } else {
                rt.expected_rc
            })),
            expected_rc: Set(Some(rt.expected_rc)),
        });
        let Some(content) = produced(t, did) else {
            continue;
        };
        let h = hex::encode(Sha256::digest(content.as_bytes()));
        let got = (h != rt.baseline_hash).then(|| h.clone());
        if got.is_some() {
            put(state, Key::result(&h, rt.extension), content.into_bytes()).await?;
        }
        files.push(test_result_file::ActiveModel {
            test_id: Set(id),
            regression_test_id: Set(rt.id),
            regression_test_output_id: Set(rt.output),
            expected: Set(rt.baseline_hash.clone()),
            got: Set(got),
        });
    }
    if !results.is_empty() {
        test_result::Entity::insert_many(results)
            .exec_without_returning(db)
            .await?;
    }
    if !files.is_empty() {
        test_result_file::Entity::insert_many(files)
            .exec_without_returning(db)
            .await?;
    }
    if run.end == End::Completed {
        progress("completed", t0 + Duration::minutes(20), "Ran all tests")
            .insert(db)
            .await?;
        put(state, Key::run_log(id), demo_log(id).into_bytes()).await?;
        put(
            state,
            Key::new(Folder::Artifacts(id), "ccextractor"),
            b"\x7fELF demo binary".to_vec(),
        )
        .await?;
    }
    Ok(id)
}

fn demo_log(run: i32) -> String {
    let mut s = String::new();
    for i in 0..200 {
        let level = match i % 50 {
            7 => "ERROR",
            13 => "WARNING",
            _ => "INFO",
        };
        s.push_str(&format!(
            "[{level}] run {run}: step {i} of the regression suite\n"
        ));
    }
    s
}
