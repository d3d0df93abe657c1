//! Data access: entities, the connection, batch loaders (a fixed number of queries whatever the
//! page size), the catalog, the materialised run verdicts and the database leases.
pub mod accounts;
pub mod audit;
pub mod availability;
pub mod cancel;
pub mod catalog;
pub mod comparison;
pub mod connect;
pub mod entity;
pub mod error;
pub mod events;
pub mod file_removal;
pub mod filters;
pub mod idempotency;
pub mod lease;
pub mod like;
pub mod loaders;
pub mod lookup;
pub mod maintenance;
pub mod outbox;
pub mod quarantine;
pub mod result_count;
pub mod snapshot;
pub mod stability;
pub mod token_use;
pub mod union_page;
pub mod verdict_cache;
pub mod versions;
pub mod webhooks;
pub mod writer;

use chrono::{NaiveDateTime, Timelike, Utc};
use sea_orm::sea_query::{Expr, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QuerySelect, Select};

/// `SELECT COUNT(*)` over `q`'s rows, as one statement. sea-orm's paginator count wraps the
/// query in a derived table, which MariaDB materialises row by row (200,000 rows of a
/// sample's history took 150 ms); a plain count is an index range on every backend.
pub async fn count<E: EntityTrait>(
    db: &impl ConnectionTrait,
    mut q: Select<E>,
) -> Result<u64, DbErr> {
    // An ORDER BY beside COUNT(*) is an error on PostgreSQL (the column is not grouped).
    sea_orm::QueryTrait::query(&mut q).clear_order_by();
    let n: Option<i64> = q
        .select_only()
        .expr_as(Expr::cust("COUNT(*)"), "n")
        .into_tuple()
        .one(db)
        .await?;
    Ok(n.unwrap_or(0).max(0) as u64)
}

/// One offset page of `q` (already ordered) and the total it is a page of: two statements
/// whatever the page size.
pub async fn page<E: EntityTrait>(
    db: &impl ConnectionTrait,
    q: Select<E>,
    limit: i32,
    offset: i32,
) -> Result<(Vec<E::Model>, u64), DbErr> {
    let total = count(db, q.clone()).await?;
    let rows = q.offset(offset as u64).limit(limit as u64).all(db).await?;
    Ok((rows, total))
}

/// The single number a hand-built `SELECT COUNT(..)` statement answers (0 for no row).
pub async fn count_of(db: &impl ConnectionTrait, q: &SelectStatement) -> Result<i64, DbErr> {
    db.query_one(q)
        .await?
        .map(|r| r.try_get_by_index::<i64>(0))
        .transpose()
        .map(|n| n.unwrap_or(0))
}

/// Now, at the second resolution of upstream's DATETIME columns: what such a column would store.
pub fn db_now() -> NaiveDateTime {
    let now = Utc::now().naive_utc();
    now.with_nanosecond(0).unwrap_or(now)
}
