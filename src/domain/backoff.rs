//! How long background work waits before trying again (mail delivery, file removal).

/// Seconds before attempt `attempts + 1`: 30 s, doubling, at most an hour.
pub fn backoff_secs(attempts: i32) -> i64 {
    (30i64 << attempts.clamp(0, 7)).min(3600)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let cases = [
            (0, 30),
            (1, 60),
            (2, 120),
            (6, 1920),
            (7, 3600),
            (30, 3600),
            (-1, 30),
        ];
        for (attempts, secs) in cases {
            assert_eq!(backoff_secs(attempts), secs, "{attempts}");
        }
    }
}
