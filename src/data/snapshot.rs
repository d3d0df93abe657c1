//! A read-only transaction that sees one state of the database, for an answer built from
//! several queries that must agree (a page and its total read from two tables that one writer
//! updates together). SQLite in WAL mode gives a deferred transaction that snapshot; PostgreSQL
//! needs REPEATABLE READ for it; MySQL's default is already that.
use sea_orm::{
    AccessMode, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr, IsolationLevel,
    TransactionTrait,
};

pub async fn snapshot(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    match db.get_database_backend() {
        // SQLite has no isolation levels to set (sea-orm would warn on every call).
        DatabaseBackend::Sqlite => db.begin().await,
        _ => {
            db.begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await
        }
    }
}
