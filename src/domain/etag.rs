//! Conditional requests (RFC 9110): a representation's strong ETag, and whether an
//! If-None-Match names it. If-None-Match compares weakly, so `W/"x"` names `"x"` too.

/// The strong ETag of a body: 128 bits of its SHA-256, quoted.
pub fn of(body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(body);
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// A stored file's strong ETag: its content hash when the store names it by one (samples by
/// SHA-256, outputs by their hash), else a hash of its name, size and store version.
pub fn of_file(file_name: &str, size: u64, version: Option<&str>) -> String {
    let stem = file_name.split('.').next().unwrap_or_default();
    if stem.len() >= 32 && stem.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!("\"{}\"", stem.to_ascii_lowercase())
    } else {
        of(format!("{file_name}\n{size}\n{}", version.unwrap_or_default()).as_bytes())
    }
}

/// Content codings a compressed answer's ETag may name (see [`with_coding`]).
const CODINGS: [&str; 2] = ["br", "gzip"];

/// The ETag of `etag`'s representation sent with content coding `coding`: `"x"` → `"x-br"`.
pub fn with_coding(etag: &str, coding: &str) -> Option<String> {
    let inner = etag.strip_prefix('"')?.strip_suffix('"')?;
    Some(format!("\"{inner}-{coding}\""))
}

/// Whether `if_none_match` (a list of entity tags, or `*`) names `etag`, in any content coding.
pub fn named(if_none_match: &str, etag: &str) -> bool {
    let opaque = |t: &str| {
        let t = t.trim();
        let t = t.strip_prefix("W/").unwrap_or(t);
        let plain = CODINGS.iter().find_map(|c| {
            let inner = t.strip_prefix('"')?.strip_suffix('"')?;
            Some(format!("\"{}\"", inner.strip_suffix(&format!("-{c}"))?))
        });
        plain.unwrap_or_else(|| t.to_string())
    };
    let want = opaque(etag);
    if_none_match.trim() == "*"
        || if_none_match
            .split(',')
            .any(|t| !t.trim().is_empty() && opaque(t) == want)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_tags() {
        let sha = "ab".repeat(32);
        let cases = [
            (format!("{sha}.ts"), 10, Some("v1"), format!("\"{sha}\"")),
            (format!("{sha}.ts"), 99, Some("v2"), format!("\"{sha}\"")),
            ("12.txt".to_string(), 10, Some("v1"), of(b"12.txt\n10\nv1")),
            ("12.txt".to_string(), 11, Some("v1"), of(b"12.txt\n11\nv1")),
            ("12.txt".to_string(), 10, None, of(b"12.txt\n10\n")),
        ];
        for (name, size, version, want) in cases {
            assert_eq!(of_file(&name, size, version), want, "{name}");
        }
    }

    #[test]
    fn if_none_match_table() {
        let tag = of(b"{\"run_id\":1}");
        let other = of(b"{\"run_id\":2}");
        let weak = format!("W/{tag}");
        let cases = [
            (tag.clone(), true),
            (other.clone(), false),
            (format!("{other}, {tag}"), true),
            (format!("{other},{tag}"), true),
            (weak, true),
            ("*".to_string(), true),
            (" * ".to_string(), true),
            (String::new(), false),
            (tag.trim_matches('"').to_string(), false),
            (",,".to_string(), false),
            (with_coding(&tag, "br").unwrap(), true),
            (with_coding(&tag, "gzip").unwrap(), true),
            (with_coding(&other, "gzip").unwrap(), false),
        ];
        for (header, want) in cases {
            assert_eq!(named(&header, &tag), want, "{header:?}");
        }
        assert_eq!(tag.len(), 34);
        assert_ne!(tag, other);
    }
}
