//! GET …/outputs/{output_id}/expected, /actual and /diff: one output of one regression test in
//! one run, read through object_store with memory bounded by the response, never by the file.
use super::lookup;
use crate::api::{
    DiffFormat, DiffHunk, DiffLine, DiffLineKind, DiffResult, DiffStatus, DiffSummary,
    GetActualOutputRequest, GetActualOutputResponse, GetExpectedOutputRequest,
    GetExpectedOutputResponse, GetOutputDiffRequest, GetOutputDiffResponse, OutputEncoding,
    OutputFile, OutputFormat, StorageStatus, StructuredDiff, StructuredDiffFormat, UnifiedDiff,
    UnifiedDiffFormat,
};
use crate::app::{API_PREFIX, AppState};
use crate::db::entity::{regression_test, regression_test_output, test_result_file};
use crate::diff;
use crate::error::ApiError;
use crate::storage::{Folder, Key};
use base64::Engine;
use poem_openapi::payload::Json;
use sea_orm::EntityTrait;
use sha2::{Digest, Sha256};

/// Largest content an output response carries; the rest is behind `download_url`.
pub const PAGE_BYTES: u64 = 1 << 20;
/// Largest file the diff reads (the spec's 422 limit).
pub const DIFF_MAX_BYTES: u64 = 10 << 20;

/// The output a path names, checked link by link: the run exists, the regression test belongs
/// to the sample, the output to the regression test. Anything else is the one 404.
pub struct Output {
    pub run_id: i32,
    pub sample_id: i32,
    pub regression_id: i32,
    pub output_id: i32,
    pub extension: String,
    /// The baseline hash the run was judged against (its snapshot), else the current one.
    pub expected: Option<String>,
    /// What the run reported for this output; `None`: it was never produced.
    pub file: Option<test_result_file::Model>,
}

impl Output {
    pub async fn load(
        state: &AppState,
        run_id: i32,
        sample_id: i32,
        regression_id: i32,
        output_id: i32,
    ) -> Result<Self, ApiError> {
        let db = &state.db;
        lookup::run(state, run_id).await?;
        let (rt, out, file) = tokio::try_join!(
            regression_test::Entity::find_by_id(regression_id).one(db),
            regression_test_output::Entity::find_by_id(output_id).one(db),
            test_result_file::Entity::find_by_id((run_id, regression_id, output_id)).one(db),
        )?;
        rt.filter(|r| r.sample_id == Some(sample_id))
            .ok_or_else(|| ApiError::not_found("Regression test of this sample"))?;
        let out = out
            .filter(|o| o.regression_id == Some(regression_id))
            .ok_or_else(|| ApiError::not_found("Output"))?;
        Ok(Self {
            run_id,
            sample_id,
            regression_id,
            output_id,
            extension: out.correct_extension,
            expected: file
                .as_ref()
                .map(|f| f.expected.clone())
                .or(out.correct)
                .filter(|h| !h.is_empty()),
            file,
        })
    }

    pub fn filename(&self, hash: &str) -> String {
        format!("{hash}{}", self.extension)
    }

    /// `None` when the name is not a plain file name (then the file counts as missing).
    pub fn key(&self, hash: &str) -> Option<Key> {
        Key::new(Folder::TestResults, &self.filename(hash))
    }

    /// The produced file's hash: `Ok(None)` when identical to the baseline (`got` NULL).
    fn actual(&self) -> Result<Option<&str>, ApiError> {
        match &self.file {
            None => Err(ApiError::new(
                404,
                "missing_output",
                "The run did not produce this output.",
            )),
            Some(f) => Ok(f.got.as_deref()),
        }
    }

    fn path(&self) -> String {
        format!(
            "{API_PREFIX}/runs/{}/samples/{}/regression-tests/{}/outputs/{}",
            self.run_id, self.sample_id, self.regression_id, self.output_id
        )
    }
}

pub async fn expected(
    state: &AppState,
    req: GetExpectedOutputRequest,
) -> Result<GetExpectedOutputResponse, ApiError> {
    let o = Output::load(
        state,
        req.run_id,
        req.sample_id,
        req.regression_id,
        req.output_id,
    )
    .await?;
    let hash = o.expected.clone().unwrap_or_default();
    Ok(GetExpectedOutputResponse::Ok(Json(
        output_file(state, &o, &hash, req.format).await?,
    )))
}

