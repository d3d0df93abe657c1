//! Cross-cutting HTTP behaviour: request ids and tracing, security headers, request size limits,
//! panics, and the error contract for anything that fails before or outside an operation.
use super::API_PREFIX;
use super::error::{ApiError, ErrorHeaders};
use super::operation;
use crate::data::availability::{PROBE_PERIOD, database_unavailable};
use crate::metrics::Metrics;
use crate::state::AppState;
use futures_util::StreamExt;
use poem::http::{HeaderValue, StatusCode, header};
use poem::{Body, Endpoint, IntoResponse, Middleware, Request, Response, Result};
use std::sync::Arc;

/// Turns every `Err` from routing or an inner middleware into the JSON error contract (404 for
/// unknown paths, 405 + `Allow`, 413, 429, …) so nothing outside can send HTML or plain text.
/// It is the only place such an error becomes a response; the headers a middleware attached to
/// the error ([`ErrorHeaders`]) are kept.
pub struct ErrorContract;

impl<E: Endpoint> Middleware<E> for ErrorContract {
    type Output = ErrorContractEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        ErrorContractEndpoint(ep)
    }
}

pub struct ErrorContractEndpoint<E>(E);

impl<E: Endpoint> Endpoint for ErrorContractEndpoint<E> {
    type Output = Response;
    async fn call(&self, req: Request) -> Result<Response> {
        let allow = operation::of(&req).allow;
        let mut resp = match self.0.call(req).await {
            Ok(r) => r.into_response(),
            Err(e) => {
                let extra = e.data::<ErrorHeaders>().cloned();
                let is_405 = e.status() == StatusCode::METHOD_NOT_ALLOWED;
                let mut resp = ApiError::from_poem(e).into_response();
                if let Some(ErrorHeaders(h)) = extra {
                    resp.headers_mut().extend(h);
                }
                if is_405 && let Ok(v) = HeaderValue::from_str(&allow.join(", ")) {
                    resp.headers_mut().insert(header::ALLOW, v);
                }
                resp
            }
        };
        // A handler's 429 (a throttled account) or 503 (a dependency down, every hashing slot
        // busy) says when to come back, as the middleware's own refusals do: the body's
        // `details.retry_after`, else the database probe's period.
        let status = resp.status();
        if matches!(status.as_u16(), 429 | 503) && !resp.headers().contains_key(header::RETRY_AFTER)
        {
            let body = resp.take_body().into_bytes().await.unwrap_or_default();
            let retry = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.pointer("/details/retry_after")?.as_u64())
                .unwrap_or(RETRY_UNAVAILABLE_SECS);
            resp.set_body(body);
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry));
        }
        Ok(resp)
    }
}

/// What a 503 tells the client to wait, seconds: the database probe's period.
pub const RETRY_UNAVAILABLE_SECS: u64 = PROBE_PERIOD.as_secs();

/// While the database is known to be down, every operation but the health check is answered
/// 503 at once instead of waiting out the acquire timeout (the health check reports the
/// outage itself).
pub struct DatabaseDown(pub Arc<AppState>);

impl<E: Endpoint> Middleware<E> for DatabaseDown {
    type Output = DatabaseDownEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        DatabaseDownEndpoint(ep, self.0.clone())
    }
}

pub struct DatabaseDownEndpoint<E>(E, Arc<AppState>);

impl<E: Endpoint> Endpoint for DatabaseDownEndpoint<E> {
    type Output = E::Output;
    async fn call(&self, req: Request) -> Result<Self::Output> {
        let needs_db = operation::of(&req)
            .op
            .is_some_and(|op| !matches!(op.operation_id, "getHealth" | "getLiveness"));
        if needs_db && self.1.availability.is_down() {
            return Err(ApiError::from(database_unavailable()).into());
        }
        self.0.call(req).await
    }
}

/// A panic anywhere in a handler answers the documented 500 with no internals.
pub fn panic_response(_panic: Box<dyn std::any::Any + Send>) -> Response {
    ApiError::internal("handler panicked").into_response()
}

/// Security headers of reference §5.1 on every response. The interactive docs page needs inline
/// script and style, so it alone gets a CSP that allows them. HSTS is sent always: user agents
/// ignore it on plain HTTP (RFC 6797 §8.1), so it is harmless there and correct behind TLS.
pub struct SecurityHeaders;

