//! Which operation of the spec a request addresses, resolved once per request and kept in the
//! request's extensions for the rate limiter, the auth gate, the body check and the `Allow` of
//! a 405.
use super::API_PREFIX;
use crate::api::{OPERATIONS, OperationInfo};
use poem::{Endpoint, Middleware, Request, Result};
use std::sync::Arc;

/// What the spec says about a request's path and method.
#[derive(Clone, Debug, Default)]
pub struct Resolved {
    /// The operation for this method and path, if the spec has one.
    pub op: Option<&'static OperationInfo>,
    /// The methods the spec declares for this path (sorted); what a 405 names in `Allow`.
    /// Shared, so every layer that reads the resolution copies a pointer, not the list.
    pub allow: Arc<[&'static str]>,
}

/// Literal segments matched, if the template matches at all.
fn score(template: &str, segs: &[&str]) -> Option<usize> {
    let mut literal = 0;
    let mut pat = template.split('/');
    for s in segs {
        let p = pat.next()?;
        if p.starts_with('{') {
            if s.is_empty() {
                return None;
            }
        } else if p == *s {
            literal += 1;
        } else {
            return None;
        }
    }
    pat.next().is_none().then_some(literal)
}

/// One pass over the operation table. Literal segments win (`/auth/tokens/current` over
/// `/auth/tokens/{token_id}`), as in the router; where a literal path and a templated one both
/// match (`/samples/upload` and `/samples/{sample_id}`), the literal one names the resource's
/// methods.
pub fn resolve(method: &str, request_path: &str) -> Resolved {
    let rel = request_path
        .strip_prefix(API_PREFIX)
        .unwrap_or(request_path);
    let segs: Vec<&str> = rel.trim_end_matches('/').split('/').collect();
    let mut op: Option<(usize, &'static OperationInfo)> = None;
    let mut best: Option<usize> = None;
    let mut allow: Vec<&'static str> = vec![];
    for info in OPERATIONS {
        let Some(s) = score(info.path, &segs) else {
            continue;
        };
        if info.method.eq_ignore_ascii_case(method) && op.is_none_or(|(b, _)| s > b) {
            op = Some((s, info));
        }
        match best {
            Some(b) if s < b => {}
            Some(b) if s == b => allow.push(info.method),
            _ => {
                best = Some(s);
                allow.clear();
                allow.push(info.method);
            }
        }
    }
    allow.sort_unstable();
    allow.dedup();
    Resolved {
        op: op.map(|(_, o)| o),
        allow: allow.into(),
    }
}

/// Puts the request's [`Resolved`] in its extensions.
pub struct Resolve;

impl<E: Endpoint> Middleware<E> for Resolve {
    type Output = ResolveEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        ResolveEndpoint(ep)
    }
}

pub struct ResolveEndpoint<E>(E);

impl<E: Endpoint> Endpoint for ResolveEndpoint<E> {
    type Output = E::Output;
    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        let resolved = resolve(req.method().as_str(), req.uri().path());
        req.extensions_mut().insert(resolved);
        self.0.call(req).await
    }
}

/// The request's resolution (resolved here if no [`Resolve`] layer ran, e.g. in a unit test).
pub fn of(req: &Request) -> Resolved {
    req.extensions()
        .get::<Resolved>()
        .cloned()
        .unwrap_or_else(|| resolve(req.method().as_str(), req.uri().path()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(method: &str, path: &str) -> Option<&'static str> {
        resolve(method, path).op.map(|o| o.operation_id)
    }

    #[test]
    fn literal_segments_win() {
        assert_eq!(
            op("DELETE", "/api/v1/auth/tokens/current"),
            Some("revokeCurrentToken")
        );
        assert_eq!(op("DELETE", "/api/v1/auth/tokens/12"), Some("revokeToken"));
        assert_eq!(op("GET", "/api/v1/system/health"), Some("getHealth"));
        assert!(op("GET", "/api/v1/nope").is_none());
        assert!(op("PUT", "/api/v1/auth/tokens").is_none());
    }

    #[test]
    fn allowed_methods_match_templated_paths() {
        let allow = |p: &str| resolve("PUT", p).allow.to_vec();
        assert_eq!(allow("/api/v1/auth/tokens"), ["GET", "POST"]);
        assert_eq!(allow("/api/v1/samples/upload"), ["POST"]);
        assert_eq!(allow("/api/v1/samples/12"), ["DELETE", "GET", "PATCH"]);
        assert!(allow("/api/v1/no/such/path").is_empty());
    }

    #[test]
    fn a_method_of_a_templated_path_still_resolves_under_a_literal_one() {
        // GET /samples/upload is answered 405 by the router, but it names getSample's template,
        // so the gate asks for getSample's credentials first, as before.
        let r = resolve("GET", "/api/v1/samples/upload");
        assert_eq!(r.op.map(|o| o.operation_id), Some("getSample"));
        assert_eq!(*r.allow, ["POST"]);
    }
}
