//! The JSON error contract `{code, message, details}`: the one error of the HTTP layer, what a
//! domain error becomes at this boundary (the only place), and the one trait through which a
//! generated response enum answers it with a status its operation documents.
use crate::api::ErrorResponse;
use crate::domain::{DomainError, ErrorKind};
use poem::http::{HeaderMap, StatusCode};
use poem::{IntoResponse, Response};
use serde_json::{Map, Value};

/// Messages are capped like upstream's so an error body stays small whatever caused it.
const MAX_MESSAGE: usize = 500;
/// A value echoed in `details` (a parameter, a schema violation quoting the instance) is cut to
/// this many characters, so a 640 KB field cannot make a 2 MB error body.
pub const MAX_ECHO: usize = 200;
/// Items of a list in `details` (violations); the producer counts the rest in `omitted`.
pub const MAX_LISTED: usize = 20;

/// Cuts `s` to at most `max` characters, marking the cut with an ellipsis.
pub fn truncate_chars(mut s: String, max: usize) -> String {
    if let Some((cut, _)) = s.char_indices().nth(max) {
        let keep = s[..cut].char_indices().nth(max - 1).map_or(cut, |(i, _)| i);
        s.truncate(keep);
        s.push('…');
    }
    s
}

/// Every string in a detail value capped, every list cut to [`MAX_LISTED`].
fn cap(v: Value) -> Value {
    match v {
        Value::String(s) => Value::String(truncate_chars(s, MAX_ECHO)),
        Value::Array(a) => Value::Array(a.into_iter().take(MAX_LISTED).map(cap).collect()),
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| (truncate_chars(k, MAX_ECHO), cap(v)))
                .collect(),
        ),
        other => other,
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    pub details: Map<String, Value>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

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
        self.details.insert(key.to_string(), cap(value.into()));
        self
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(400, "validation_error", message)
    }

    /// Two parameters the spec orders (`x-ordered-params`) arrived the wrong way round.
    pub fn out_of_order(lower: &str, upper: &str) -> Self {
        Self::validation(format!("{lower} must not be later than {upper}.")).detail("field", lower)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(401, "unauthorized", message)
    }

    pub fn payload_too_large() -> Self {
        Self::new(413, "payload_too_large", "Request body too large.")
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

    /// poem / poem-openapi errors (parameter parsing, validators, bodies, content types, auth
    /// header, routing, size limits) mapped onto our codes; an `ApiError` a middleware raised
    /// comes back as it was.
    pub fn from_poem(err: poem::Error) -> Self {
        use poem_openapi::error::{
            AuthorizationError, ContentTypeError, ParseMultipartError, ParseParamError,
            ParsePathError, ParseRequestPayloadError,
        };
        if let Some(e) = err.downcast_ref::<ApiError>() {
            return e.clone();
        }
        let status = err.status();
        if err.is::<poem::error::CorsError>() {
            return Self::new(403, "forbidden", "Cross-origin request not allowed.")
                .detail("reason", err.to_string());
        }
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
            StatusCode::NOT_FOUND => Self::new(404, "not_found", "Resource not found."),
            StatusCode::METHOD_NOT_ALLOWED => {
                Self::new(405, "method_not_allowed", "Method not allowed.")
            }
            StatusCode::PAYLOAD_TOO_LARGE => Self::payload_too_large(),
            s if s.is_server_error() => Self::internal(err),
            s => Self::new(s.as_u16(), "validation_error", "Bad request.")
                .detail("reason", err.to_string()),
        }
    }

    pub fn body(&self) -> ErrorResponse {
        ErrorResponse {
            code: self.code.to_string(),
            message: self.message.clone(),
            details: Value::Object(self.details.clone()),
        }
    }

    /// The response for an error outside any operation (routing, middleware).
    pub fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        poem_openapi::payload::Json(self.body())
            .with_status(status)
            .into_response()
    }
}

/// A middleware's rejection travels as a `poem::Error` to the error contract, which answers it.
impl poem::error::ResponseError for ApiError {
    fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn as_response(&self) -> Response {
        self.clone().into_response()
    }
}

/// Headers a middleware wants on the response even when the request ends in an error (rate
/// limits, `Retry-After`); attached to the `poem::Error` and applied by the error contract.
#[derive(Clone, Debug, Default)]
pub struct ErrorHeaders(pub HeaderMap);

/// Where a domain error becomes an HTTP error: its status and code, and the one place a fault's
/// cause is logged and replaced by a message that leaks nothing.
impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        let (status, code) = match e.kind {
            ErrorKind::Invalid => (400, "validation_error"),
            ErrorKind::InvalidLink => (400, "invalid_link"),
            ErrorKind::Unauthenticated => (401, "unauthorized"),
            ErrorKind::InvalidCredentials => (401, "invalid_credentials"),
            ErrorKind::Forbidden => (403, "forbidden"),
            ErrorKind::NotFound => (404, "not_found"),
            ErrorKind::MissingOutput => (404, "missing_output"),
            ErrorKind::LogNotFound => (404, "log_not_found"),
            ErrorKind::Conflict => (409, "conflict"),
            ErrorKind::Unprocessable => (422, "unprocessable"),
            ErrorKind::TooLarge => (413, "payload_too_large"),
            ErrorKind::RangeNotSatisfiable => (416, "range_not_satisfiable"),
            ErrorKind::TooManyStreams => (429, "too_many_streams"),
            ErrorKind::Unavailable => (503, "service_unavailable"),
            ErrorKind::Internal => return Self::internal(e.message),
        };
        let mut api = Self::new(status, code, e.message);
        api.details = e.details.into_iter().map(|(k, v)| (k, cap(v))).collect();
        api
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        DomainError::from(e).into()
    }
}

