//! Matching a concrete request against the spec's operation table (for the auth gate and the
//! `Allow` header of a 405).
use crate::api::{OPERATIONS, OperationInfo};

fn segments(request_path: &str) -> Vec<&str> {
    let rel = request_path
        .strip_prefix(crate::app::API_PREFIX)
        .unwrap_or(request_path);
    rel.trim_end_matches('/').split('/').collect()
}

/// Literal segments matched, if the template matches at all.
fn score(template: &str, segs: &[&str]) -> Option<usize> {
    let pat: Vec<&str> = template.split('/').collect();
    if pat.len() != segs.len() {
        return None;
    }
    let mut literal = 0;
    for (p, s) in pat.iter().zip(segs) {
        if p.starts_with('{') {
            if s.is_empty() {
                return None;
            }
        } else if p == s {
            literal += 1;
        } else {
            return None;
        }
    }
    Some(literal)
}

/// The operation a request addresses; literal segments win (`/auth/tokens/current` over
/// `/auth/tokens/{token_id}`), as in the router.
pub fn find_operation(method: &str, request_path: &str) -> Option<&'static OperationInfo> {
    let segs = segments(request_path);
    OPERATIONS
        .iter()
        .filter(|op| op.method.eq_ignore_ascii_case(method))
        .filter_map(|op| score(op.path, &segs).map(|s| (s, op)))
        .max_by_key(|(s, _)| *s)
        .map(|(_, op)| op)
}

/// Methods the spec declares for a concrete request path. Where a literal path and a templated
/// one both match (`/samples/upload` and `/samples/{sample_id}`), the literal one names the
/// resource, as it does for routing.
pub fn allowed_methods(request_path: &str) -> Vec<&'static str> {
    let segs = segments(request_path);
    let scored: Vec<(usize, &'static str)> = OPERATIONS
        .iter()
        .filter_map(|op| score(op.path, &segs).map(|s| (s, op.method)))
        .collect();
    let best = scored.iter().map(|(s, _)| *s).max().unwrap_or(0);
    let mut methods: Vec<&'static str> = scored
        .into_iter()
        .filter(|(s, _)| *s == best)
        .map(|(_, m)| m)
        .collect();
    methods.sort_unstable();
    methods.dedup();
    methods
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_segments_win() {
        assert_eq!(
            find_operation("DELETE", "/api/v1/auth/tokens/current")
                .unwrap()
                .operation_id,
            "revokeCurrentToken"
        );
        assert_eq!(
            find_operation("DELETE", "/api/v1/auth/tokens/12")
                .unwrap()
                .operation_id,
            "revokeToken"
        );
        assert_eq!(
            find_operation("GET", "/api/v1/system/health")
                .unwrap()
                .operation_id,
            "getSystemHealth"
        );
        assert!(find_operation("GET", "/api/v1/nope").is_none());
        assert!(find_operation("PUT", "/api/v1/auth/tokens").is_none());
    }

    #[test]
    fn allowed_methods_match_templated_paths() {
        assert_eq!(allowed_methods("/api/v1/auth/tokens"), ["GET", "POST"]);
        assert_eq!(allowed_methods("/api/v1/samples/upload"), ["POST"]);
        assert_eq!(
            allowed_methods("/api/v1/samples/12"),
            ["DELETE", "GET", "PATCH"]
        );
        assert!(allowed_methods("/api/v1/no/such/path").is_empty());
    }
}
