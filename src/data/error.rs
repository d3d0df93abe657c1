//! Database errors in the domain's words: a fault is internal, a unique index refusing a row is
//! whatever conflict the caller names.
use crate::domain::DomainError;
use sea_orm::{DbErr, SqlErr, TransactionError};

impl From<DbErr> for DomainError {
    fn from(e: DbErr) -> Self {
        Self::internal(format!("database: {e}"))
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
