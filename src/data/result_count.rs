//! The per-test, per-status counts of stored result verdicts (`spci_result_count`). A sample's
//! history total is the sum of its tests' counts plus the results of unfinished runs, instead
//! of a count over its whole history. Every write or delete of result verdicts goes through
//! [`replace`], in the caller's transaction, so the counts always equal a `GROUP BY` over
//! `spci_result_verdict`.
use super::entity::{spci_result_count, spci_result_verdict, spci_run_verdict};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, QueryFilter, QuerySelect,
};
use std::collections::{BTreeMap, BTreeSet};

/// Result verdicts per (regression test, status).
pub type Tally = BTreeMap<(i32, String), i64>;

/// The tally of some (regression test, status) pairs, one per result.
pub fn tally<'a>(results: impl IntoIterator<Item = (i32, &'a str)>) -> Tally {
    let mut t = Tally::new();
    for (rt, status) in results {
        *t.entry((rt, status.to_string())).or_default() += 1;
    }
    t
}

/// What to add to each count to go from `before` to `after`; pairs that do not change are left
/// out, so a re-judge that changes nothing writes nothing.
pub fn delta(before: &Tally, after: &Tally) -> Tally {
    let keys: BTreeSet<&(i32, String)> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let d = after.get(k).copied().unwrap_or(0) - before.get(k).copied().unwrap_or(0);
            (d != 0).then(|| (k.clone(), d))
        })
        .collect()
}

/// Deletes the result verdicts of `runs` and inserts `rows` (their replacements, for some of
/// those runs), moving the counts by the difference. Reading the old rows locks them
/// (PostgreSQL, MySQL).
pub async fn replace(
    tx: &impl ConnectionTrait,
    runs: &[i32],
    rows: Vec<spci_result_verdict::ActiveModel>,
) -> Result<(), DbErr> {
    use spci_result_verdict::Column as C;
    if runs.is_empty() {
        return Ok(());
    }
    let locking = tx.get_database_backend() != DatabaseBackend::Sqlite;
    if locking {
        // Every writer of a run's result verdicts holds its verdict row first, so two of them
        // take turns instead of inserting the same keys at once.
        spci_run_verdict::Entity::find()
            .filter(spci_run_verdict::Column::TestId.is_in(runs.iter().copied()))
            .lock_exclusive()
            .all(tx)
            .await?;
    }
    let mut old = spci_result_verdict::Entity::find()
        .select_only()
        .column(C::RegressionTestId)
        .column(C::Status)
        .filter(C::TestId.is_in(runs.iter().copied()));
    if locking {
        // A locking read sees the newest rows whatever snapshot the transaction holds.
        old = old.lock_exclusive();
    }
    let old: Vec<(i32, String)> = old.into_tuple().all(tx).await?;
    let before = tally(old.iter().map(|(rt, s)| (*rt, s.as_str())));
    spci_result_verdict::Entity::delete_many()
        .filter(C::TestId.is_in(runs.iter().copied()))
        .exec(tx)
        .await?;
    let after = tally(
        rows.iter()
            .map(|r| (*r.regression_test_id.as_ref(), r.status.as_ref().as_str())),
    );
    for chunk in rows.chunks(RESULTS_PER_INSERT) {
        spci_result_verdict::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(tx)
            .await?;
    }
    apply(tx, &delta(&before, &after)).await
}

/// Result rows per INSERT: three bound values each, well under every backend's limit.
const RESULTS_PER_INSERT: usize = 2000;

/// Adds `by` to the counts, in key order (two writers lock the rows in the same order).
async fn apply(tx: &impl ConnectionTrait, by: &Tally) -> Result<(), DbErr> {
    use spci_result_count::Column as C;
    if by.is_empty() {
        return Ok(());
    }
    let add = match tx.get_database_backend() {
        DatabaseBackend::MySql => Expr::cust("`results` + VALUES(`results`)"),
        _ => Expr::col((spci_result_count::Entity, C::Results))
            .add(Expr::col((Alias::new("excluded"), C::Results))),
    };
    let rows = by
        .iter()
        .map(|((rt, status), n)| spci_result_count::ActiveModel {
            regression_test_id: sea_orm::Set(*rt),
            status: sea_orm::Set(status.clone()),
            results: sea_orm::Set(*n),
        });
    spci_result_count::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([C::RegressionTestId, C::Status])
                .value(C::Results, add)
                .to_owned(),
        )
        .exec_without_returning(tx)
        .await
        .map(|_| ())
}

/// How many stored result verdicts the tests `rts` have, with status `only` or any.
pub async fn stored(
    db: &impl ConnectionTrait,
    rts: &BTreeSet<i32>,
    only: Option<&str>,
) -> Result<u64, DbErr> {
    use spci_result_count::Column as C;
    let mut q = spci_result_count::Entity::find()
        .select_only()
        .column(C::Results)
        .filter(C::RegressionTestId.is_in(rts.iter().copied()));
    if let Some(status) = only {
        q = q.filter(C::Status.eq(status));
    }
    let counts: Vec<i64> = q.into_tuple().all(db).await?;
    Ok(u64::try_from(counts.into_iter().sum::<i64>()).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(pairs: &[(i32, &str, i64)]) -> Tally {
        pairs
            .iter()
            .map(|(rt, s, n)| ((*rt, s.to_string()), *n))
            .collect()
    }

    #[test]
    fn deltas() {
        let cases: [(&str, Tally, Tally, Tally); 5] = [
            ("nothing", t(&[]), t(&[]), t(&[])),
            (
                "first judging",
                t(&[]),
                t(&[(1, "pass", 3)]),
                t(&[(1, "pass", 3)]),
            ),
            (
                "unchanged",
                t(&[(1, "pass", 3)]),
                t(&[(1, "pass", 3)]),
                t(&[]),
            ),
            (
                "one result fails now",
                t(&[(1, "pass", 3)]),
                t(&[(1, "pass", 2), (1, "fail", 1)]),
                t(&[(1, "pass", -1), (1, "fail", 1)]),
            ),
            (
                "forgotten",
                t(&[(1, "pass", 2), (2, "fail", 1)]),
                t(&[]),
                t(&[(1, "pass", -2), (2, "fail", -1)]),
            ),
        ];
        for (name, before, after, want) in cases {
            assert_eq!(delta(&before, &after), want, "{name}");
        }
    }

    #[test]
    fn tallies_count_each_result_once() {
        let got = tally([(1, "pass"), (1, "pass"), (2, "fail")]);
        assert_eq!(got, t(&[(1, "pass", 2), (2, "fail", 1)]));
    }
}
