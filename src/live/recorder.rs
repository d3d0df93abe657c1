//! The event recorder: one pass records what changed since the last one into the event log,
//! with the webhook deliveries each entry causes, in one transaction.
//!
//! Sources, each read past a cursor: upstream's (and spci's) progress rows, the results of
//! runs that are running or just moved (counted first, read only when the count grew), the
//! derived status of those runs (a `status` entry when it changed, `completed` when the run
//! ended), and baseline approvals. One replica records at a time (a lease), so entries are
//! committed in id order; the last few hundred progress rows are read again each pass, so a row
//! committed out of id order is recorded late rather than never (the unique subject makes the
//! rescan free of duplicates).
use crate::api::{ProgressEvent, ProgressStatus, RunEventResult, RunStatus};
use crate::data::entity::{spci_baseline_approval, spci_run_verdict, test_progress, test_result};
use crate::data::events::{self, NewEvent};
use crate::data::verdict_cache::VerdictCache;
use crate::data::{comparison, lease, versions, webhooks};
use crate::domain::events::{LogKind, has_ended, status_changed};
use crate::types::UtcDateTime;
use poem_openapi::types::ToJSON;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use serde_json::json;
use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const LEASE: &str = "event-recorder";
const LEASE_TTL: Duration = Duration::from_secs(15);
/// The longest a replica goes without a full pass: a third of the lease, so the holder renews
/// it in time and another replica takes over within the lease after the holder dies.
const RENEW: Duration = Duration::from_secs(5);
/// Progress rows read again each pass, for rows committed out of id order.
const RESCAN: i64 = 200;
const BATCH: u64 = 1000;
const PROGRESS: &str = "progress";
/// The newest progress row when the log began: runs that ended before are not in it.
const ORIGIN: &str = "origin";
const APPROVALS: &str = "approvals";

/// What one pass recorded.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Recorded {
    pub entries: usize,
    pub deliveries: usize,
}

/// Runs passes, skipping one whose inputs have not changed since the last: an idle server
/// pays one statement per poll. A full pass still runs every `RENEW`, which renews the lease
/// (or, on another replica, tries to take it over).
#[derive(Default)]
pub struct Recorder {
    last: Mutex<Option<(String, Instant)>>,
}

impl Recorder {
    pub async fn pass(
        &self,
        db: &DatabaseConnection,
        verdicts: &VerdictCache,
    ) -> Result<Recorded, DbErr> {
        let inputs = versions::recorder_inputs(db, PROGRESS, RESCAN).await?;
        let unchanged = |last: &Option<(String, Instant)>| {
            last.as_ref()
                .is_some_and(|(seen, at)| *seen == inputs && at.elapsed() < RENEW)
        };
        if unchanged(&self.last.lock().expect("not poisoned")) {
            return Ok(Recorded::default());
        }
        let done = pass(db, verdicts).await?;
        *self.last.lock().expect("not poisoned") = Some((inputs, Instant::now()));
        Ok(done)
    }
}