impl<E: Endpoint> Middleware<E> for SecurityHeaders {
    type Output = SecurityHeadersEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        SecurityHeadersEndpoint(ep)
    }
}

pub struct SecurityHeadersEndpoint<E>(E);

const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";
const DOCS_CSP: &str = "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; \
                        img-src 'self' data:; connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'";

impl<E: Endpoint> Endpoint for SecurityHeadersEndpoint<E> {
    type Output = Response;
    async fn call(&self, req: Request) -> Result<Response> {
        let docs = req.uri().path().starts_with(&format!("{API_PREFIX}/docs"));
        let mut resp = self.0.call(req).await?.into_response();
        let h = resp.headers_mut();
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(if docs { DOCS_CSP } else { API_CSP }),
        );
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        Ok(resp)
    }
}

/// Bounds request bodies (whether or not they declare a length) and query strings, so a hostile
/// client costs at most `max_body` bytes of memory.
pub struct RequestLimits {
    pub max_body: usize,
    pub max_upload: u64,
    pub max_query: usize,
}

impl<E: Endpoint> Middleware<E> for RequestLimits {
    type Output = RequestLimitsEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        RequestLimitsEndpoint {
            ep,
            max_body: self.max_body,
            max_upload: self.max_upload,
            max_query: self.max_query,
        }
    }
}

pub struct RequestLimitsEndpoint<E> {
    ep: E,
    max_body: usize,
    max_upload: u64,
    max_query: usize,
}

impl<E: Endpoint> Endpoint for RequestLimitsEndpoint<E> {
    type Output = E::Output;
    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        if req.uri().query().is_some_and(|q| q.len() > self.max_query) {
            return Err(ApiError::validation("Query string too long.").into());
        }
        if let Some(encoding) = req
            .headers()
            .get(header::CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase())
            .filter(|e| e != "identity")
        {
            // Left undecoded, a compressed body would reach the JSON parser as garbage.
            return Err(ApiError::new(
                415,
                "validation_error",
                "Request bodies must not be encoded (Content-Encoding).",
            )
            .detail("content_encoding", encoding)
            .into());
        }
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if super::operation::of(&req)
            .op
            .is_some_and(|op| op.streamed_body)
        {
            // An upload streams to storage: its handler counts the bytes as they arrive and
            // stops at the upload limit; only a declared length over it is refused up front.
            if declared.is_some_and(|n| n > self.max_upload) {
                return Err(ApiError::payload_too_large().into());
            }
            return self.ep.call(req).await;
        }
        if declared.is_some_and(|n| n > self.max_body as u64) {
            return Err(ApiError::payload_too_large().into());
        }
        let mut empty = declared == Some(0);
        if declared.is_none() {
            // No declared length: read at most max_body + 1 bytes to find out.
            let mut stream = req.take_body().into_bytes_stream();
            let mut buf = Vec::new();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk
                    .map_err(|_| ApiError::validation("The request body could not be read."))?;
                if buf.len() + chunk.len() > self.max_body {
                    return Err(ApiError::payload_too_large().into());
                }
                buf.extend_from_slice(&chunk);
            }
            empty = buf.is_empty();
            req.set_body(Body::from(buf));
        }
        if empty && !req.headers().contains_key(header::CONTENT_TYPE) {
            // No body at all is an omitted (optional) JSON body, not a wrong media type; a
            // required body then fails validation as missing.
            req.headers_mut().insert(
                header::CONTENT_TYPE,
                poem::http::HeaderValue::from_static("application/json"),
            );
        }
        self.ep.call(req).await
    }
}

/// Runs [`check_target`] after authentication, so an anonymous caller learns nothing about an
/// operation's parameters from it.
pub struct Target;

impl<E: Endpoint> Middleware<E> for Target {
    type Output = TargetEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        TargetEndpoint(ep)
    }
}

pub struct TargetEndpoint<E>(E);

impl<E: Endpoint> Endpoint for TargetEndpoint<E> {
    type Output = E::Output;
    async fn call(&self, req: Request) -> Result<Self::Output> {
        let declared = operation::of(&req).op.map_or(&[][..], |op| op.params);
        check_target(req.uri().path(), req.uri().query().unwrap_or(""), declared)?;
        self.0.call(req).await
    }
}

