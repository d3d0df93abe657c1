//! CORS for browser dashboards served from other origins (`SPCI_CORS_ORIGINS`: none by default,
//! and then no CORS header is ever sent and a preflight is the 405 it always was). poem's own
//! middleware, told exactly which origins, methods and request headers are allowed and which
//! response headers a page's script may read.
use poem::http::Method;
use poem::middleware::Cors;

/// What a cross-origin script may read besides the CORS-safelisted headers: the rate-limit
/// state, when to retry, the request id to quote in a report, where a created resource lives.
pub const EXPOSED_HEADERS: &[&str] = &[
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "retry-after",
    "x-request-id",
    "location",
];

/// Request headers a cross-origin call may send.
const ALLOWED_HEADERS: &[&str] = &["authorization", "content-type", "x-request-id"];

pub fn cors(origins: &[String]) -> Cors {
    Cors::new()
        .allow_origins(origins.iter().map(String::as_str))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers(ALLOWED_HEADERS.iter().copied())
        .expose_headers(EXPOSED_HEADERS.iter().copied())
        .max_age(600)
}

/// An origin as a browser sends it: `scheme://host[:port]`, nothing after.
pub fn is_origin(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains(['/', '?', '#', '*', ' '])
}

#[cfg(test)]
mod tests {
    #[test]
    fn origins_are_scheme_host_and_port_only() {
        let cases = [
            ("https://dash.example.org", true),
            ("http://localhost:3000", true),
            ("https://dash.example.org/", false),
            ("https://*.example.org", false),
            ("*", false),
            ("dash.example.org", false),
            ("ftp://x", false),
            ("https://", false),
        ];
        for (origin, ok) in cases {
            assert_eq!(super::is_origin(origin), ok, "{origin}");
        }
    }
}
