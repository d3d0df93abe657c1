//! What an uploaded file's name may be, and the types it is checked by. Upstream keeps the
//! original name for display only and stores the file under its hash; spci refuses names that
//! would mean something else on a disk (a path, a parent directory, control characters) rather
//! than guess at a cleaned-up version.

/// Longest original name kept (upstream's column is TEXT; this is a sanity bound).
pub const MAX_NAME: usize = 255;
/// How much of the file's start the type detection looks at.
pub const SNIFF_BYTES: usize = 8192;

/// Why an upload's name is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum NameError {
    Empty,
    TooLong,
    /// `/`, `\`, `..`, or a control character: a path, not a file name.
    Path,
    /// The extension is not letters and digits.
    Extension,
}

/// The extension of `name` as upstream's queue stores it: lower-cased, with its dot (`.ts`),
/// empty when the name has none.
pub fn checked_extension(name: &str) -> Result<String, NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.len() > MAX_NAME {
        return Err(NameError::TooLong);
    }
    if name.contains(['/', '\\'])
        || name == "."
        || name.contains("..")
        || name.chars().any(char::is_control)
    {
        return Err(NameError::Path);
    }
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return Ok(String::new());
    };
    if stem.is_empty() {
        // `.bashrc`: a hidden file's name, no extension (as Python's splitext sees it).
        return Ok(String::new());
    }
    if ext.is_empty() || ext.len() > 32 || !ext.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(NameError::Extension);
    }
    Ok(format!(".{}", ext.to_ascii_lowercase()))
}

/// The detected MIME type of a file starting with `head`, and the extension (no dot) that type
/// implies, as upstream checks both against its forbidden lists. Unrecognised content is text
/// when it reads as UTF-8, else opaque bytes.
pub fn detected_type(head: &[u8]) -> (String, Option<String>) {
    match infer::get(head) {
        Some(t) => (t.mime_type().to_string(), Some(t.extension().to_string())),
        // A character cut at the end of the sniffed bytes still reads as text.
        None if std::str::from_utf8(head).map_or_else(|e| e.error_len().is_none(), |_| true) => {
            ("text/plain".to_string(), Some("txt".to_string()))
        }
        None => ("application/octet-stream".to_string(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_names() {
        let cases = [
            ("clip.ts", Ok(".ts")),
            ("CLIP.TS", Ok(".ts")),
            ("archive.tar.gz", Ok(".gz")),
            ("noext", Ok("")),
            (".hidden", Ok("")),
            ("dvr-ms sample (1).dvr", Ok(".dvr")),
            ("ünïcödé.mpg", Ok(".mpg")),
            ("", Err(NameError::Empty)),
            ("../../etc/passwd", Err(NameError::Path)),
            ("a/b.ts", Err(NameError::Path)),
            ("C:\\x\\y.ts", Err(NameError::Path)),
            ("..", Err(NameError::Path)),
            ("a..ts", Err(NameError::Path)),
            ("nul\0.ts", Err(NameError::Path)),
            ("line\n.ts", Err(NameError::Path)),
            ("trailing.", Err(NameError::Extension)),
            ("x.t$", Err(NameError::Extension)),
        ];
        for (name, want) in cases {
            assert_eq!(
                checked_extension(name),
                want.map(str::to_string),
                "{name:?}"
            );
        }
        assert_eq!(checked_extension(&"a".repeat(256)), Err(NameError::TooLong));
    }

    #[test]
    fn types_are_detected_from_content() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        let mut elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0".to_vec();
        elf.resize(64, 0);
        let cases: [(&[u8], &str, Option<&str>); 4] = [
            (png, "image/png", Some("png")),
            (&elf, "application/x-executable", Some("elf")),
            (
                b"1\n00:00:01,000 --> 00:00:02,000\nhello\n",
                "text/plain",
                Some("txt"),
            ),
            (b"\xff\xfe\x00\x01\x02", "application/octet-stream", None),
        ];
        for (head, mime, ext) in cases {
            let (m, e) = detected_type(head);
            assert_eq!((m.as_str(), e.as_deref()), (mime, ext), "{head:?}");
        }
    }
}
