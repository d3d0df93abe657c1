//! The materialised run status behind `GET /runs?status=` (exact, counted in SQL, no scan cap).
//!
//! A run's status depends on its last progress row and, once completed, on up to thousands of
//! result rows; deriving it for every run on each list request would read millions of rows. So
//! each run has a `spci_run_verdict` row holding the status the verdict rules gave for its
//! current last progress row (`queued` with `last_progress_id` 0 for a run without progress),
//! under a fingerprint of the rules' other inputs. A status filter is then an index range on
//! (status, test_id). The rows are written only here, by the same rules (`loaders` +
//! `domain::verdict`), and survive a restart: a run whose last progress row and rules are
//! unchanged is never judged again.
//!
//! How each change is seen:
//! - **A new run or a new progress row** (a run queued, starting, completing, canceled): every
//!   read first asks for `MAX(test.id)` and `MAX(test_progress.id)` (primary-key lookups). When
//!   either grew, the new runs and the runs with newer rows are judged before the read answers;
//!   reads that find nothing new take no lock and never wait for each other.
//! - **spci's own writes** (restart, cancel, create, baseline approval) judge the runs they
//!   touched before they answer.
//! - **What a read cannot see cheaply**: progress rows deleted by upstream's restart, runs
//!   deleted, rows committed out of id order, and upstream's edits to expected outputs, their `ignore` flags,
//!   variants or the active set. The background refresher ([`VerdictCache::refresh`], every
//!   `SPCI_VERDICT_REFRESH` seconds, default 10) reconciles every run's verdict with its last
//!   progress row and hashes the rules' inputs; a new fingerprint re-judges every run, on one
//!   replica at a time (a database lease). Such edits are reflected within one refresh period
//!   plus the time to re-judge (about 10 s for 10,000 runs).
//!
//! Results and produced files of a run are written before its `completed` row, so they are final
//! once a verdict row exists.
use super::entity::{
    regression_test, regression_test_output, regression_test_output_files, spci_result_verdict,
    spci_run_verdict, test, test_progress, test_result_file,
};
use super::error::is_transient;
use super::lease;
use super::loaders::{Judging, Runs};
use super::result_count;
use crate::api::RunStatus;
use crate::domain::verdict::{self, Phase};
use sea_orm::sea_query::{
    Alias, Expr, ExprTrait, Func, JoinType, OnConflict, Query, SelectStatement,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{Mutex, OnceCell};

/// How many runs are judged per batch (bounded memory while re-judging everything).
const BATCH: usize = 100;
/// How often a batch is judged again after losing a deadlock to another writer.
const JUDGE_ATTEMPTS: u32 = 5;
/// The lease that lets one replica re-judge every run after the rules' inputs changed.
const RULES_LEASE: &str = "verdict-rules";
const RULES_LEASE_TTL: Duration = Duration::from_secs(300);

pub struct VerdictCache {
    /// Every run with a progress row up to this id has a current verdict.
    seen: AtomicI64,
    /// Every run up to this id has a verdict row.
    seen_run: AtomicI64,
    /// Fingerprint of the rules' inputs as last computed.
    rules: AtomicI64,
    started: OnceCell<()>,
    /// Held only while judging runs with new progress rows.
    catch_up: Mutex<()>,
    judged: AtomicU64,
}

impl Default for VerdictCache {
    fn default() -> Self {
        Self {
            seen: AtomicI64::new(0),
            seen_run: AtomicI64::new(0),
            rules: AtomicI64::new(0),
            started: OnceCell::new(),
            catch_up: Mutex::new(()),
            judged: AtomicU64::new(0),
        }
    }
}

/// What one background refresh did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Refreshed {
    /// Runs whose verdict did not belong to their last progress row.
    pub reconciled: usize,
    /// Runs judged again because the rules' inputs changed.
    pub rejudged: usize,
}

impl VerdictCache {
    /// Runs judged by this process since it started.
    pub fn judged(&self) -> u64 {
        self.judged.load(Ordering::Relaxed)
    }

