//! Conditional GETs: every JSON 200 of an operation whose spec takes `If-None-Match` carries a
//! strong ETag (a hash of its body) and `Vary: Authorization` (what a caller may see depends on
//! its token); when the request's If-None-Match names that ETag, the answer is 304 with no
//! body. A download sets its own ETag (the file's); a 200 or 206 whose ETag is named becomes a
//! 304 before any byte of the file is read. The rate limiter charges a 304 to the conditional bucket and anything else to reads.
use super::operation;
use crate::domain::etag;
use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};

pub const IF_NONE_MATCH: &str = "If-None-Match";

pub struct Conditional;

impl<E: Endpoint> Middleware<E> for Conditional {
    type Output = ConditionalEndpoint<E>;
    fn transform(&self, ep: E) -> Self::Output {
        ConditionalEndpoint(ep)
    }
}

pub struct ConditionalEndpoint<E>(E);

/// Whether the spec gives the request's operation ETags.
pub fn applies(req: &Request) -> bool {
    req.method() == Method::GET
        && operation::of(req)
            .op
            .is_some_and(|op| op.params.contains(&IF_NONE_MATCH))
}

impl<E: Endpoint> Endpoint for ConditionalEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        if !applies(&req) {
            return self.0.call(req).await.map(IntoResponse::into_response);
        }
        let wanted = req
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
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
        let tag = etag::of(&bytes);
        let tag_value = HeaderValue::from_str(&tag).expect("hex in quotes is a header value");
        let vary = HeaderValue::from_static("Authorization");
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
