//! Conditional requests (RFC 9110): a representation's strong ETag, and whether an
//! If-None-Match names it. If-None-Match compares weakly, so `W/"x"` names `"x"` too.

/// The strong ETag of a body: 128 bits of its SHA-256, quoted.
pub fn of(body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(body);
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// Whether `if_none_match` (a list of entity tags, or `*`) names `etag`.
pub fn named(if_none_match: &str, etag: &str) -> bool {
    let opaque = |t: &str| {
        let t = t.trim();
        t.strip_prefix("W/").unwrap_or(t).to_string()
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
        ];
        for (header, want) in cases {
            assert_eq!(named(&header, &tag), want, "{header:?}");
        }
        assert_eq!(tag.len(), 34);
        assert_ne!(tag, other);
    }
}
