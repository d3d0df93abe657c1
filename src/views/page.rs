//! The offset-page envelope shared by every list.
use crate::api::{Page, PageMeta};

/// One page of rows judged in memory (a run's tests, errors, artifacts), with its envelope.
pub fn slice<T>(rows: Vec<T>, limit: i32, offset: i32) -> (Vec<T>, Page) {
    let total = rows.len() as u64;
    let data = rows
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .collect();
    (data, pagination(limit, offset, total))
}

/// The `meta` of a page with nothing to add: an empty object, never null.
pub fn no_meta() -> PageMeta {
    serde_json::Value::Object(serde_json::Map::new())
}

pub fn pagination(limit: i32, offset: i32, total: u64) -> Page {
    let end = offset as u64 + limit as u64;
    Page {
        limit,
        offset,
        total: total as i64,
        next_offset: (end < total).then(|| i32::try_from(end).ok()).flatten(),
    }
}

#[cfg(test)]
mod tests {
    use super::pagination;

    #[test]
    fn next_offset_only_when_more_remain() {
        let cases = [
            ((50, 0, 0), None),
            ((50, 0, 50), None),
            ((50, 0, 51), Some(50)),
            ((10, 90, 100), None),
            ((10, 80, 100), Some(90)),
        ];
        for ((limit, offset, total), next) in cases {
            let p = pagination(limit, offset, total);
            assert_eq!(p.next_offset, next, "{limit} {offset} {total}");
            assert_eq!(p.total, total as i64);
        }
    }
}