    /// Brings the verdicts up to date with every progress row committed before this call. Costs
    /// two primary-key lookups when nothing is new.
    pub async fn current(&self, db: &DatabaseConnection) -> Result<(), DbErr> {
        self.ensure_started(db).await?;
        let (max_run, max) = (run_max(db).await?, progress_max(db).await?);
        let caught_up = |s: &Self| {
            max <= s.seen.load(Ordering::Acquire) && max_run <= s.seen_run.load(Ordering::Acquire)
        };
        if caught_up(self) {
            return Ok(());
        }
        let _one_at_a_time = self.catch_up.lock().await;
        if caught_up(self) {
            // Another request judged them while this one waited.
            return Ok(());
        }
        let (seen, seen_run) = (
            self.seen.load(Ordering::Acquire),
            self.seen_run.load(Ordering::Acquire),
        );
        let mut runs: BTreeSet<i32> = BTreeSet::new();
        if max > seen {
            let touched: Vec<Option<i32>> = test_progress::Entity::find()
                .select_only()
                .column(test_progress::Column::TestId)
                .distinct()
                .filter(test_progress::Column::Id.gt(seen as i32))
                .filter(test_progress::Column::Id.lte(max as i32))
                .into_tuple()
                .all(db)
                .await?;
            runs.extend(touched.into_iter().flatten());
        }
        if max_run > seen_run {
            let new: Vec<i32> = test::Entity::find()
                .select_only()
                .column(test::Column::Id)
                .filter(test::Column::Id.gt(seen_run as i32))
                .filter(test::Column::Id.lte(max_run as i32))
                .into_tuple()
                .all(db)
                .await?;
            runs.extend(new);
        }
        let runs: Vec<i32> = runs.into_iter().collect();
        self.judge(db, &runs).await?;
        self.seen.fetch_max(max, Ordering::AcqRel);
        self.seen_run.fetch_max(max_run, Ordering::AcqRel);
        Ok(())
    }

    /// The first use in this process: the rules' fingerprint, and a verdict for every run's
    /// last progress row (none to compute on a database judged before). Returns how many runs
    /// it reconciled when this call did it, `None` when it was done before.
    async fn ensure_started(&self, db: &DatabaseConnection) -> Result<Option<usize>, DbErr> {
        let mut reconciled = None;
        self.started
            .get_or_try_init(|| async {
                self.rules.store(fingerprint(db).await?, Ordering::Release);
                let (max_run, max) = (run_max(db).await?, progress_max(db).await?);
                reconciled = Some(self.reconcile(db).await?);
                self.seen.fetch_max(max, Ordering::AcqRel);
                self.seen_run.fetch_max(max_run, Ordering::AcqRel);
                Ok::<_, DbErr>(())
            })
            .await?;
        Ok(reconciled)
    }

    /// One pass of the background refresher: what a read does not check.
    pub async fn refresh(&self, db: &DatabaseConnection) -> Result<Refreshed, DbErr> {
        // The first pass of a process has just reconciled and hashed: no second round.
        let (reconciled, rules) = match self.ensure_started(db).await? {
            Some(n) => (n, self.rules.load(Ordering::Acquire)),
            None => {
                let n = self.reconcile(db).await?;
                let rules = fingerprint(db).await?;
                self.rules.store(rules, Ordering::Release);
                (n, rules)
            }
        };
        let mut rejudged = 0;
        let stale = stale_rules(db, rules, 1).await?;
        if !stale.is_empty() && lease::take(db, RULES_LEASE, RULES_LEASE_TTL).await? {
            let mut previous = vec![];
            loop {
                let runs = stale_rules(db, rules, BATCH as u64).await?;
                // Nothing left, or rows judging cannot change (a concurrent writer's): stop.
                if runs.is_empty() || runs == previous {
                    break;
                }
                self.judge(db, &runs).await?;
                rejudged += runs.len();
                // The rules changed again meanwhile: the next refresh starts over.
                if self.rules.load(Ordering::Acquire) != rules {
                    break;
                }
                previous = runs;
            }
            lease::release(db, RULES_LEASE).await?;
        }
        Ok(Refreshed {
            reconciled,
            rejudged,
        })
    }

    /// spci changed these runs (restart, cancel, create): judge them now, so the answer to the
    /// caller's next read is already exact.
    pub async fn changed(&self, db: &DatabaseConnection, runs: &[i32]) -> Result<(), DbErr> {
        self.ensure_started(db).await?;
        self.judge(db, runs).await
    }

