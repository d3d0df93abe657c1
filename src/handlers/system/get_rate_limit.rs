//! GET /rate-limit: the caller's buckets as the limiter sees them now.
use crate::api::{GetRateLimitInput, GetRateLimitResponse, RateLimitBucketName, RateLimitStatus};
use crate::auth::Principal;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use std::time::Duration;

pub async fn handle(
    state: &AppState,
    p: &Principal,
    _req: GetRateLimitInput,
) -> Result<GetRateLimitResponse, ApiError> {
    let c = &state.config;
    let window = Duration::from_secs(c.rate_window);
    let configured = [
        (RateLimitBucketName::Read, c.rate_reads, window),
        (RateLimitBucketName::Write, c.rate_writes, window),
        (RateLimitBucketName::Conditional, c.rate_conditional, window),
    ];
    Ok(GetRateLimitResponse::Ok(Json(RateLimitStatus {
        key: format!("token:{}", p.token_id),
        buckets: state.rate_book.report(p.token_id, &configured),
    })))
}
