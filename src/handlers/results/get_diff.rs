//! GET …/outputs/{output_id}/diff: expected against actual, structured or unified, from files
//! of at most 10 MiB.
use super::output::Output;
use crate::api::{
    Diff, DiffFormat, DiffHunk, DiffLine, DiffLineKind, DiffResult, DiffStatus, DiffSummary,
    GetDiffInput, GetDiffResponse, StructuredDiffFormat, UnifiedDiff, UnifiedDiffFormat,
};
use crate::domain::{DomainError, diff};
use crate::files::Key;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;

/// Largest file the diff reads (the spec's 422 limit).
pub const DIFF_MAX_BYTES: u64 = 10 << 20;

pub async fn handle(state: &AppState, req: GetDiffInput) -> Result<GetDiffResponse, ApiError> {
    let o = Output::load(
        state,
        req.run_id,
        req.sample_id,
        req.regression_id,
        req.output_id,
    )
    .await?;
    let unified = req.format == Some(DiffFormat::Unified);
    let expected_hash = o.expected.clone().unwrap_or_default();
    let (status, d, names) = match &o.file {
        None => (DiffStatus::MissingActual, diff::Diff::default(), None),
        Some(f) if f.got.is_none() => (DiffStatus::Identical, diff::Diff::default(), None),
        Some(f) => {
            let actual_hash = f.got.clone().unwrap_or_default();
            let e = read_for_diff(state, o.key(&expected_hash)).await?;
            let a = read_for_diff(state, o.key(&actual_hash)).await?;
            match (e, a) {
                (None, _) => (DiffStatus::MissingExpected, diff::Diff::default(), None),
                (_, None) => (DiffStatus::MissingActual, diff::Diff::default(), None),
                (Some(e), Some(a)) => {
                    let context = req.context_lines.max(0) as usize;
                    // CPU-bound work stays off the async workers.
                    let d = tokio::task::spawn_blocking(move || {
                        diff::diff(
                            &String::from_utf8_lossy(&e),
                            &String::from_utf8_lossy(&a),
                            context,
                        )
                    })
                    .await
                    .map_err(DomainError::internal)?;
                    let status = if d.hunk_count == 0 {
                        DiffStatus::Identical
                    } else {
                        DiffStatus::Different
                    };
                    (
                        status,
                        d,
                        Some((o.filename(&expected_hash), o.filename(&actual_hash))),
                    )
                }
            }
        }
    };
    let body = if unified {
        let content = match names {
            Some((e, a)) => diff::unified(&d, &e, &a),
            None => String::new(),
        };
        DiffResult::UnifiedDiff(UnifiedDiff {
            run_id: o.run_id,
            sample_id: o.sample_id,
            regression_id: o.regression_id,
            output_id: o.output_id,
            format: UnifiedDiffFormat::Unified,
            content,
        })
    } else {
        DiffResult::Diff(Diff {
            run_id: o.run_id,
            sample_id: o.sample_id,
            regression_id: o.regression_id,
            output_id: o.output_id,
            status,
            format: StructuredDiffFormat::Structured,
            summary: DiffSummary {
                added_lines: d.added as i64,
                removed_lines: d.removed as i64,
                changed_hunks: d.hunk_count as i64,
            },
            hunks: d.hunks.into_iter().map(hunk).collect(),
        })
    };
    Ok(GetDiffResponse::Ok(Json(body)))
}

/// The whole file if it exists and is within [`DIFF_MAX_BYTES`]; a larger one is a 422 before
/// anything is read.
async fn read_for_diff(
    state: &AppState,
    key: Option<Key>,
) -> Result<Option<bytes::Bytes>, DomainError> {
    let Some(key) = key else { return Ok(None) };
    match state.storage.read_at_most(&key, DIFF_MAX_BYTES).await? {
        None => Ok(None),
        Some(Ok(bytes)) => Ok(Some(bytes)),
        Some(Err(size)) => Err(DomainError::unprocessable(format!(
            "{} is {size} bytes; diffs are limited to {DIFF_MAX_BYTES} bytes per file.",
            key.file_name()
        ))
        .detail("limit_bytes", DIFF_MAX_BYTES)
        .detail("size_bytes", size)),
    }
}

fn hunk(h: diff::Hunk) -> DiffHunk {
    let n = |v: usize| i32::try_from(v).unwrap_or(i32::MAX);
    DiffHunk {
        expected_start: n(h.expected_start),
        actual_start: n(h.actual_start),
        lines: h
            .lines
            .into_iter()
            .map(|l| DiffLine {
                kind: match l.kind {
                    diff::Kind::Context => DiffLineKind::Context,
                    diff::Kind::Added => DiffLineKind::Added,
                    diff::Kind::Removed => DiffLineKind::Removed,
                },
                expected_line: l.expected_line.map(n),
                actual_line: l.actual_line.map(n),
                text: l.text,
            })
            .collect(),
    }
}
