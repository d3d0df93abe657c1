//! Pure rules, with their own table-driven tests: verdicts, error classification, run
//! comparison, flakiness, quarantine, forks, diffs, log lines, signed links and scopes. Nothing
//! here touches the database, files or HTTP; it depends on nothing but the generated wire enums.
pub mod accounts;
pub mod backoff;
pub mod classify;
pub mod comparison;
pub mod diff;
pub mod error;
pub mod etag;
pub mod events;
pub mod flakiness;
pub mod forks;
pub mod grouping;
pub mod idempotency;
pub mod links;
pub mod log_lines;
pub mod quarantine;
pub mod ranges;
pub mod rerun;
pub mod scopes;
pub mod uploads;
pub mod verdict;
pub mod webhooks;

pub use error::{DomainError, ErrorKind};
