//! Database errors in the domain's words: a fault is internal, a unique index refusing a row is
//! whatever conflict the caller names.
use crate::domain::DomainError;
use sea_orm::{DbErr, SqlErr, TransactionError};

impl From<DbErr> for DomainError {
    fn from(e: DbErr) -> Self {
        if is_unavailable(&e) {
            tracing::warn!(error = %e, "database unavailable");
            return super::availability::database_unavailable();
        }
        Self::internal(format!("database: {e}"))
    }
}

/// The database could not be reached (no connection within the acquire timeout, a connection
/// lost mid-statement): an outage to retry after, not a fault of the request or of ours.
pub fn is_unavailable(e: &DbErr) -> bool {
    use sea_orm::{RuntimeErr, SqlxError};
    match e {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(s)) | DbErr::Query(RuntimeErr::SqlxError(s)) => {
            matches!(
                **s,
                SqlxError::Io(_)
                    | SqlxError::PoolTimedOut
                    | SqlxError::PoolClosed
                    | SqlxError::WorkerCrashed
            )
        }
        _ => false,
    }
}

impl From<TransactionError<DomainError>> for DomainError {
    fn from(e: TransactionError<DomainError>) -> Self {
        match e {
            TransactionError::Connection(e) => e.into(),
            TransactionError::Transaction(e) => e,
        }
    }
}

/// For `map_err`: a unique-constraint violation (the race an up-front check lost) becomes
/// `taken`; any other error stays a fault.
pub fn unique_violation(taken: impl FnOnce() -> DomainError) -> impl FnOnce(DbErr) -> DomainError {
    move |e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => taken(),
        _ => e.into(),
    }
}

/// A deadlock or a serialization failure (SQLSTATE 40001, PostgreSQL's 40P01): the transaction
/// lost a race with another writer and changed nothing, so running it again is safe.
///
/// InnoDB also reports a deadlock on the table-level AUTO-INC lock of an `INSERT … SELECT` as
/// MySQL error 1467 ("Failed to read auto-increment value"), SQLSTATE HY000: 90 of 4,424
/// cancels under the mixed load on MariaDB, and as safe to run again.
pub fn is_transient(e: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    use sea_orm::sqlx::mysql::MySqlDatabaseError;
    let (DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e))) = e else {
        return false;
    };
    let Some(d) = e.as_database_error() else {
        return false;
    };
    d.code()
        .is_some_and(|code| matches!(code.as_ref(), "40001" | "40P01"))
        || d.try_downcast_ref::<MySqlDatabaseError>()
            .is_some_and(|m| m.number() == AUTOINC_LOCK_DEADLOCK)
}

const AUTOINC_LOCK_DEADLOCK: u16 = 1467;
