//! The materialised run status behind `GET /runs?status=` (exact, counted in SQL, no scan cap).
//!
//! A run's status depends on its last progress row and, once completed, on up to thousands of
//! result rows; deriving it for every run on each list request would read millions of rows. So
//! each run with progress has a `spci_run_verdict` row holding the status the verdict rules gave
//! for its current last progress row. The rows are written only here, by the same rules
//! (`facts` + `verdict`), and kept correct for every write path, ours or upstream's, because
//! every read goes through [`VerdictCache::refresh`] first:
//! - a new progress row (a run starting, completing, being canceled, or re-created after a
//!   restart) raises `MAX(test_progress.id)`: the runs with newer rows are recomputed;
//! - removed progress rows (a restart) lower `COUNT(*)`: rows of runs without progress go;
//! - a change to what the rules read besides a run's own rows (expected outputs, their `ignore`
//!   flags, variants, the active set) changes the rules fingerprint: everything is recomputed.
//!
//! Results and produced files of a run are written before its `completed` row, so they are final
//! once a verdict row exists. Our own writes (cancel, restart, create) go through progress rows
//! and are therefore seen like anyone else's.
use crate::db::entity::spci_run_verdict;
use crate::facts::{Judging, Runs};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, Statement};
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;

/// How many runs are judged per batch (bounded memory while recomputing everything).
const BATCH: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Watermark {
    rules: i64,
    progress_max: i64,
    progress_count: i64,
}

#[derive(Default)]
pub struct VerdictCache {
    seen: Mutex<Option<Watermark>>,
}

impl VerdictCache {
    /// Brings every run's verdict row up to date with the database as of this call. Costs one
    /// small query when nothing changed since the last refresh of this process.
    pub async fn refresh(&self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        let now = watermark(db).await?;
        let mut seen = self.seen.lock().await;
        if *seen == Some(now) {
            return Ok(());
        }
        let stale: Vec<i32> = match *seen {
            Some(before) if before.rules == now.rules => {
                if now.progress_count
                    < before.progress_count + (now.progress_max - before.progress_max)
                {
                    // Rows were deleted (a restart): forget verdicts of runs left without progress.
                    forget_runs_without_progress(db).await?;
                }
                ids(
                    db,
                    &format!(
                        "SELECT DISTINCT test_id FROM test_progress \
                         WHERE id > {} AND test_id IS NOT NULL",
                        before.progress_max
                    ),
                )
                .await?
            }
            // First use in this process, or the rules' inputs changed: check every run.
            _ => {
                forget_runs_without_progress(db).await?;
                ids(
                    db,
                    &format!(
                        "SELECT l.test_id FROM (SELECT test_id, MAX(id) AS lp FROM test_progress \
                         WHERE test_id IS NOT NULL GROUP BY test_id) l \
                         LEFT JOIN spci_run_verdict v ON v.test_id = l.test_id \
                         AND v.last_progress_id = l.lp AND v.rules = {} \
                         WHERE v.test_id IS NULL",
                        now.rules
                    ),
                )
                .await?
            }
        };
        for chunk in stale.chunks(BATCH) {
            judge(db, chunk, now.rules).await?;
        }
        *seen = Some(now);
        Ok(())
    }

    /// Forgets what this process has seen, so the next refresh checks every run.
    pub async fn invalidate(&self) {
        *self.seen.lock().await = None;
    }
}

/// A run whose progress rows are all gone (a restart) has no verdict to keep.
async fn forget_runs_without_progress(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    db.execute_unprepared(
        "DELETE FROM spci_run_verdict WHERE NOT EXISTS \
         (SELECT 1 FROM test_progress p WHERE p.test_id = spci_run_verdict.test_id)",
    )
    .await
    .map(|_| ())
}

async fn ids(db: &impl ConnectionTrait, sql: &str) -> Result<Vec<i32>, DbErr> {
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    rows.iter().map(|r| r.try_get_by_index::<i32>(0)).collect()
}

/// Computes and stores the verdict rows of `runs` from the rules.
async fn judge(db: &impl ConnectionTrait, runs: &[i32], rules: i64) -> Result<(), DbErr> {
    let loaded = Runs::load(db, runs).await?;
    let judging = Judging::load(db, runs).await?;
    let rows: Vec<spci_run_verdict::ActiveModel> = loaded
        .runs
        .iter()
        .filter_map(|run| {
            let last = loaded.progress_of(run.id).last()?;
            let status = judging.run_status(run.id, loaded.phase(run.id));
            Some(spci_run_verdict::ActiveModel {
                test_id: sea_orm::Set(run.id),
                last_progress_id: sea_orm::Set(last.id),
                rules: sea_orm::Set(rules),
                status: sea_orm::Set(status.as_str().to_string()),
            })
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    use spci_run_verdict::Column as C;
    let mut on_conflict = OnConflict::column(C::TestId);
    on_conflict.update_columns([C::LastProgressId, C::Rules, C::Status]);
    if db.get_database_backend() != DatabaseBackend::MySql {
        // A slower writer holding older facts never overwrites a newer verdict (replicas).
        on_conflict.action_and_where(
            Expr::col((spci_run_verdict::Entity, C::LastProgressId)).lte(Expr::col((
                sea_orm::sea_query::Alias::new("excluded"),
                C::LastProgressId,
            ))),
        );
    }
    spci_run_verdict::Entity::insert_many(rows)
        .on_conflict(on_conflict.to_owned())
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// One query: the progress high-water mark and a fingerprint of everything else the rules read
/// (outputs, their `ignore` flags and owners, variants, the active set).
async fn watermark(db: &impl ConnectionTrait) -> Result<Watermark, DbErr> {
    let backend = db.get_database_backend();
    let (ignore, int) = match backend {
        DatabaseBackend::MySql => ("`ignore`", "SIGNED"),
        _ => ("\"ignore\"", "BIGINT"),
    };
    let n = |e: &str| format!("CAST(COALESCE({e}, 0) AS {int})");
    let sql = format!(
        "SELECT \
         (SELECT {} FROM regression_test_output), \
         (SELECT {} FROM regression_test_output), \
         (SELECT {} FROM regression_test_output), \
         (SELECT {} FROM regression_test_output), \
         (SELECT {} FROM regression_test_output_files), \
         (SELECT {} FROM regression_test_output_files), \
         (SELECT {} FROM regression_test_output_files), \
         (SELECT {} FROM regression_test), \
         (SELECT {} FROM test_progress), \
         (SELECT {} FROM test_progress)",
        n("COUNT(*)"),
        n("SUM(id)"),
        n(&format!("SUM(CASE WHEN {ignore} THEN id ELSE 0 END)")),
        n("SUM(COALESCE(regression_id, 0) * 7 + id)"),
        n("COUNT(*)"),
        n("SUM(id)"),
        n("SUM(COALESCE(regression_test_output_id, 0) * 7 + LENGTH(COALESCE(file_hashes, '')))"),
        n("SUM(CASE WHEN active THEN id ELSE 0 END)"),
        n("MAX(id)"),
        n("COUNT(*)"),
    );
    let row = db
        .query_one_raw(Statement::from_string(backend, sql))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("watermark".into()))?;
    let mut hasher = Sha256::new();
    for i in 0..8 {
        hasher.update(row.try_get_by_index::<i64>(i)?.to_le_bytes());
    }
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    Ok(Watermark {
        // Positive, so it survives any integer column type unchanged.
        rules: i64::from_le_bytes(first) & i64::MAX,
        progress_max: row.try_get_by_index::<i64>(8)?,
        progress_count: row.try_get_by_index::<i64>(9)?,
    })
}
