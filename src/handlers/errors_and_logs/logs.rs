//! What the log operations share.
use crate::domain::{DomainError, ErrorKind};

pub fn log_not_found() -> DomainError {
    DomainError::new(ErrorKind::LogNotFound, "No log was stored for this run.")
}