pub async fn actual(
    state: &AppState,
    req: GetActualOutputRequest,
) -> Result<GetActualOutputResponse, ApiError> {
    let o = Output::load(
        state,
        req.run_id,
        req.sample_id,
        req.regression_id,
        req.output_id,
    )
    .await?;
    match o.actual()? {
        None => {
            let query = match req.format {
                Some(f) => format!("?format={}", f.as_str()),
                None => String::new(),
            };
            Ok(GetActualOutputResponse::SeeOther(format!(
                "{}/expected{query}",
                o.path()
            )))
        }
        Some(hash) => Ok(GetActualOutputResponse::Ok(Json(
            output_file(state, &o, hash, req.format).await?,
        ))),
    }
}

/// At most [`PAGE_BYTES`] of the file, its whole size's SHA-256 (streamed), and a download
/// link when the content is cut.
async fn output_file(
    state: &AppState,
    o: &Output,
    hash: &str,
    format: Option<OutputFormat>,
) -> Result<OutputFile, ApiError> {
    let text = format == Some(OutputFormat::Text);
    let mut file = OutputFile {
        run_id: Some(o.run_id),
        sample_id: o.sample_id,
        regression_id: o.regression_id,
        output_id: o.output_id,
        filename: o.filename(hash),
        content_type: "application/octet-stream".into(),
        encoding: if text {
            OutputEncoding::Utf8
        } else {
            OutputEncoding::Base64
        },
        content: String::new(),
        truncated: false,
        download_url: None,
        sha256: None,
        storage_status: StorageStatus::Missing,
    };
    let Some(key) = o.key(hash) else {
        return Ok(file);
    };
    let Some(head) = state.storage.head(&key, PAGE_BYTES).await? else {
        return Ok(file);
    };
    file.truncated = head.size > PAGE_BYTES;
    file.sha256 = if file.truncated {
        state.storage.sha256(&key).await?
    } else {
        Some(hex::encode(Sha256::digest(&head.bytes)))
    };
    let (encoding, content) = encode(&head.bytes, file.truncated, text);
    file.encoding = encoding;
    file.content = content;
    file.storage_status = StorageStatus::Ok;
    if file.truncated {
        file.download_url = state.storage.download_url(&key).await;
    }
    Ok(file)
}

/// UTF-8 text when asked and the bytes are text (a character cut by truncation is dropped);
/// base64 otherwise, so the `encoding` field always tells the truth.
fn encode(bytes: &[u8], truncated: bool, text: bool) -> (OutputEncoding, String) {
    if text {
        match std::str::from_utf8(bytes) {
            Ok(s) => return (OutputEncoding::Utf8, s.to_string()),
            Err(e) if truncated && e.error_len().is_none() => {
                let s = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
                return (OutputEncoding::Utf8, s.to_string());
            }
            Err(_) => {}
        }
    }
    (
        OutputEncoding::Base64,
        base64::engine::general_purpose::STANDARD.encode(bytes),
    )
}

pub async fn diff(
    state: &AppState,
    req: GetOutputDiffRequest,
) -> Result<GetOutputDiffResponse, ApiError> {
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
                    .map_err(ApiError::internal)?;
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
        DiffResult::StructuredDiff(StructuredDiff {
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
    Ok(GetOutputDiffResponse::Ok(Json(body)))
}

/// The whole file if it exists and is within [`DIFF_MAX_BYTES`]; a larger one is a 422 before
/// anything is read.
async fn read_for_diff(
    state: &AppState,
    key: Option<Key>,
) -> Result<Option<bytes::Bytes>, ApiError> {
    let Some(key) = key else { return Ok(None) };
    match state.storage.read_at_most(&key, DIFF_MAX_BYTES).await? {
        None => Ok(None),
        Some(Ok(bytes)) => Ok(Some(bytes)),
        Some(Err(size)) => Err(ApiError::unprocessable(format!(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_table() {
        let cases: [(&[u8], bool, bool, OutputEncoding, &str); 5] = [
            (b"hello", false, true, OutputEncoding::Utf8, "hello"),
            (b"hello", false, false, OutputEncoding::Base64, "aGVsbG8="),
            // A two-byte character cut in half by the page limit: the half is dropped.
            (b"ab\xc3", true, true, OutputEncoding::Utf8, "ab"),
            // Not text at all: base64 whatever was asked.
            (b"\xff\xfe", false, true, OutputEncoding::Base64, "//4="),
            (b"ab\xc3", false, true, OutputEncoding::Base64, "YWLD"),
        ];
        for (bytes, truncated, text, enc, content) in cases {
            assert_eq!(encode(bytes, truncated, text), (enc, content.to_string()));
        }
    }
}
