//! One page of the union of two disjoint ordered sets: `stored`, too large to read whole, read
//! as one window from the database, and `live`, small and entirely in memory (a status-filtered
//! history: results with stored verdicts, and results of unfinished runs judged when read).
//!
//! With k = |live|, any page [offset, offset + limit) of the union lies within stored items
//! [from, offset + limit) for from = offset - k (or 0): an item of `stored` before `from` has
//! at most k live items before it, so it ranks before `offset`. The caller reads that window
//! and this module merges it with `live`.

/// Where the window of `stored` starts, and how many items it needs.
pub fn window(offset: usize, limit: usize, live: usize) -> (usize, usize) {
    let from = offset.saturating_sub(live);
    (from, offset + limit - from)
}

/// The page [offset, offset + limit) of the union, given `stored[from..]` as read for
/// [`window`] (possibly shorter when `stored` ends) and every `live` item. Both are sorted and
/// disjoint.
pub fn page<K: Ord + Clone>(
    stored: &[K],
    from: usize,
    live: &[K],
    offset: usize,
    limit: usize,
) -> Vec<K> {
    // Live items before the window's first stored item rank before `offset` when the window
    // starts after 0 (see the module comment); at 0 they are the union's first items.
    let (base, live) = match stored.first() {
        Some(first) if from > 0 => {
            let before = live.partition_point(|k| k < first);
            (from + before, &live[before..])
        }
        // `stored` ends before `from`: the union has at most from + k = offset items.
        None if from > 0 => return vec![],
        _ => (0, live),
    };
    let mut merged: Vec<&K> = stored.iter().chain(live).collect();
    merged.sort();
    merged
        .into_iter()
        .skip(offset - base)
        .take(limit)
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the page must be: the union sorted, cut.
    fn brute(stored: &[u32], live: &[u32], offset: usize, limit: usize) -> Vec<u32> {
        let mut all: Vec<u32> = stored.iter().chain(live).copied().collect();
        all.sort();
        all.into_iter().skip(offset).take(limit).collect()
    }

    fn paged(stored: &[u32], live: &[u32], offset: usize, limit: usize) -> Vec<u32> {
        let (from, len) = window(offset, limit, live.len());
        let read: Vec<u32> = stored.iter().skip(from).take(len).copied().collect();
        page(&read, from, live, offset, limit)
    }

    #[test]
    fn equals_the_sorted_union_for_every_page() {
        let cases: [(&[u32], &[u32]); 8] = [
            (&[], &[]),
            (&[1, 2, 3], &[]),
            (&[], &[4, 5]),
            (&[10, 20, 30, 40, 50, 60], &[1, 2]),
            (&[10, 20, 30, 40, 50, 60], &[61, 70]),
            (&[10, 20, 30, 40, 50, 60], &[15, 35, 55]),
            (&[2, 4, 6, 8, 10, 12, 14, 16], &[1, 3, 5, 7, 9]),
            (&[1, 2, 3], &[4, 5, 6, 7, 8, 9, 10, 11]),
        ];
        for (stored, live) in cases {
            for offset in 0..16 {
                for limit in 1..6 {
                    assert_eq!(
                        paged(stored, live, offset, limit),
                        brute(stored, live, offset, limit),
                        "stored {stored:?} live {live:?} offset {offset} limit {limit}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_window_never_reads_more_than_the_page_plus_the_live_items() {
        for (offset, limit, live, want) in [
            (0, 50, 0, (0, 50)),
            (5000, 50, 0, (5000, 50)),
            (5000, 50, 7, (4993, 57)),
            (3, 50, 7, (0, 53)),
        ] {
            assert_eq!(window(offset, limit, live), want);
        }
    }
}
