//! Which bytes of a file a `Range` header asks for (RFC 9110 §14). The header's syntax is
//! http-range-header's; what a syntactically good range means for a file of a given size is
//! decided here, because a bad header and a range past the end are answered differently.
use http_range_header::{EndPosition, StartPosition, parse_range_header};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// No header, one that cannot be parsed, or several ranges: the whole file (200), as
    /// RFC 9110 lets a server ignore a Range it will not serve.
    Whole,
    /// `start..end` (end exclusive, never past the file), answered with 206.
    Part { start: u64, end: u64 },
    /// The range starts at or past the end of the file (416).
    Unsatisfiable,
}

pub fn requested(header: Option<&str>, size: u64) -> ByteRange {
    let Some(parsed) = header.and_then(|h| parse_range_header(h).ok()) else {
        return ByteRange::Whole;
    };
    let [range] = parsed.ranges.as_slice() else {
        return ByteRange::Whole;
    };
    let start = match range.start {
        StartPosition::Index(i) => i,
        // The last n bytes; a suffix longer than the file is all of it.
        StartPosition::FromLast(n) => size.saturating_sub(n),
    };
    let end = match range.end {
        EndPosition::Index(last) => last.saturating_add(1).min(size),
        EndPosition::LastByte => size,
    };
    if start >= size {
        return ByteRange::Unsatisfiable;
    }
    if end <= start {
        // `bytes=10-5`: not a range at all.
        return ByteRange::Whole;
    }
    ByteRange::Part { start, end }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ByteRange::*;

    #[test]
    fn ranges_of_a_1000_byte_file() {
        let cases = [
            (None, Whole),
            (Some("bytes=0-99"), Part { start: 0, end: 100 }),
            (
                Some("bytes=100-"),
                Part {
                    start: 100,
                    end: 1000,
                },
            ),
            (
                Some("bytes=-100"),
                Part {
                    start: 900,
                    end: 1000,
                },
            ),
            (
                Some("bytes=-5000"),
                Part {
                    start: 0,
                    end: 1000,
                },
            ),
            (
                Some("bytes=990-5000"),
                Part {
                    start: 990,
                    end: 1000,
                },
            ),
            (
                Some("bytes=999-999"),
                Part {
                    start: 999,
                    end: 1000,
                },
            ),
            (Some("bytes=1000-"), Unsatisfiable),
            (Some("bytes=5000-6000"), Unsatisfiable),
            (Some("bytes=10-5"), Whole),
            (Some("bytes=0-1,5-6"), Whole),
            (Some("items=0-1"), Whole),
            (Some("bytes=abc"), Whole),
            (Some(""), Whole),
        ];
        for (header, want) in cases {
            assert_eq!(requested(header, 1000), want, "{header:?}");
        }
    }

    #[test]
    fn an_empty_file_satisfies_no_range() {
        assert_eq!(requested(Some("bytes=0-"), 0), Unsatisfiable);
        assert_eq!(requested(Some("bytes=-10"), 0), Unsatisfiable);
        assert_eq!(requested(None, 0), Whole);
    }
}
