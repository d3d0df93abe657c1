//! GET /runs/{run_id}/errors: every error the run's results show, filtered and paged.
use super::result_errors::result_errors;
use crate::api::{ErrorItem, ErrorItemPage, ListRunErrorsInput, ListRunErrorsResponse};
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::page::{no_meta, slice};
use poem_openapi::payload::Json;

pub async fn handle(
    state: &AppState,
    req: ListRunErrorsInput,
) -> Result<ListRunErrorsResponse, ApiError> {
    let rows: Vec<ErrorItem> = result_errors(state, req.run_id)
        .await?
        .into_iter()
        .filter(|e| {
            req.r#type.is_none_or(|t| {
                // test_failure is the umbrella of every result error.
                t.as_str() == "test_failure" || t.as_str() == e.r#type.as_str()
            })
        })
        .filter(|e| req.severity.is_none_or(|s| s == e.severity))
        .filter(|e| req.sample_id.is_none_or(|s| e.sample_id == Some(s)))
        .collect();
    let (data, pagination) = slice(rows, req.limit, req.offset);
    Ok(ListRunErrorsResponse::Ok(Json(ErrorItemPage {
        data,
        pagination,
        meta: no_meta(),
    })))
}
