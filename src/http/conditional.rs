//! Conditional GETs: every JSON 200 of an operation whose spec takes `If-None-Match` carries a
//! strong ETag (a hash of its body) and `Vary: Authorization` (what a caller may see depends on
//! its token); when the request's If-None-Match names that ETag, the answer is 304 with no
//! body. The polled resources' tag is their version, read before the handler: a poll naming it
//! gets its 304 without the handler, and an unconditional read of an unchanged version its body
//! from memory. A download sets its own ETag (the file's); a 200 or 206 whose ETag is named becomes a
//! 304 before any byte of the file is read. The rate limiter charges a 304 to the conditional bucket and anything else to reads.
use super::operation;
use super::response_cache::ResponseCache;
use crate::data::versions;
use crate::domain::DomainError;
use crate::domain::etag;
use crate::state::AppState;
use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub const IF_NONE_MATCH: &str = "If-None-Match";

pub struct Conditional(pub Arc<AppState>);

/// Bytes of polled bodies kept by version (see `response_cache`).
const CACHE_BUDGET: usize = 32 * 1024 * 1024;

impl<E: Endpoint> Middleware<E> for Conditional {
    type Output = ConditionalEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        ConditionalEndpoint(
            ep,
            self.0.clone(),
            Arc::new(ResponseCache::with_budget(CACHE_BUDGET)),
        )
    }
}

pub struct ConditionalEndpoint<E>(E, Arc<AppState>, Arc<ResponseCache>);

/// Left for the adapter's authorisation step when the version alone answers the request: that
/// step, reached only with every parameter valid, records it and stops before the handler.
#[derive(Clone, Default)]
pub struct VersionGate {
    valid: Arc<AtomicBool>,
}

impl VersionGate {
    /// Called by the adapter after parsing every parameter; the error only stops the handler
    /// (the middleware answers instead).
    pub fn pass(&self) -> Result<(), DomainError> {
        self.valid.store(true, Ordering::Release);
        Err(DomainError::conflict(
            "Answered from the resource's version.",
        ))
    }
}

/// The resources clients poll: their version is read before the handler runs, and a poll
/// whose If-None-Match names it is answered 304 without running the handler.
async fn version_tag(state: &AppState, req: &Request) -> Option<String> {
    let op = operation::of(req).op?;
    let version = match op.operation_id {
        "getRun" | "getRunProgress" | "getRunSummary" => {
            let run = path_run_id(req.uri().path())?;
            versions::run(&state.db, run).await.ok()??
        }
        "getQueue" => versions::queue(&state.db).await.ok()?,
        _ => return None,
    };
    // The same version answers each query string and caller differently.
    let auth = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    let uri = req.uri().to_string();
    let mut material = Vec::with_capacity(version.len() + uri.len() + auth.len() + 2);
    for part in [version.as_bytes(), uri.as_bytes(), auth] {
        material.extend_from_slice(part);
        material.push(0);
    }
    Some(etag::of(&material))
}

/// `{run_id}` of `/api/v1/runs/{run_id}[/...]`.
fn path_run_id(path: &str) -> Option<i32> {
    let mut segments = path.split('/').skip_while(|s| *s != "runs");
    segments.next()?;
    segments.next()?.parse().ok()
}

/// Whether the spec gives the request's operation ETags.
pub fn applies(req: &Request) -> bool {
    req.method() == Method::GET
        && operation::of(req)
            .op
            .is_some_and(|op| op.params.contains(&IF_NONE_MATCH))
}

impl<E: Endpoint> Endpoint for ConditionalEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Response> {
        if !applies(&req) {
            return self.0.call(req).await.map(IntoResponse::into_response);
        }
        let wanted = req
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let vary = HeaderValue::from_static("Authorization");
        let versioned = version_tag(&self.1, &req).await;
        // What the version alone answers: a 304, or the unchanged body from memory. Given only
        // once the adapter has found every parameter valid (an invalid one stays its 400).
        let early = versioned.as_ref().and_then(|tag| {
            if wanted.as_deref().is_some_and(|w| etag::named(w, tag)) {
                return Some(
                    Response::builder()
                        .status(StatusCode::NOT_MODIFIED)
                        .header(header::ETAG, tag.as_str())
                        .header(header::VARY, vary.clone())
                        .finish(),
                );
            }
            let body = self.2.get(tag)?;
            Some(
                Response::builder()
                    .status(StatusCode::OK)
                    .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
                    .header(header::ETAG, tag.as_str())
                    .header(header::VARY, vary.clone())
                    .body(body),
            )
        });
        if let Some(answer) = early {
            let gate = VersionGate::default();
            req.extensions_mut().insert(gate.clone());
            let refused = self.0.call(req).await?.into_response();
            return Ok(if gate.valid.load(Ordering::Acquire) {
                answer
            } else {
                refused
            });
        }
        let resp = self.0.call(req).await?.into_response();
        // A download names its own validator (the file's); it is never hashed here.
        if let Some(own) = resp.headers().get(header::ETAG).cloned() {
            let fresh = matches!(resp.status(), StatusCode::OK | StatusCode::PARTIAL_CONTENT);
            let named = own
                .to_str()
                .is_ok_and(|tag| wanted.as_deref().is_some_and(|w| etag::named(w, tag)));
            if fresh && named {
                return Ok(Response::builder()
                    .status(StatusCode::NOT_MODIFIED)
                    .header(header::ETAG, own)
                    .finish());
            }
            return Ok(resp);
        }
        let json = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json"));
        if resp.status() != StatusCode::OK || !json {
            return Ok(resp);
        }
        let (mut parts, body) = resp.into_parts();
        let bytes = body.into_bytes().await?;
        // A polled resource's tag is its version as read before the handler ran: if the
        // handler saw a newer state, the next poll reads a newer version and gets a 200, never a
        // stale 304.
        let tag = match versioned {
            Some(v) => {
                self.2.put(v.clone(), bytes.clone());
                v
            }
            None => etag::of(&bytes),
        };
        let tag_value = HeaderValue::from_str(&tag).expect("hex in quotes is a header value");
        if wanted.is_some_and(|w| etag::named(&w, &tag)) {
            return Ok(Response::builder()
                .status(StatusCode::NOT_MODIFIED)
                .header(header::ETAG, tag_value)
                .header(header::VARY, vary)
                .finish());
        }
        parts.headers.insert(header::ETAG, tag_value);
        parts.headers.append(header::VARY, vary);
        Ok(Response::from_parts(parts, bytes.into()))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn run_ids_in_paths() {
        let cases = [
            ("/api/v1/runs/12", Some(12)),
            ("/api/v1/runs/12/progress", Some(12)),
            ("/api/v1/runs/x/summary", None),
            ("/api/v1/system/queue", None),
        ];
        for (path, want) in cases {
            assert_eq!(super::path_run_id(path), want, "{path}");
        }
    }
}
