//! Idempotency-Key on the writes whose spec lists that header: the first request with a key
//! runs and its answer is stored; a retry of the same request gets that answer again (with
//! `Idempotent-Replayed: true`) and does nothing twice; a retry while the first still runs gets
//! 409, another request under the same key 422. Keys belong to the calling account and live in
//! the database, so a retry landing on another replica is answered the same. It sits inside the
//! auth gate and the body check: only a caller allowed to write and a valid body take a key.
//!
//! Path and header parameters are parsed later, by the generated adapter, which then calls
//! `Authorizer::authorize` before the handler. That call reads the request's [`KeyGate`]: it
//! answers a 409 or 422 decided here only for a request whose parameters are valid (an invalid
//! one stays its 400), and it marks the request as having reached its handler; a key whose
//! request never did (refused by the adapter) is released, not stored.
use super::operation;
use crate::auth::Principal;
use crate::data::idempotency::{self, Begun};
use crate::domain::DomainError;
use crate::state::AppState;
use poem::http::{HeaderValue, StatusCode, header};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub const HEADER: &str = "Idempotency-Key";
const REPLAYED: &str = "Idempotent-Replayed";

/// What the middleware leaves for the adapter's authorisation step.
#[derive(Clone)]
pub struct KeyGate {
    /// The key's 409 or 422, answered once the parameters are known to be valid.
    refusal: Option<DomainError>,
    reached: Arc<AtomicBool>,
}

impl KeyGate {
    /// Called by the adapter after parsing every parameter and before the handler.
    pub fn pass(&self) -> Result<(), DomainError> {
        if let Some(refusal) = &self.refusal {
            return Err(refusal.clone());
        }
        self.reached.store(true, Ordering::Release);
        Ok(())
    }
}

pub struct Idempotency(pub Arc<AppState>);

impl<E: Endpoint> Middleware<E> for Idempotency {
    type Output = IdempotencyEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        IdempotencyEndpoint {
            ep,
            state: self.0.clone(),
        }
    }
}

pub struct IdempotencyEndpoint<E> {
    ep: E,
    state: Arc<AppState>,
}

/// A key as the spec allows it (1 to 255 visible ASCII characters); any other value is left to
/// the adapter, which refuses it with a 400.
fn valid_key(req: &Request) -> Option<String> {
    let v = req.headers().get(HEADER)?.to_str().ok()?;
    (!v.is_empty() && v.len() <= 255 && v.bytes().all(|b| (0x21..=0x7e).contains(&b)))
        .then(|| v.to_string())
}

/// The same request: operation, path (its ids) and body, byte for byte.
fn fingerprint(operation: &str, path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    for part in [operation.as_bytes(), path.as_bytes(), body] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    hex::encode(h.finalize())
}

impl<E: Endpoint> Endpoint for IdempotencyEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Response> {
        let op = operation::of(&req).op;
        let takes_key = op.is_some_and(|op| op.params.contains(&HEADER));
        let key = valid_key(&req).filter(|_| takes_key);
        let user = req.extensions().get::<Principal>().map(|p| p.user_id);
        // A body the adapter will refuse (not JSON: 415) never reaches a handler: no key.
        let json_body = op.is_some_and(|op| !op.has_body)
            || req
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(super::body_schema::is_json);
        let user = user.filter(|_| json_body);
        let (Some(op), Some(key), Some(user_id)) = (op.filter(|_| takes_key), key, user) else {
            return self.ep.call(req).await.map(IntoResponse::into_response);
        };
        let body = req.take_body().into_bytes().await?;
        let fp = fingerprint(op.operation_id, req.uri().path(), &body);
        req.set_body(body);
        let db = &self.state.db;
        let begun = idempotency::begin(
            db,
            &idempotency::Request {
                user_id,
                key: &key,
                operation: op.operation_id,
                fingerprint: &fp,
            },
        )
        .await
        .map_err(|e| super::error::ApiError::from(DomainError::from(e)))?;
        let refuse = |refusal: DomainError| KeyGate {
            refusal: Some(refusal),
            reached: Arc::default(),
        };
        let row = match begun {
            Begun::Run(row) => row,
            Begun::Replay {
                status,
                content_type,
                body,
            } => {
                let mut resp = Response::builder()
                    .status(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
                    .header(REPLAYED, "true")
                    .body(body);
                if let Some(ct) = content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
                    resp.headers_mut().insert(header::CONTENT_TYPE, ct);
                }
                return Ok(resp);
            }
            Begun::InFlight => {
                req.extensions_mut().insert(refuse(
                    DomainError::conflict(
                        "A request with this Idempotency-Key is still running; retry once it ended.",
                    )
                    .detail("retry_after", 1),
                ));
                return self.ep.call(req).await.map(IntoResponse::into_response);
            }
            Begun::Mismatch => {
                req.extensions_mut()
                    .insert(refuse(DomainError::unprocessable(
                        "This Idempotency-Key was used for a different request.",
                    )));
                return self.ep.call(req).await.map(IntoResponse::into_response);
            }
        };
        let reached = Arc::new(AtomicBool::new(false));
        req.extensions_mut().insert(KeyGate {
            refusal: None,
            reached: reached.clone(),
        });
        let resp = match self.ep.call(req).await {
            Ok(out) => out.into_response(),
            Err(e) => {
                release(db, row).await;
                return Err(e);
            }
        };
        // A failure of ours may be retried as new, and so may a request the adapter refused
        // before its handler (an invalid parameter): neither is an answer to keep.
        if resp.status().is_server_error() || !reached.load(Ordering::Acquire) {
            release(db, row).await;
            return Ok(resp);
        }
        let (parts, body) = resp.into_parts();
        let bytes = body.into_bytes().await?;
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let stored = String::from_utf8_lossy(&bytes).into_owned();
        if let Err(e) =
            idempotency::finish(db, row, parts.status.as_u16(), content_type, stored).await
        {
            // The write happened; its answer goes to this caller. A retry finds the key still
            // running until it is taken to be abandoned, then runs again.
            tracing::warn!(error = %e, "idempotent answer not stored");
        }
        Ok(Response::from_parts(parts, bytes.into()))
    }
}

async fn release(db: &sea_orm::DatabaseConnection, row: i32) {
    if let Err(e) = idempotency::release(db, row).await {
        tracing::warn!(error = %e, "idempotency key not released; it frees itself later");
    }
}
