//! The one way a read-write transaction starts. SQLite cannot upgrade a deferred transaction
//! that has already read to a writer while another connection holds the write lock: it answers
//! "database is locked" at once, whatever the busy timeout. `BEGIN IMMEDIATE` takes the write
//! lock up front and waits for it (the busy timeout), so concurrent writers queue instead of
//! failing. PostgreSQL and MySQL lock rows as they go and ignore the mode.
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};

pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}
