//! Authentication and authorisation before anything else looks at the request: an anonymous or
//! unauthorised caller gets 401/403 for any protected operation, never a validation error that
//! would describe the operation to them. The principal is handed on in the request extensions,
//! so the generated adapter's own check costs no second database query.
use super::error::ApiError;
use super::operation;
use super::ratelimit::PendingToken;
use crate::api::{Authorizer, Role, Scope};
use crate::auth::Principal;
use crate::domain::{ErrorKind, scopes};
use crate::state::AppState;
use poem::{Endpoint, Middleware, Request, Result};
use std::sync::Arc;

pub struct AuthGate(pub Arc<AppState>);

impl<E: Endpoint> Middleware<E> for AuthGate {
    type Output = AuthGateEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        AuthGateEndpoint {
            ep,
            state: self.0.clone(),
        }
    }
}

pub struct AuthGateEndpoint<E> {
    ep: E,
    state: Arc<AppState>,
}

/// The token of an `Authorization: Bearer …` header (scheme case-insensitive).
pub fn bearer_token(req: &Request) -> Option<&str> {
    let v = req.headers().get("authorization")?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl<E: Endpoint> Endpoint for AuthGateEndpoint<E> {
    type Output = E::Output;

    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        if let Some(op) = operation::of(&req).op
            && !op.public
        {
            let token = bearer_token(&req)
                .ok_or_else(|| ApiError::unauthorized("Missing or malformed bearer token."))?;
            let pending = req.extensions().get::<PendingToken>().cloned();
            let p = match self
                .state
                .verified_tokens
                .authenticate(&self.state.db, token)
                .await
            {
                Ok(p) => p,
                Err(e) => {
                    if let (Some(pending), ErrorKind::Unauthenticated) = (&pending, e.kind) {
                        pending.failed()?;
                    }
                    return Err(ApiError::from(e).into());
                }
            };
            if let Some(pending) = &pending {
                pending.verified(p.token_id)?;
            }
            self.state.token_use.touch(
                p.token_id,
                crate::data::db_now(),
                std::time::Instant::now(),
            );
            scopes::check(&p.scopes, p.role, op.scopes, op.roles).map_err(ApiError::from)?;
            req.extensions_mut().insert(p);
        }
        self.ep.call(req).await
    }
}

impl Authorizer for AppState {
    type Principal = Principal;

    async fn authorize(
        &self,
        request: &poem::Request,
        token: &str,
        scopes: &'static [Scope],
        roles: &'static [Role],
    ) -> Result<Principal, ApiError> {
        // The gate normally authenticated already; without it (a bare adapter) do it here.
        let p = match request.extensions().get::<Principal>() {
            Some(p) => p.clone(),
            None => self.verified_tokens.authenticate(&self.db, token).await?,
        };
        scopes::check(&p.scopes, p.role, scopes, roles)?;
        // Every parameter is parsed and valid by now: an Idempotency-Key's refusal is due, or
        // the request reaches its handler.
        if let Some(key) = request.extensions().get::<super::idempotency::KeyGate>() {
            key.pass()?;
        }
        // ...or the resource's version answers it without the handler.
        if let Some(version) = request
            .extensions()
            .get::<super::conditional::VersionGate>()
        {
            version.pass()?;
        }
        Ok(p)
    }
}