/// Refuses what no handler should have to think about: a NUL character anywhere in the path or
/// the query (PostgreSQL cannot store one and fails the statement), and a declared parameter
/// given twice (`?status=pass&status=fail` would silently mean the first). Every query parameter
/// of the spec is a scalar; the generator refuses array ones.
pub fn check_target(path: &str, query: &str, declared: &[&str]) -> Result<(), ApiError> {
    let nul = || ApiError::validation("Parameters must not contain NUL characters.");
    if percent_encoding::percent_decode_str(path).any(|b| b == 0) {
        return Err(nul().detail("field", "path"));
    }
    let mut seen: Vec<&str> = Vec::new();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if key.contains('\0') || value.contains('\0') {
            return Err(nul().detail("field", key.into_owned()));
        }
        if let Some(name) = declared.iter().find(|d| **d == key) {
            if seen.contains(name) {
                return Err(ApiError::validation(format!(
                    "Parameter {name} is given more than once."
                ))
                .detail("field", *name));
            }
            seen.push(name);
        }
    }
    Ok(())
}

/// Per-operation request counts and latency for the metrics.
pub struct Measure(pub Arc<Metrics>);

impl<E: Endpoint> Middleware<E> for Measure {
    type Output = MeasureEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        MeasureEndpoint(ep, self.0.clone())
    }
}

pub struct MeasureEndpoint<E>(E, Arc<Metrics>);

impl<E: Endpoint> Endpoint for MeasureEndpoint<E> {
    type Output = Response;
    async fn call(&self, req: Request) -> Result<Response> {
        let operation = operation::of(&req).op.map(|o| o.operation_id);
        let started = std::time::Instant::now();
        let resp = self.0.call(req).await?.into_response();
        self.1
            .request(operation, resp.status().as_u16(), started.elapsed());
        Ok(resp)
    }
}

/// A request id (the client's `X-Request-Id` if sane, else a new one) on the tracing span and
/// echoed on the response.
pub struct RequestId;

impl<E: Endpoint> Middleware<E> for RequestId {
    type Output = RequestIdEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        RequestIdEndpoint(ep)
    }
}

pub struct RequestIdEndpoint<E>(E);

impl<E: Endpoint> Endpoint for RequestIdEndpoint<E> {
    type Output = Response;
    async fn call(&self, req: Request) -> Result<Response> {
        use tracing::Instrument;
        let id = req
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| {
                !v.is_empty()
                    && v.len() <= 64
                    && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
            .map(str::to_string)
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let span = tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path());
        let started = std::time::Instant::now();
        async move {
            let mut resp = self.0.call(req).await?.into_response();
            tracing::info!(
                status = resp.status().as_u16(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "response"
            );
            if let Ok(v) = HeaderValue::from_str(&id) {
                resp.headers_mut().insert("x-request-id", v);
            }
            Ok(resp)
        }
        .instrument(span)
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::check_target;

    #[test]
    fn nul_characters_and_repeated_parameters_are_refused() {
        let declared = ["status", "limit", "name"];
        // (path, query, refused because of)
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("/api/v1/runs", "status=pass&limit=2", None),
            ("/api/v1/runs", "", None),
            ("/api/v1/runs", "status=pass&status=fail", Some("status")),
            ("/api/v1/runs", "limit=1&limit=1000", Some("limit")),
            ("/api/v1/runs", "lim%69t=1&limit=2", Some("limit")),
            ("/api/v1/runs", "other=1&other=2", None),
            ("/api/v1/samples", "name=a%00b", Some("name")),
            ("/api/v1/samples", "na%00me=x", Some("na\0me")),
            ("/api/v1/samples/a%00b", "", Some("path")),
            ("/api/v1/samples/a%0", "", None),
            ("/api/v1/samples/%", "name=%", None),
        ];
        for (path, query, refused) in cases {
            let got = check_target(path, query, &declared).err();
            assert_eq!(
                got.as_ref()
                    .map(|e| e.details["field"].as_str().unwrap().to_string()),
                refused.map(str::to_string),
                "{path}?{query}"
            );
            if let Some(e) = got {
                assert_eq!((e.status, e.code), (400, "validation_error"));
            }
        }
    }
}