/// One pass; nothing when another replica holds the lease.
pub async fn pass(db: &DatabaseConnection, verdicts: &VerdictCache) -> Result<Recorded, DbErr> {
    if !lease::take(db, LEASE, LEASE_TTL).await? {
        return Ok(Recorded::default());
    }
    // The log begins now: history is not replayed.
    let Some(from) = events::cursor(db, PROGRESS).await? else {
        let tx = db.begin().await?;
        let newest = max_id(&tx, test_progress::Entity, test_progress::Column::Id).await?;
        events::set_cursor(&tx, ORIGIN, newest).await?;
        events::set_cursor(&tx, PROGRESS, newest).await?;
        events::set_cursor(
            &tx,
            APPROVALS,
            max_id(
                &tx,
                spci_baseline_approval::Entity,
                spci_baseline_approval::Column::Id,
            )
            .await?,
        )
        .await?;
        tx.commit().await?;
        return Ok(Recorded::default());
    };
    let approvals_from = events::cursor(db, APPROVALS).await?.unwrap_or(0);
    // Statuses below are read from the verdicts, judged up to the newest progress row.
    verdicts.current(db).await?;

    let progress = test_progress::Entity::find()
        .filter(test_progress::Column::Id.gt(from - RESCAN))
        .order_by_asc(test_progress::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    let running: Vec<i32> = spci_run_verdict::Entity::find()
        .select_only()
        .column(spci_run_verdict::Column::TestId)
        .filter(spci_run_verdict::Column::Status.eq(RunStatus::Running.as_str()))
        .limit(BATCH)
        .into_tuple()
        .all(db)
        .await?;
    let runs: Vec<i32> = progress
        .iter()
        .filter_map(|p| p.test_id)
        .chain(running)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let approvals = spci_baseline_approval::Entity::find()
        .filter(spci_baseline_approval::Column::Id.gt(approvals_from))
        .order_by_asc(spci_baseline_approval::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;

    let recorded = events::recorded(db, &runs, &[LogKind::Progress, LogKind::Completed]).await?;
    let results = new_results(db, &runs).await?;
    let verdicts: HashMap<i32, spci_run_verdict::Model> = spci_run_verdict::Entity::find()
        .filter(spci_run_verdict::Column::TestId.is_in(runs.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.test_id, v))
        .collect();
    let last_status = events::latest(db, &runs, LogKind::Status).await?;

    let mut entries: Vec<NewEvent> = vec![];
    for &run in &runs {
        // Progress first, then the results, then a closing row: a worker posts its results
        // while testing and before it reports the run completed.
        let (closing, moving): (Vec<_>, Vec<_>) = progress
            .iter()
            .filter(|p| p.test_id == Some(run))
            .filter(|p| !recorded.contains(&(run, LogKind::Progress, p.id as i64)))
            .partition(|p| closes(&p.status));
        entries.extend(moving.into_iter().map(|p| progress_entry(run, p)));
        for r in results.iter().filter(|r| r.test_id == run) {
            let result = RunEventResult {
                regression_test_id: r.regression_test_id,
                exit_code: r.exit_code,
                expected_rc: r.expected_rc,
                runtime: r.runtime,
            };
            entries.push(NewEvent {
                run_id: run,
                kind: LogKind::SampleResult,
                subject: r.regression_test_id as i64,
                data: json!({ "result": result.to_json() }),
            });
        }
        entries.extend(closing.into_iter().map(|p| progress_entry(run, p)));
        let Some(v) = verdicts.get(&run) else {
            continue;
        };
        let (Some(status), Some(effective)) = (
            RunStatus::parse(&v.status),
            RunStatus::parse(&v.effective_status),
        ) else {
            continue;
        };
        let previous = last_status
            .get(&run)
            .and_then(|d| d["status"].as_str())
            .and_then(RunStatus::parse);
        let data = json!({ "status": status.as_str(), "effective_status": effective.as_str() });
        if status_changed(previous, status) {
            entries.push(NewEvent {
                run_id: run,
                kind: LogKind::Status,
                subject: v.last_progress_id as i64,
                data: data.clone(),
            });
        }
        if has_ended(status)
            && !recorded.contains(&(run, LogKind::Completed, v.last_progress_id as i64))
        {
            entries.push(NewEvent {
                run_id: run,
                kind: LogKind::Completed,
                subject: v.last_progress_id as i64,
                data,
            });
            // Only a failing run can break a test.
            if status == RunStatus::Fail
                && let Some(broken) = regression(db, run, v.last_progress_id).await?
            {
                entries.push(broken);
            }
        }
    }
    for a in &approvals {
        entries.push(NewEvent {
            run_id: a.run_id,
            kind: LogKind::BaselineApproved,
            subject: a.id as i64,
            data: json!({
                "regression_test_id": a.regression_id,
                "output_id": a.output_id,
                "approved_by": a.approved_by,
                "approved_at": UtcDateTime::from_naive_utc(a.approved_at).to_json(),
            }),
        });
    }

    let progress_to = Ord::max(progress.last().map_or(from, |p| p.id as i64), from);
    let approvals_to = approvals
        .last()
        .map(|a| a.id as i64)
        .unwrap_or(approvals_from);
    if entries.is_empty() && progress_to == from && approvals_to == approvals_from {
        return Ok(Recorded::default());
    }
    let hooks = webhooks::all(db).await?;
    let tx = db.begin().await?;
    let mut done = Recorded::default();
    for e in &entries {
        let id = events::append(&tx, e).await?;
        done.entries += 1;
        if let Some(event) = e.kind.webhook() {
            done.deliveries += webhooks::enqueue(&tx, &hooks, event, &payload(id, e)).await?;
        }
    }
    events::set_cursor(&tx, PROGRESS, progress_to).await?;
    events::set_cursor(&tx, APPROVALS, approvals_to).await?;
    tx.commit().await?;
    Ok(done)
}

/// A delivery's body: the run and what happened to it.
fn payload(entry_id: i64, e: &NewEvent) -> serde_json::Value {
    let mut body = json!({
        "event_id": entry_id,
        "run_id": e.run_id,
        "occurred_at": UtcDateTime::from_naive_utc(crate::data::db_now()).to_json(),
    });
    if let (Some(o), Some(data)) = (body.as_object_mut(), e.data.as_object()) {
        for (k, v) in data {
            o.insert(k.clone(), v.clone());
        }
    }
    body
}

/// Results of `runs` not recorded yet: counted first, read only for runs whose count grew.
async fn new_results(
    db: &impl ConnectionTrait,
    runs: &[i32],
) -> Result<Vec<test_result::Model>, DbErr> {
    if runs.is_empty() {
        return Ok(vec![]);
    }
    let have: Vec<(i32, i64)> = test_result::Entity::find()
        .select_only()
        .column(test_result::Column::TestId)
        .column_as(
            Expr::col(test_result::Column::RegressionTestId).count(),
            "n",
        )
        .filter(test_result::Column::TestId.is_in(runs.iter().copied()))
        .group_by(test_result::Column::TestId)
        .into_tuple()
        .all(db)
        .await?;
    let seen = events::counts(db, runs, LogKind::SampleResult).await?;
    let grown: Vec<i32> = have
        .into_iter()
        .filter(|(run, n)| seen.get(run).copied().unwrap_or(0) < *n)
        .map(|(run, _)| run)
        .collect();
    if grown.is_empty() {
        return Ok(vec![]);
    }
    let recorded = events::recorded(db, &grown, &[LogKind::SampleResult]).await?;
    Ok(test_result::Entity::find()
        .filter(test_result::Column::TestId.is_in(grown))
        .order_by_asc(test_result::Column::TestId)
        .order_by_asc(test_result::Column::RegressionTestId)
        .all(db)
        .await?
        .into_iter()
        .filter(|r| {
            !recorded.contains(&(
                r.test_id,
                LogKind::SampleResult,
                r.regression_test_id as i64,
            ))
        })
        .collect())
}

async fn max_id<E: EntityTrait>(
    db: &impl ConnectionTrait,
    _e: E,
    col: E::Column,
) -> Result<i64, DbErr> {
    Ok(E::find()
        .select_only()
        .column_as(Expr::col(col).max(), "id")
        .into_tuple::<Option<i32>>()
        .one(db)
        .await?
        .flatten()
        .unwrap_or(0) as i64)
}

/// Whether a run whose last progress row is `last_progress` ended before the log began (or the
/// log has not begun yet).
pub async fn before_log(db: &impl ConnectionTrait, last_progress: i32) -> Result<bool, DbErr> {
    Ok(events::cursor(db, ORIGIN)
        .await?
        .is_none_or(|origin| last_progress as i64 <= origin))
}

/// A progress row after which a worker writes nothing more for the run.
fn closes(status: &str) -> bool {
    matches!(
        ProgressStatus::parse(status),
        Some(ProgressStatus::Completed | ProgressStatus::Canceled)
    )
}

fn progress_entry(run: i32, p: &test_progress::Model) -> NewEvent {
    let event = ProgressEvent {
        timestamp: UtcDateTime::from_naive_utc(p.timestamp),
        status: ProgressStatus::parse(&p.status).unwrap_or(ProgressStatus::Error),
        message: p.message.clone(),
    };
    NewEvent {
        run_id: run,
        kind: LogKind::Progress,
        subject: p.id as i64,
        data: json!({ "progress": event.to_json() }),
    }
}

/// The tests a run that just completed breaks against the latest master run, as an entry;
/// `None` when it breaks none (or there is no base).
async fn regression(
    db: &impl ConnectionTrait,
    run: i32,
    last_progress: i32,
) -> Result<Option<NewEvent>, DbErr> {
    let Some(model) = crate::data::entity::test::Entity::find_by_id(run)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some((base, broken)) = comparison::broken_against_master(db, &model).await? else {
        return Ok(None);
    };
    Ok((!broken.is_empty()).then(|| NewEvent {
        run_id: run,
        kind: LogKind::RegressionDetected,
        subject: last_progress as i64,
        data: json!({
            "base": "master",
            "base_run_id": base,
            "regression_test_ids": broken,
        }),
    }))
}