    /// spci added or removed accepted variants of an output: the runs that produced a differing
    /// file for it may have changed verdict.
    pub async fn output_changed(
        &self,
        db: &DatabaseConnection,
        output_id: i32,
    ) -> Result<(), DbErr> {
        let runs: Vec<i32> = test_result_file::Entity::find()
            .select_only()
            .column(test_result_file::Column::TestId)
            .distinct()
            .filter(test_result_file::Column::RegressionTestOutputId.eq(output_id))
            .filter(test_result_file::Column::Got.is_not_null())
            .into_tuple()
            .all(db)
            .await?;
        self.changed(db, &runs).await
    }

    /// Drops verdicts of deleted runs and judges every run whose verdict is missing or not for
    /// its last progress row.
    async fn reconcile(&self, db: &DatabaseConnection) -> Result<usize, DbErr> {
        forget_deleted_runs(db).await?;
        let stale = stale_progress(db).await?;
        self.judge(db, &stale).await?;
        Ok(stale.len())
    }

    /// Computes and stores the verdict rows of `runs` from the rules, a batch at a time.
    async fn judge(&self, db: &DatabaseConnection, runs: &[i32]) -> Result<(), DbErr> {
        let rules = self.rules.load(Ordering::Acquire);
        for chunk in runs.chunks(BATCH) {
            // Two writers judging the same runs can deadlock on InnoDB's gap locks; the loser's
            // transaction changed nothing and simply runs again on fresh facts.
            let mut attempt = 1;
            loop {
                match judge(db, chunk, rules).await {
                    Err(e) if attempt < JUDGE_ATTEMPTS && is_transient(&e) => attempt += 1,
                    other => break other?,
                }
            }
            self.judged.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        }
        Ok(())
    }
}

/// A restart deletes `run`'s results: their stored verdicts go in the same transaction, so no
/// reader counts results that are gone.
pub async fn forget_results(tx: &impl ConnectionTrait, run: i32) -> Result<(), DbErr> {
    result_count::replace(tx, &[run], vec![]).await
}

/// A run's materialised status, for display beside other columns; a run this process has not
/// materialised yet (committed after the last read's check) reads as queued.
pub fn status_expr() -> Expr {
    Func::coalesce([
        Expr::col((spci_run_verdict::Entity, spci_run_verdict::Column::Status)),
        Expr::val(RunStatus::Queued.as_str()),
    ])
    .into()
}

/// A run's materialised effective status (quarantined failures forgiven), as `status_expr`.
pub fn effective_status_expr() -> Expr {
    Func::coalesce([
        Expr::col((
            spci_run_verdict::Entity,
            spci_run_verdict::Column::EffectiveStatus,
        )),
        Expr::val(RunStatus::Queued.as_str()),
    ])
    .into()
}

/// Runs with one of `statuses`, as an index range on (status, test_id) of the verdicts.
pub fn status_in(statuses: &[RunStatus]) -> Expr {
    Expr::col((spci_run_verdict::Entity, spci_run_verdict::Column::Status))
        .is_in(statuses.iter().map(|s| s.as_str()))
}

/// Runs with effective status `status`, as an index range on (effective_status, test_id).
pub fn effective_status_is(status: RunStatus) -> Expr {
    Expr::col((
        spci_run_verdict::Entity,
        spci_run_verdict::Column::EffectiveStatus,
    ))
    .eq(status.as_str())
}

/// The run id as the verdict index orders it: a status-filtered page reads it in this order.
pub fn verdict_run_id() -> (spci_run_verdict::Entity, spci_run_verdict::Column) {
    (spci_run_verdict::Entity, spci_run_verdict::Column::TestId)
}

/// Runs whose results have no stored verdicts and are judged when read: every run whose
/// verdict is not a completed run's (their results may still grow).
pub fn runs_judged_when_read() -> SelectStatement {
    let unfinished = RunStatus::ALL
        .iter()
        .filter(|s| !verdict::COMPLETED.contains(s))
        .map(|s| s.as_str());
    Query::select()
        .column(spci_run_verdict::Column::TestId)
        .from(spci_run_verdict::Entity)
        .and_where(Expr::col(spci_run_verdict::Column::Status).is_in(unfinished))
        .to_owned()
}

async fn run_max(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let max: Option<Option<i32>> = test::Entity::find()
        .select_only()
        .column_as(test::Column::Id.max(), "max_id")
        .into_tuple()
        .one(db)
        .await?;
    Ok(max.flatten().map_or(0, i64::from))
}

