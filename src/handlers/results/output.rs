//! One output of one regression test in one run, as the expected, actual, diff and
//! baseline-approval operations address it, read through object_store with memory bounded by
//! the response, never by the file.
use crate::api::{OutputEncoding, OutputFile, OutputFormat, StorageStatus};
use crate::data::entity::{regression_test, regression_test_output, test_result_file};
use crate::data::lookup;
use crate::domain::{DomainError, ErrorKind};
use crate::files::Key;
use crate::files::storage::result_file_name;
use crate::http::API_PREFIX;
use crate::state::AppState;
use base64::Engine;
use sea_orm::EntityTrait;
use sha2::{Digest, Sha256};

/// Largest content an output response carries; the rest is behind `download_url`.
pub const PAGE_BYTES: u64 = 1 << 20;

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
    ) -> Result<Self, DomainError> {
        let db = &state.db;
        lookup::run(&state.db, run_id).await?;
        let (rt, out, file) = tokio::try_join!(
            regression_test::Entity::find_by_id(regression_id).one(db),
            regression_test_output::Entity::find_by_id(output_id).one(db),
            test_result_file::Entity::find_by_id((run_id, regression_id, output_id)).one(db),
        )?;
        rt.filter(|r| r.sample_id == Some(sample_id))
            .ok_or_else(|| DomainError::not_found("Regression test of this sample"))?;
        let out = out
            .filter(|o| o.regression_id == Some(regression_id))
            .ok_or_else(|| DomainError::not_found("Output"))?;
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
        result_file_name(hash, &self.extension)
    }

    /// `None` when the name is not a plain file name (then the file counts as missing).
    pub fn key(&self, hash: &str) -> Option<Key> {
        Key::result(hash, &self.extension)
    }

    /// The produced file's hash: `Ok(None)` when identical to the baseline (`got` NULL).
    pub fn actual(&self) -> Result<Option<&str>, DomainError> {
        match &self.file {
            None => Err(DomainError::new(
                ErrorKind::MissingOutput,
                "The run did not produce this output.",
            )),
            Some(f) => Ok(f.got.as_deref()),
        }
    }

    pub fn path(&self) -> String {
        format!(
            "{API_PREFIX}/runs/{}/samples/{}/regression-tests/{}/outputs/{}",
            self.run_id, self.sample_id, self.regression_id, self.output_id
        )
    }
}

/// At most [`PAGE_BYTES`] of the file, its whole size's SHA-256 (streamed), and a download
/// link when the content is cut.
pub async fn output_file(
    state: &AppState,
    o: &Output,
    hash: &str,
    format: Option<OutputFormat>,
) -> Result<OutputFile, DomainError> {
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
    // A 200 always carries the file: one that is not in storage is a 404, as upstream answers.
    let not_stored =
        || DomainError::new(ErrorKind::NotFound, "The output's file is not in storage.");
    let key = o.key(hash).ok_or_else(not_stored)?;
    let head = state
        .storage
        .head(&key, PAGE_BYTES)
        .await?
        .ok_or_else(not_stored)?;
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
