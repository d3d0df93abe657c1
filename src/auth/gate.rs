//! Authentication and authorisation before anything else looks at the request: an anonymous or
//! unauthorised caller gets 401/403 for any protected operation, never a validation error that
//! would describe the operation to them. The principal is handed on in the request extensions,
//! so the generated adapter's own check costs no second database query.
use super::{Principal, scopes};
use crate::app::AppState;
use crate::error::ApiError;
use crate::routing::find_operation;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
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
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Response> {
        if let Some(op) = find_operation(req.method().as_str(), req.uri().path())
            && !op.public
        {
            let principal: Result<Principal, ApiError> = async {
                let token = bearer_token(&req)
                    .ok_or_else(|| ApiError::unauthorized("Missing or malformed bearer token."))?;
                let p = self.state.authenticate(token).await?;
                scopes::check(&p.scopes, &p.role, op.scopes, op.roles)?;
                Ok(p)
            }
            .await;
            match principal {
                Ok(p) => {
                    req.extensions_mut().insert(p);
                }
                Err(e) => return Ok(e.into_response()),
            }
        }
        Ok(self.ep.call(req).await?.into_response())
    }
}
