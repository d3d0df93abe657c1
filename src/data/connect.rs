//! Connecting and migrating. Several replicas may start at once, so migrations run under a
//! database-wide lock (PostgreSQL advisory lock, MySQL named lock; SQLite serialises writers).
use migration::MigratorTrait;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, Statement,
};
use std::time::Duration;

/// Arbitrary but fixed: every spci replica contends for the same lock.
const MIGRATION_LOCK_KEY: i64 = 0x5ec1_0001;

/// `acquire` bounds how long a statement waits for a connection: when the database is down,
/// the request fails (503) within it rather than hanging.
pub async fn connect(url: &str, acquire: Duration) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_string());
    opts.connect_timeout(Duration::from_secs(5))
        .acquire_timeout(acquire)
        .sqlx_logging(false);
    if url.starts_with("sqlite:") {
        // SQLite: one writer at a time; waiting beats failing with SQLITE_BUSY.
        opts.max_connections(if url.contains(":memory:") { 1 } else { 8 });
    }
    let db = Database::connect(opts).await?;
    if db.get_database_backend() == DbBackend::Sqlite {
        for pragma in [
            "PRAGMA foreign_keys = ON",
            "PRAGMA busy_timeout = 5000",
            "PRAGMA journal_mode = WAL",
        ] {
            db.execute_unprepared(pragma).await?;
        }
    }
    Ok(db)
}

/// Open and idle connections of the pool, for the metrics.
pub fn pool_use(db: &DatabaseConnection) -> (u32, u32) {
    let idle = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let p = db.get_postgres_connection_pool();
            (p.size(), idle(p.num_idle()))
        }
        DbBackend::MySql => {
            let p = db.get_mysql_connection_pool();
            (p.size(), idle(p.num_idle()))
        }
        _ => {
            let p = db.get_sqlite_connection_pool();
            (p.size(), idle(p.num_idle()))
        }
    }
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    use sea_orm::TransactionTrait;
    let backend = db.get_database_backend();
    // The lock lives on one pinned connection (a transaction) while the migrator uses others.
    let (lock, unlock) = match backend {
        DbBackend::Postgres => (
            format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})"),
            None,
        ),
        DbBackend::MySql => (
            "SELECT GET_LOCK('spci_migrations', 300)".to_string(),
            Some("SELECT RELEASE_LOCK('spci_migrations')".to_string()),
        ),
        _ => return migration::Migrator::up(db, None).await,
    };
    let guard = db.begin().await?;
    guard
        .execute_raw(Statement::from_string(backend, lock))
        .await?;
    let result = migration::Migrator::up(db, None).await;
    if let Some(unlock) = unlock {
        guard
            .execute_raw(Statement::from_string(backend, unlock))
            .await?;
    }
    guard.commit().await?;
    result
}
