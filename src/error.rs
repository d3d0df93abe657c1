//! The one error type, and the one place it becomes the JSON error contract
//! `{code, message, details}` (reference §5.1) — for handler errors, for poem-openapi's own
//! parse/validation/auth errors, and for errors that never reach an operation.
use crate::api::Error;
use crate::routing::allowed_methods;
use poem::http::{HeaderValue, StatusCode, header};
use poem::{IntoResponse, Response};
use serde_json::{Map, Value};

/// Messages are capped like upstream's so an error body stays small whatever caused it.
const MAX_MESSAGE: usize = 500;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    pub details: Map<String, Value>,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        let mut message: String = message.into();
        if message.len() > MAX_MESSAGE {
            let mut cut = MAX_MESSAGE;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message.truncate(cut);
        }
        Self {
            status,
            code,
            message,
            details: Map::new(),
        }
    }

    pub fn detail(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.details.insert(key.to_string(), value.into());
        self
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(400, "validation_error", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(401, "unauthorized", message)
    }

    pub fn invalid_credentials() -> Self {
        Self::new(401, "invalid_credentials", "Invalid email or password.")
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, "forbidden", message)
    }

    /// The same answer for "does not exist" and "exists but is not yours", so ids can't be probed.
    pub fn not_found(what: &str) -> Self {
        Self::new(404, "not_found", format!("{what} not found."))
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(409, "conflict", message)
    }

    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(422, "unprocessable", message)
    }

    pub fn rate_limited(retry_after: u64, limit: u32, window_secs: u64) -> Self {
        Self::new(
            429,
            "rate_limited",
            format!("Rate limit exceeded; retry in {retry_after}s."),
        )
        .detail("retry_after", retry_after)
        .detail("limit", limit)
        .detail("window", format!("{window_secs}s"))
    }

    /// Logs the cause and answers without it: a 500 never leaks internals.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(500, "internal_error", "An internal error occurred.")
    }

    pub fn not_implemented(operation_id: &str) -> Self {
        Self::new(
            501,
            "not_implemented",
            format!("{operation_id} is not implemented yet."),
        )
        .detail("operation_id", operation_id)
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(503, "service_unavailable", message)
    }

    /// poem / poem-openapi errors (parameter parsing, validators, bodies, content types, auth
    /// header, routing, size limits, panics) mapped onto our codes.
    pub fn from_poem(err: poem::Error) -> Self {
        use poem_openapi::error::{
            AuthorizationError, ContentTypeError, ParseMultipartError, ParseParamError,
            ParsePathError, ParseRequestPayloadError,
        };
        let status = err.status();
        if err.is::<AuthorizationError>() {
            return Self::unauthorized("Missing or malformed bearer token.");
        }
        if err.is::<ContentTypeError>() || status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
            return Self::new(
                415,
                "validation_error",
                "Content-Type must be application/json.",
            )
            .detail("reason", err.to_string());
        }
        if err.is::<ParseParamError>()
            || err.is::<ParsePathError>()
            || err.is::<ParseRequestPayloadError>()
            || err.is::<ParseMultipartError>()
        {
            return Self::validation("Request failed validation.")
                .detail("reason", err.to_string());
        }
        match status {
            StatusCode::NOT_FOUND => Self::not_found("Resource"),
            StatusCode::METHOD_NOT_ALLOWED => {
                Self::new(405, "method_not_allowed", "Method not allowed.")
            }
            StatusCode::PAYLOAD_TOO_LARGE => {
                Self::new(413, "payload_too_large", "Request body too large.")
            }
            s if s.is_server_error() => Self::internal(err),
            s => Self::new(s.as_u16(), "validation_error", "Bad request.")
                .detail("reason", err.to_string()),
        }
    }

    pub fn body(&self) -> Error {
        Error {
            code: self.code.to_string(),
            message: self.message.clone(),
            details: Value::Object(self.details.clone()),
        }
    }

    /// For errors raised outside any operation (routing, middleware).
    pub fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        poem_openapi::payload::Json(self.body())
            .with_status(status)
            .into_response()
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::internal(e)
    }
}

impl From<sea_orm::TransactionError<ApiError>> for ApiError {
    fn from(e: sea_orm::TransactionError<ApiError>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(e) => Self::internal(e),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}

/// Implemented by every generated response enum: the statuses its operation documents.
pub trait ErrorResponse: Sized {
    const STATUSES: &'static [u16];
    fn with_error(status: u16, body: Error) -> Self;

    /// An error whose status the operation does not document is a bug in the handler; it is
    /// logged and answered as the documented 500, never sent with an undocumented status.
    fn from_error(e: ApiError) -> Self {
        if Self::STATUSES.contains(&e.status) {
            Self::with_error(e.status, e.body())
        } else {
            let internal =
                ApiError::internal(format!("undocumented status {} ({})", e.status, e.code));
            Self::with_error(500, internal.body())
        }
    }
}

/// Handlers are written as `Result<Response, ApiError>` and flattened here.
pub fn respond<R: ErrorResponse>(r: Result<R, ApiError>) -> R {
    r.unwrap_or_else(R::from_error)
}

/// Last-resort mapper for errors that never reach an operation: unknown path (404), wrong method
/// (405, with the `Allow` the spec implies for that path), body too large (413), panics (500).
pub fn framework_error(err: poem::Error, request_path: &str) -> Response {
    let is_405 = err.status() == StatusCode::METHOD_NOT_ALLOWED;
    let mut resp = ApiError::from_poem(err).into_response();
    if is_405 {
        let allow = allowed_methods(request_path).join(", ");
        if let Ok(v) = HeaderValue::from_str(&allow) {
            resp.headers_mut().insert(header::ALLOW, v);
        }
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_capped_on_a_char_boundary() {
        let e = ApiError::validation("é".repeat(400));
        assert!(e.message.len() <= MAX_MESSAGE);
        assert!(e.message.chars().all(|c| c == 'é'));
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let e = ApiError::internal("password=hunter2 at db.rs:42");
        assert_eq!(e.status, 500);
        assert!(!e.message.contains("hunter2") && e.details.is_empty());
    }
}
