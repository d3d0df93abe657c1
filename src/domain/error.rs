//! The one error of everything below the HTTP layer: what went wrong, in the domain's words.
//! `http::error` turns it into a status and the JSON error contract, in one place; nothing
//! here knows about HTTP.
use serde_json::{Map, Value};

/// Structured context a client can act on (field names, limits, required scopes).
pub type Details = Map<String, Value>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request breaks a rule (a field, a combination of fields).
    Invalid,
    /// A mailed link or an OAuth state that is altered, expired or already used.
    InvalidLink,
    /// No, a malformed, an unknown, an expired or a revoked token.
    Unauthenticated,
    /// Wrong email or password (the same answer for both).
    InvalidCredentials,
    /// The caller is known but may not do this.
    Forbidden,
    /// The object does not exist, or is not the caller's to see (the same answer for both).
    NotFound,
    /// An output the run should have produced is not there.
    MissingOutput,
    /// The run has no stored log.
    LogNotFound,
    /// The request conflicts with the current state (a duplicate name, a concurrent change).
    Conflict,
    /// Well-formed, but cannot be done (too large to diff, nothing to approve).
    Unprocessable,
    /// A body over its limit, found while streaming it (an upload).
    TooLarge,
    /// A byte range that starts past the end of the file.
    RangeNotSatisfiable,
    /// The caller, or the server, has as many event streams open as it may.
    TooManyStreams,
    /// A dependency is down or the server is busy.
    Unavailable,
    /// A fault of ours or of a dependency; the message is for the log, never for the client.
    Internal,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct DomainError {
    pub kind: ErrorKind,
    pub message: String,
    pub details: Details,
}

impl DomainError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            details: Details::new(),
        }
    }

    pub fn detail(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.details.insert(key.to_string(), value.into());
        self
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, message)
    }

    /// The same answer for altered, expired and used links, so none can be told apart.
    pub fn invalid_link() -> Self {
        Self::new(
            ErrorKind::InvalidLink,
            "The link is invalid, expired or already used.",
        )
    }

    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthenticated, message)
    }

    /// The token verified, but its account was deleted since.
    pub fn account_gone() -> Self {
        Self::unauthenticated("The token's account no longer exists.")
    }

    pub fn invalid_credentials() -> Self {
        Self::new(ErrorKind::InvalidCredentials, "Invalid email or password.")
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, message)
    }

    /// The same answer for "does not exist" and "exists but is not yours", so ids can't be probed.
    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorKind::NotFound, format!("{what} not found.")).detail("resource", what)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }

    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unprocessable, message)
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unavailable, message)
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::new(ErrorKind::Internal, cause.to_string())
    }
}
