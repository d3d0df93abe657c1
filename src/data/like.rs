//! Substring filters as SQL LIKE patterns, with the caller's `%`, `_` and `\` taken literally.
use sea_orm::sea_query::LikeExpr;

/// `LOWER(col) LIKE <this>` matches values containing `needle`, case-insensitively.
pub fn contains_pattern(needle: &str) -> LikeExpr {
    LikeExpr::new(contains(needle)).escape('\\')
}

fn contains(needle: &str) -> String {
    let mut escaped = String::with_capacity(needle.len() + 2);
    escaped.push('%');
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    escaped
}

#[cfg(test)]
mod tests {
    #[test]
    fn wildcards_are_literal() {
        let cases = [
            ("abc", "%abc%"),
            ("ABC", "%abc%"),
            ("50%", "%50\\%%"),
            ("a_b", "%a\\_b%"),
            ("C:\\x", "%c:\\\\x%"),
        ];
        for (needle, want) in cases {
            assert_eq!(super::contains(needle), want, "{needle}");
        }
    }
}
