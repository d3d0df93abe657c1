//! spci's event log (`spci_event`) and the recorder's cursors.
//!
//! Only the recorder (`live::recorder`, one replica at a time under a lease) appends, one
//! transaction per pass, so ids are committed in order and a reader that asks for ids after the
//! last one it saw misses nothing. (run_id, kind, subject) is unique, so a rescan or a second
//! recorder after a lease handover adds nothing twice.
use super::entity::spci_event::{self, Column};
use super::entity::spci_event_cursor;
use crate::domain::events::LogKind;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::{HashMap, HashSet};

/// An entry about to be recorded.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub run_id: i32,
    pub kind: LogKind,
    /// The progress row, regression test or approval it is about.
    pub subject: i64,
    pub data: serde_json::Value,
}

/// Appends `e`; its id.
pub async fn append(db: &impl ConnectionTrait, e: &NewEvent) -> Result<i64, DbErr> {
    let row = spci_event::ActiveModel {
        run_id: Set(e.run_id),
        kind: Set(e.kind.as_str().to_string()),
        subject: Set(e.subject),
        data: Set(e.data.to_string()),
        created_at: Set(super::db_now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

/// Which of `wanted` (run, kind, subject) are recorded already.
pub async fn recorded(
    db: &impl ConnectionTrait,
    runs: &[i32],
    kinds: &[LogKind],
) -> Result<HashSet<(i32, LogKind, i64)>, DbErr> {
    if runs.is_empty() {
        return Ok(HashSet::new());
    }
    let rows: Vec<(i32, String, i64)> = spci_event::Entity::find()
        .select_only()
        .columns([Column::RunId, Column::Kind, Column::Subject])
        .filter(Column::RunId.is_in(runs.iter().copied()))
        .filter(Column::Kind.is_in(kinds.iter().map(|k| k.as_str())))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(r, k, s)| Some((r, LogKind::parse(&k)?, s)))
        .collect())
}

/// How many entries of `kind` each of `runs` has.
pub async fn counts(
    db: &impl ConnectionTrait,
    runs: &[i32],
    kind: LogKind,
) -> Result<HashMap<i32, i64>, DbErr> {
    if runs.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i32, i64)> = spci_event::Entity::find()
        .select_only()
        .column(Column::RunId)
        .column_as(Expr::col(Column::Id).count(), "n")
        .filter(Column::RunId.is_in(runs.iter().copied()))
        .filter(Column::Kind.eq(kind.as_str()))
        .group_by(Column::RunId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The data of the newest entry of `kind` of each of `runs`.
pub async fn latest(
    db: &impl ConnectionTrait,
    runs: &[i32],
    kind: LogKind,
) -> Result<HashMap<i32, serde_json::Value>, DbErr> {
    if runs.is_empty() {
        return Ok(HashMap::new());
    }
    #[derive(FromQueryResult)]
    struct Newest {
        id: i64,
    }
    let newest: Vec<Newest> = spci_event::Entity::find()
        .select_only()
        .column_as(Expr::col(Column::Id).max(), "id")
        .filter(Column::RunId.is_in(runs.iter().copied()))
        .filter(Column::Kind.eq(kind.as_str()))
        .group_by(Column::RunId)
        .into_model()
        .all(db)
        .await?;
    if newest.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = spci_event::Entity::find()
        .filter(Column::Id.is_in(newest.iter().map(|n| n.id)))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Some((r.run_id, serde_json::from_str(&r.data).ok()?)))
        .collect())
}

/// The run's streamed entries after id `after`, oldest first, at most `limit`.
pub async fn of_run(
    db: &impl ConnectionTrait,
    run: i32,
    after: i64,
    limit: u64,
) -> Result<Vec<spci_event::Model>, DbErr> {
    spci_event::Entity::find()
        .filter(Column::RunId.eq(run))
        .filter(Column::Id.gt(after))
        .filter(Column::Kind.is_in(LogKind::streamed_names()))
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// The id of the run's `completed` entry, if it has one.
pub async fn completed_id(db: &impl ConnectionTrait, run: i32) -> Result<Option<i64>, DbErr> {
    spci_event::Entity::find()
        .select_only()
        .column_as(Expr::col(Column::Id).max(), "id")
        .filter(Column::RunId.eq(run))
        .filter(Column::Kind.eq(LogKind::Completed.as_str()))
        .into_tuple::<Option<i64>>()
        .one(db)
        .await
        .map(Option::flatten)
}

/// Every entry after id `after`, oldest first, at most `limit`.
pub async fn after(
    db: &impl ConnectionTrait,
    after: i64,
    limit: u64,
) -> Result<Vec<spci_event::Model>, DbErr> {
    spci_event::Entity::find()
        .filter(Column::Id.gt(after))
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// The newest id (0 for an empty log).
pub async fn newest_id(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    spci_event::Entity::find()
        .select_only()
        .column_as(Expr::col(Column::Id).max(), "id")
        .into_tuple::<Option<i64>>()
        .one(db)
        .await
        .map(|v| v.flatten().unwrap_or(0))
}

/// Where the recorder stopped reading source `name`.
pub async fn cursor(db: &impl ConnectionTrait, name: &str) -> Result<Option<i64>, DbErr> {
    Ok(spci_event_cursor::Entity::find_by_id(name.to_string())
        .one(db)
        .await?
        .map(|c| c.position))
}

pub async fn set_cursor(db: &impl ConnectionTrait, name: &str, position: i64) -> Result<(), DbErr> {
    // MySQL counts an update that changes nothing as no row: ask first.
    if cursor(db, name).await?.is_some() {
        spci_event_cursor::Entity::update_many()
            .col_expr(spci_event_cursor::Column::Position, Expr::value(position))
            .filter(spci_event_cursor::Column::Name.eq(name))
            .exec(db)
            .await?;
    } else {
        spci_event_cursor::ActiveModel {
            name: Set(name.to_string()),
            position: Set(position),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}
