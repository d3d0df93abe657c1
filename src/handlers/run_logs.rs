//! GET /runs/{run_id}/logs and /runs/{run_id}/samples/{sample_id}/logs: the run's machine log,
//! a cursor page at a time (see `logs` for how a page stays bounded on any log size).
use super::lookup;
use crate::api::{
    CursorPagination, ListRunLogsRequest, ListRunLogsResponse, ListSampleLogsRequest,
    ListSampleLogsResponse, LogLine, LogLinePage,
};
use crate::app::AppState;
use crate::error::ApiError;
use crate::logs;
use crate::storage::{Folder, Key};
use poem_openapi::payload::Json;

/// The spec's largest cursor: a log longer than this cannot be paged further.
const MAX_CURSOR: u64 = 10_000_000;

fn log_not_found() -> ApiError {
    ApiError::new(404, "log_not_found", "No log was stored for this run.")
}

pub async fn run(
    state: &AppState,
    req: ListRunLogsRequest,
) -> Result<ListRunLogsResponse, ApiError> {
    lookup::run(state, req.run_id).await?;
    let key =
        Key::new(Folder::LogFiles, &format!("{}.txt", req.run_id)).ok_or_else(log_not_found)?;
    let index = state
        .logs
        .get(&state.storage, &key)
        .await?
        .ok_or_else(log_not_found)?;
    let contains = req.contains.as_deref().map(str::to_lowercase);
    let keep = |line: &str| {
        req.level.is_none_or(|l| l == logs::level_of(line))
            && req.source.is_none_or(|s| s == logs::source_of(line))
            && contains
                .as_deref()
                .is_none_or(|c| line.to_lowercase().contains(c))
    };
    let cursor = req.cursor.unwrap_or(0).max(0) as u64;
    let (lines, next) = logs::page(
        &state.storage,
        &key,
        &index,
        cursor,
        req.limit as usize,
        keep,
    )
    .await?;
    let data = lines
        .into_iter()
        .map(|(_, message)| LogLine {
            timestamp: None,
            level: logs::level_of(&message),
            source: logs::source_of(&message),
            message,
            run_id: req.run_id,
            sample_id: None,
        })
        .collect();
    Ok(ListRunLogsResponse::Ok(Json(LogLinePage {
        data,
        pagination: CursorPagination {
            limit: req.limit,
            next_cursor: next.filter(|n| *n <= MAX_CURSOR).map(|n| n as i32),
        },
        meta: serde_json::json!({"total_lines": index.lines}),
    })))
}

/// Per-sample logs are not recorded by the platform: the run must exist, the log never does.
pub async fn sample(
    state: &AppState,
    req: ListSampleLogsRequest,
) -> Result<ListSampleLogsResponse, ApiError> {
    lookup::run(state, req.run_id).await?;
    Err(log_not_found())
}