async fn progress_max(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let max: Option<Option<i32>> = test_progress::Entity::find()
        .select_only()
        .column_as(test_progress::Column::Id.max(), "max_id")
        .into_tuple()
        .one(db)
        .await?;
    Ok(max.flatten().map_or(0, i64::from))
}

/// A run deleted from `test` has no verdict to keep, nor result verdicts to count.
async fn forget_deleted_runs(db: &DatabaseConnection) -> Result<(), DbErr> {
    let t = Alias::new("t");
    let run = Query::select()
        .expr(Expr::val(1))
        .from_as(test::Entity, t.clone())
        .and_where(
            Expr::col((t, test::Column::Id))
                .equals((spci_run_verdict::Entity, spci_run_verdict::Column::TestId)),
        )
        .to_owned();
    let gone: Vec<i32> = spci_run_verdict::Entity::find()
        .select_only()
        .column(spci_run_verdict::Column::TestId)
        .filter(Expr::exists(run).not())
        .into_tuple()
        .all(db)
        .await?;
    for chunk in gone.chunks(BATCH) {
        let tx = crate::data::writer::begin_write(db).await?;
        result_count::replace(&tx, chunk, vec![]).await?;
        spci_run_verdict::Entity::delete_many()
            .filter(spci_run_verdict::Column::TestId.is_in(chunk.iter().copied()))
            .exec(&tx)
            .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Runs whose verdict row is missing or not for their last progress row (0: none).
async fn stale_progress(db: &impl ConnectionTrait) -> Result<Vec<i32>, DbErr> {
    let (l, v, last) = (Alias::new("l"), Alias::new("v"), Alias::new("last_id"));
    let latest = Query::select()
        .column(test_progress::Column::TestId)
        .expr_as(Expr::col(test_progress::Column::Id).max(), last.clone())
        .from(test_progress::Entity)
        .and_where(Expr::col(test_progress::Column::TestId).is_not_null())
        .group_by_col(test_progress::Column::TestId)
        .to_owned();
    let q = Query::select()
        .column((test::Entity, test::Column::Id))
        .from(test::Entity)
        .join_subquery(
            JoinType::LeftJoin,
            latest,
            l.clone(),
            Expr::col((l.clone(), test_progress::Column::TestId))
                .equals((test::Entity, test::Column::Id)),
        )
        .join_as(
            JoinType::LeftJoin,
            spci_run_verdict::Entity,
            v.clone(),
            Expr::col((v.clone(), spci_run_verdict::Column::TestId))
                .equals((test::Entity, test::Column::Id)),
        )
        .cond_where(
            Expr::col((v.clone(), spci_run_verdict::Column::TestId))
                .is_null()
                .or(Expr::col((v, spci_run_verdict::Column::LastProgressId))
                    .ne(Func::coalesce([Expr::col((l, last)), Expr::val(0)]))),
        )
        .to_owned();
    let rows = db.query_all(&q).await?;
    rows.iter().map(|r| r.try_get_by_index::<i32>(0)).collect()
}

/// Up to `limit` runs judged under other rules than `rules`.
async fn stale_rules(db: &impl ConnectionTrait, rules: i64, limit: u64) -> Result<Vec<i32>, DbErr> {
    spci_run_verdict::Entity::find()
        .select_only()
        .column(spci_run_verdict::Column::TestId)
        .filter(spci_run_verdict::Column::Rules.ne(rules))
        // A queued run's verdict reads no rules.
        .filter(spci_run_verdict::Column::Status.ne(RunStatus::Queued.as_str()))
        .order_by_asc(spci_run_verdict::Column::TestId)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await
}

/// Computes and stores the verdict rows of `runs` from the rules: `queued` (last progress 0)
/// for a run without progress, nothing for a deleted run; and the status of each result of a
/// completed run. One transaction, so a reader never sees a run's verdict without its results'.
async fn judge(db: &DatabaseConnection, runs: &[i32], rules: i64) -> Result<(), DbErr> {
    if runs.is_empty() {
        return Ok(());
    }
    let loaded = Runs::load(db, runs).await?;
    let judging = Judging::load(db, runs).await?;
    let tx = crate::data::writer::begin_write(db).await?;
    let gone: Vec<i32> = runs
        .iter()
        .copied()
        .filter(|r| !loaded.runs.iter().any(|run| run.id == *r))
        .collect();
    if !gone.is_empty() {
        spci_run_verdict::Entity::delete_many()
            .filter(spci_run_verdict::Column::TestId.is_in(gone))
            .exec(&tx)
            .await?;
    }
    // Queued again (a restart deleted its progress) or never started: the verdict of an older
    // progress row goes, and the run reads as queued.
    let without_progress: Vec<i32> = loaded
        .runs
        .iter()
        .map(|r| r.id)
        .filter(|r| loaded.progress_of(*r).is_empty())
        .collect();
    if !without_progress.is_empty() {
        spci_run_verdict::Entity::delete_many()
            .filter(spci_run_verdict::Column::TestId.is_in(without_progress.iter().copied()))
            .filter(spci_run_verdict::Column::LastProgressId.ne(0))
            .exec(&tx)
            .await?;
        let queued = without_progress
            .iter()
            .map(|id| spci_run_verdict::ActiveModel {
                test_id: sea_orm::Set(*id),
                last_progress_id: sea_orm::Set(0),
                rules: sea_orm::Set(rules),
                status: sea_orm::Set(RunStatus::Queued.as_str().to_string()),
                effective_status: sea_orm::Set(RunStatus::Queued.as_str().to_string()),
            });
        spci_run_verdict::Entity::insert_many(queued)
            .on_conflict(
                OnConflict::column(spci_run_verdict::Column::TestId)
                    // MySQL has no DO NOTHING: the key is assigned to itself instead.
                    .do_nothing_on([spci_run_verdict::Column::TestId])
                    .to_owned(),
            )
            .exec_without_returning(&tx)
            .await?;
    }
    let rows: Vec<spci_run_verdict::ActiveModel> = loaded
        .runs
        .iter()
        .filter_map(|run| {
            let last = loaded.progress_of(run.id).last()?;
            let (status, effective) =
                judging.run_statuses(run.id, loaded.phase(run.id), loaded.completed_at(run.id));
            Some(spci_run_verdict::ActiveModel {
                test_id: sea_orm::Set(run.id),
                last_progress_id: sea_orm::Set(last.id),
                rules: sea_orm::Set(rules),
                status: sea_orm::Set(status.as_str().to_string()),
                effective_status: sea_orm::Set(effective.as_str().to_string()),
            })
        })
        .collect();
    if !rows.is_empty() {
        spci_run_verdict::Entity::insert_many(rows)
            .on_conflict(newest_wins(db.get_database_backend()))
            .exec_without_returning(&tx)
            .await?;
    }
    // The results follow the run verdict that won: a slower writer whose verdict lost leaves
    // the winner's result verdicts alone. Reading the rows back locks them (PostgreSQL,
    // MySQL), so two writers of one run take turns.
    let mut read_back = spci_run_verdict::Entity::find()
        .filter(spci_run_verdict::Column::TestId.is_in(runs.iter().copied()));
    if db.get_database_backend() != DatabaseBackend::Sqlite {
        read_back = read_back.lock_exclusive();
    }
    let stored: HashMap<i32, i32> = read_back
        .all(&tx)
        .await?
        .into_iter()
        .map(|v| (v.test_id, v.last_progress_id))
        .collect();
    let ours = |run: i32| loaded.progress_of(run).last().map_or(0, |p| p.id);
    let won: Vec<i32> = runs
        .iter()
        .copied()
        .filter(|run| stored.get(run).is_none_or(|last| *last == ours(*run)))
        .collect();
    store_result_verdicts(&tx, &won, &loaded, &judging).await?;
    tx.commit().await
}

/// The verdict upsert under which a slower writer holding older facts (a smaller last progress
/// id) never overwrites a newer verdict, on every backend.
pub fn newest_wins(backend: DatabaseBackend) -> OnConflict {
    use spci_run_verdict::Column as C;
    let mut on_conflict = OnConflict::column(C::TestId);
    if backend == DatabaseBackend::MySql {
        // No conditional upsert in MySQL: each column keeps its value unless the incoming row
        // is at least as new. `last_progress_id` goes last, as MySQL assigns left to right and
        // later assignments see the earlier ones.
        let keep_unless_newer = |col: &str| {
            Expr::cust(format!(
                "IF(VALUES(`last_progress_id`) >= `last_progress_id`, VALUES(`{col}`), `{col}`)"
            ))
        };
        on_conflict.values([
            (C::Status, keep_unless_newer("status")),
            (C::EffectiveStatus, keep_unless_newer("effective_status")),
            (C::Rules, keep_unless_newer("rules")),
            (C::LastProgressId, keep_unless_newer("last_progress_id")),
        ]);
    } else {
        on_conflict.update_columns([C::LastProgressId, C::Rules, C::Status, C::EffectiveStatus]);
        on_conflict.action_and_where(
            Expr::col((spci_run_verdict::Entity, C::LastProgressId))
                .lte(Expr::col((Alias::new("excluded"), C::LastProgressId))),
        );
    }
    on_conflict.to_owned()
}

/// Replaces the result verdicts of `runs`: one row per result of each completed run (the
/// history's rule: a result is judged on what it reported, whatever the run's phase), none for
/// any other run, whose results may still grow and are judged when read.
async fn store_result_verdicts(
    tx: &impl ConnectionTrait,
    runs: &[i32],
    loaded: &Runs,
    judging: &Judging,
) -> Result<(), DbErr> {
    let completed: BTreeSet<i32> = loaded
        .runs
        .iter()
        .map(|r| r.id)
        .filter(|r| runs.contains(r) && loaded.phase(*r) == Phase::Completed)
        .collect();
    let rows = judging
        .results
        .keys()
        .filter(|(run, _)| completed.contains(run))
        .map(|&(run, rt)| spci_result_verdict::ActiveModel {
            test_id: sea_orm::Set(run),
            regression_test_id: sea_orm::Set(rt),
            status: sea_orm::Set(judging.result_status(run, rt).as_str().to_string()),
        })
        .collect();
    result_count::replace(tx, runs, rows).await
}

/// A SHA-256 over every input of the rules besides a run's own rows: each expected output (id,
/// owner, `ignore`), each accepted variant (id, output, hash) and each regression test's
/// `active` flag. Any edit to any of them gives another value. These tables hold the library
/// (thousands of rows, not millions); only the background refresher reads them whole.
async fn fingerprint(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let mut h = Sha256::new();
    let mut field = |tag: u8, bytes: &[u8]| {
        h.update([tag]);
        h.update((bytes.len() as u32).to_le_bytes());
        h.update(bytes);
    };
    let outputs: Vec<(i32, Option<i32>, Option<bool>)> = regression_test_output::Entity::find()
        .select_only()
        .columns([
            regression_test_output::Column::Id,
            regression_test_output::Column::RegressionId,
            regression_test_output::Column::Ignore,
        ])
        .order_by_asc(regression_test_output::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    for (id, rt, ignore) in outputs {
        field(b'o', &id.to_le_bytes());
        field(b'r', &rt.unwrap_or(-1).to_le_bytes());
        field(b'i', &[u8::from(ignore.unwrap_or(false))]);
    }
    let variants: Vec<(i32, Option<i32>, Option<String>)> =
        regression_test_output_files::Entity::find()
            .select_only()
            .columns([
                regression_test_output_files::Column::Id,
                regression_test_output_files::Column::RegressionTestOutputId,
                regression_test_output_files::Column::FileHashes,
            ])
            .order_by_asc(regression_test_output_files::Column::Id)
            .into_tuple()
            .all(db)
            .await?;
    for (id, output, hash) in variants {
        field(b'v', &id.to_le_bytes());
        field(b'o', &output.unwrap_or(-1).to_le_bytes());
        match hash {
            Some(hash) => field(b'h', hash.as_bytes()),
            None => field(b'n', &[]),
        }
    }
    let tests: Vec<(i32, Option<bool>)> = regression_test::Entity::find()
        .select_only()
        .columns([regression_test::Column::Id, regression_test::Column::Active])
        .order_by_asc(regression_test::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    for (id, active) in tests {
        field(b't', &id.to_le_bytes());
        // NULL is inactive to upstream and to spci: it hashes as false.
        field(b'a', &[u8::from(active == Some(true))]);
    }
    let digest = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    // Positive, so it survives any integer column type unchanged.
    Ok(i64::from_le_bytes(first) & i64::MAX)
}