/// Implemented by every generated response enum: the statuses its operation documents.
pub trait FromApiError: Sized {
    const STATUSES: &'static [u16];
    fn with_error(status: u16, body: ErrorResponse) -> Self;

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

    /// What the adapter answers for a handler's result.
    fn answer(result: Result<Self, ApiError>) -> Self {
        result.unwrap_or_else(Self::from_error)
    }
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
    fn echoed_values_and_lists_are_capped() {
        let huge = "x".repeat(640 * 1024);
        let e = ApiError::validation("bad")
            .detail("reason", huge.clone())
            .detail("errors", vec![huge.clone(); 1000]);
        let reason = e.details["reason"].as_str().unwrap();
        assert_eq!(reason.chars().count(), MAX_ECHO);
        assert!(reason.ends_with('…'));
        let errors = e.details["errors"].as_array().unwrap();
        assert_eq!(errors.len(), MAX_LISTED);
        assert!(
            errors
                .iter()
                .all(|v| v.as_str().unwrap().chars().count() == MAX_ECHO)
        );
        let from_domain = ApiError::from(DomainError::invalid("x").detail("value", huge));
        assert_eq!(
            from_domain.details["value"]
                .as_str()
                .unwrap()
                .chars()
                .count(),
            MAX_ECHO
        );
        // (input, max, output): short strings and exact fits are untouched
        let cases = [
            ("abc", 3, "abc"),
            ("abcd", 3, "ab…"),
            ("ééé", 2, "é…"),
            ("", 1, ""),
        ];
        for (input, max, out) in cases {
            assert_eq!(truncate_chars(input.into(), max), out, "{input}");
        }
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let e = ApiError::internal("password=hunter2 at db.rs:42");
        assert_eq!(e.status, 500);
        assert!(!e.message.contains("hunter2") && e.details.is_empty());
        let e = ApiError::from(DomainError::internal("password=hunter2 at db.rs:42"));
        assert_eq!(e.status, 500);
        assert!(!e.message.contains("hunter2") && e.details.is_empty());
    }

    #[test]
    fn domain_errors_map_to_their_status_and_code() {
        let cases = [
            (DomainError::invalid("x"), 400, "validation_error"),
            (DomainError::invalid_link(), 400, "invalid_link"),
            (DomainError::unauthenticated("x"), 401, "unauthorized"),
            (
                DomainError::invalid_credentials(),
                401,
                "invalid_credentials",
            ),
            (DomainError::forbidden("x"), 403, "forbidden"),
            (DomainError::not_found("Run"), 404, "not_found"),
            (
                DomainError::new(ErrorKind::MissingOutput, "x"),
                404,
                "missing_output",
            ),
            (
                DomainError::new(ErrorKind::LogNotFound, "x"),
                404,
                "log_not_found",
            ),
            (DomainError::conflict("x"), 409, "conflict"),
            (DomainError::unprocessable("x"), 422, "unprocessable"),
            (
                DomainError::new(ErrorKind::TooManyStreams, "x"),
                429,
                "too_many_streams",
            ),
            (
                DomainError::new(ErrorKind::TooLarge, "x"),
                413,
                "payload_too_large",
            ),
            (
                DomainError::new(ErrorKind::RangeNotSatisfiable, "x"),
                416,
                "range_not_satisfiable",
            ),
            (DomainError::unavailable("x"), 503, "service_unavailable"),
            (DomainError::internal("x"), 500, "internal_error"),
        ];
        for (e, status, code) in cases {
            let a = ApiError::from(e.clone().detail("k", 1));
            assert_eq!((a.status, a.code), (status, code), "{e:?}");
            if status != 500 {
                assert_eq!(a.details["k"], 1, "details travel with the error");
            }
        }
    }

    /// The per-operation guarantee: a response enum only ever carries a documented status.
    #[test]
    fn an_undocumented_status_is_answered_as_the_documented_500() {
        use crate::api::GetRunResponse;
        let r = GetRunResponse::from_error(ApiError::new(409, "conflict", "x"));
        assert!(matches!(r, GetRunResponse::InternalServerError(_)), "{r:?}");
        let r = GetRunResponse::from_error(DomainError::not_found("Run").into());
        assert!(matches!(r, GetRunResponse::NotFound(_)), "{r:?}");
        let r = GetRunResponse::answer(Err(ApiError::new(418, "teapot", "x")));
        assert!(matches!(r, GetRunResponse::InternalServerError(_)), "{r:?}");
    }

    #[test]
    fn a_middleware_error_comes_back_as_it_was() {
        let e = ApiError::rate_limited(3, 10, 60);
        let back = ApiError::from_poem(poem::Error::from(e.clone()));
        assert_eq!(back, e);
    }
}
