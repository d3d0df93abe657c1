//! What the forbidden-extension operations share: upstream stores an extension lower-cased and
//! without its dot, so every spelling of one extension is one row.
pub fn normalise(extension: &str) -> String {
    extension.trim_start_matches('.').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_row_per_extension_whatever_the_spelling() {
        for (given, stored) in [("js", "js"), (".JS", "js"), ("Com", "com"), (".mp4", "mp4")] {
            assert_eq!(super::normalise(given), stored, "{given}");
        }
    }
}
