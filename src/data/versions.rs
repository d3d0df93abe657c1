//! Cheap versions of the resources clients poll, read before anything else so a poll that
//! changed nothing is answered 304 after a few primary-key and index lookups. A version covers
//! what the answer is made of: a run's progress rows (newest id and how many, so a restart's
//! deletions count), its results (how many), its judged status and the rules it was judged
//! under, the newest baseline approval (an approval can change any run's test statuses) and the
//! quarantines (new ones and lifted ones);
//! the queue's: the newest run and progress row, and the unfinished runs' verdicts. A change the
//! verdict rules only see at their refresh (an expected output edited by upstream) shows in the
//! version once re-judged.
use crate::api::RunStatus;
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, QueryResult, Statement};

/// The run's version, `None` when there is no such run (the handler answers that). One
/// statement of scalar subqueries, each a primary-key or index lookup.
pub async fn run(db: &impl ConnectionTrait, run_id: i32) -> Result<Option<String>, DbErr> {
    let backend = db.get_database_backend();
    let mut n = 0;
    let mut p = || {
        n += 1;
        match backend {
            DatabaseBackend::Postgres => format!("${n}"),
            _ => "?".to_string(),
        }
    };
    let sql = format!(
        "SELECT \
         (SELECT COUNT(*) FROM test WHERE id = {}), \
         (SELECT MAX(id) FROM test_progress WHERE test_id = {}), \
         (SELECT COUNT(*) FROM test_progress WHERE test_id = {}), \
         (SELECT COUNT(*) FROM test_result WHERE test_id = {}), \
         (SELECT status FROM spci_run_verdict WHERE test_id = {}), \
         (SELECT effective_status FROM spci_run_verdict WHERE test_id = {}), \
         (SELECT rules FROM spci_run_verdict WHERE test_id = {}), \
         (SELECT last_progress_id FROM spci_run_verdict WHERE test_id = {}), \
         (SELECT MAX(id) FROM spci_baseline_approval), \
         (SELECT MAX(id) FROM spci_quarantine), \
         (SELECT COUNT(lifted_at) FROM spci_quarantine)",
        p(),
        p(),
        p(),
        p(),
        p(),
        p(),
        p(),
        p()
    );
    let values = vec![run_id.into(); n];
    let Some(row) = db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?
    else {
        return Ok(None);
    };
    if row.try_get_by_index::<i64>(0)? == 0 {
        return Ok(None);
    }
    let int = |i| row.try_get_by_index::<Option<i32>>(i);
    let count = |i| row.try_get_by_index::<i64>(i);
    let text = |i| row.try_get_by_index::<Option<String>>(i);
    Ok(Some(format!(
        "run {run_id} progress {:?}/{} results {} verdict {:?} {:?} {:?} {:?} approvals {:?} quarantines {:?}/{}",
        int(1)?,
        count(2)?,
        count(3)?,
        text(4)?,
        text(5)?,
        row.try_get_by_index::<Option<i64>>(6)?,
        int(7)?,
        int(8)?,
        int(9)?,
        count(10)?,
    )))
}

/// The queue's version, in one statement.
pub async fn queue(db: &impl ConnectionTrait) -> Result<String, DbErr> {
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT (SELECT MAX(id) FROM test), (SELECT MAX(id) FROM test_progress), \
         (SELECT COUNT(*) FROM spci_run_verdict WHERE status IN ('{}', '{}'))",
        RunStatus::Queued.as_str(),
        RunStatus::Running.as_str()
    );
    let row = scalars(db, Statement::from_string(backend, sql)).await?;
    Ok(format!(
        "queue {:?} {:?} {}",
        row.try_get_by_index::<Option<i32>>(0)?,
        row.try_get_by_index::<Option<i32>>(1)?,
        row.try_get_by_index::<i64>(2)?
    ))
}

/// A version of everything the event recorder reads: the progress rows in its rescan window
/// (newest and how many, so a row committed late, below the newest, counts), the results of
/// running runs, which runs are running, the newest run and baseline approval. A pass over
/// unchanged inputs records nothing, so the recorder skips it.
/// `cursor` names the recorder's progress cursor; `rescan`, how far below it a pass reads.
pub async fn recorder_inputs(
    db: &impl ConnectionTrait,
    cursor: &str,
    rescan: i64,
) -> Result<String, DbErr> {
    let backend = db.get_database_backend();
    let running = RunStatus::Running.as_str();
    let p = match backend {
        DatabaseBackend::Postgres => "$1",
        _ => "?",
    };
    let sql = format!(
        "SELECT (SELECT MAX(id) FROM test_progress), \
         (SELECT COUNT(*) FROM test_progress WHERE id > \
           (SELECT COALESCE(MAX(position), 0) FROM spci_event_cursor WHERE name = {p}) - {rescan}), \
         (SELECT COUNT(*) FROM test_result WHERE test_id IN \
           (SELECT test_id FROM spci_run_verdict WHERE status = '{running}')), \
         (SELECT COUNT(*) FROM spci_run_verdict WHERE status = '{running}'), \
         (SELECT MAX(id) FROM test), \
         (SELECT MAX(id) FROM spci_baseline_approval)"
    );
    let row = scalars(
        db,
        Statement::from_sql_and_values(backend, sql, [cursor.into()]),
    )
    .await?;
    Ok(format!(
        "progress {:?}/{} running {}/{} runs {:?} approvals {:?}",
        row.try_get_by_index::<Option<i32>>(0)?,
        row.try_get_by_index::<i64>(1)?,
        row.try_get_by_index::<i64>(2)?,
        row.try_get_by_index::<i64>(3)?,
        row.try_get_by_index::<Option<i32>>(4)?,
        row.try_get_by_index::<Option<i32>>(5)?,
    ))
}

/// The one row a SELECT of scalar subqueries answers.
async fn scalars(db: &impl ConnectionTrait, statement: Statement) -> Result<QueryResult, DbErr> {
    db.query_one_raw(statement)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("a row of scalars".into()))
}
