//! GET /runs/{run_id}/logs: the run's machine log, a cursor page at a time (see
//! `files::log_index` for how a page stays bounded on any log size).
use super::logs::log_not_found;
use crate::api::{CursorPage, GetRunLogsInput, GetRunLogsResponse, LogLine, LogLinePage, LogMeta};
use crate::data::lookup;
use crate::domain::log_lines;
use crate::files::{Key, log_index};
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;

/// The spec's largest cursor: a log longer than this cannot be paged further.
const MAX_CURSOR: u64 = 10_000_000;

pub async fn handle(
    state: &AppState,
    req: GetRunLogsInput,
) -> Result<GetRunLogsResponse, ApiError> {
    lookup::run(&state.db, req.run_id).await?;
    let key = Key::run_log(req.run_id).ok_or_else(log_not_found)?;
    let index = state
        .logs
        .get(&state.storage, &key)
        .await?
        .ok_or_else(log_not_found)?;
    let contains = req.contains.as_deref().map(str::to_lowercase);
    let keep = |line: &str| {
        req.level.is_none_or(|l| l == log_lines::level_of(line))
            && req.source.is_none_or(|s| s == log_lines::source_of(line))
            && contains
                .as_deref()
                .is_none_or(|c| line.to_lowercase().contains(c))
    };
    let cursor = req.cursor.unwrap_or(0).max(0) as u64;
    let (lines, next) = log_index::page(
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
            level: log_lines::level_of(&message),
            source: log_lines::source_of(&message),
            message,
            run_id: req.run_id,
            sample_id: None,
        })
        .collect();
    Ok(GetRunLogsResponse::Ok(Json(LogLinePage {
        data,
        pagination: CursorPage {
            limit: req.limit,
            next_cursor: next.filter(|n| *n <= MAX_CURSOR).map(|n| n as i32),
        },
        meta: LogMeta {
            total_lines: i64::try_from(index.lines).unwrap_or(i64::MAX),
        },
    })))
}
