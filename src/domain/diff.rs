//! Line diffs of an expected and an actual output, as hunks (structured) or unified text.
//!
//! diffy's Myers diff costs O((N+M)·D) with no bound of its own: two hostile 10 MiB files could
//! take hours. So the lines both files share at the start and at the end are set aside first, and
//! only when what remains is small enough (at most [`MAX_ALIGNED_LINES`]) is it aligned with
//! diffy; otherwise the lines are compared by position, as upstream's HTML diff does. Either way
//! the time is bounded and the memory is a small multiple of the two files.
use diffy::{DiffOptions, Line};

/// Lines (both sides together, common start and end excluded) beyond which no alignment is tried.
pub const MAX_ALIGNED_LINES: usize = 20_000;
/// Hunks a structured diff carries (the spec's maxItems); the summary still counts them all.
pub const MAX_HUNKS: usize = 500;
/// Lines of unified text before the truncation note.
pub const MAX_UNIFIED_LINES: usize = 10_000;
/// Lines all hunks of one diff carry together, so the response stays small whatever the files.
pub const MAX_LINES: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Context,
    Added,
    Removed,
}

#[derive(Debug, PartialEq, Eq)]
pub struct DiffLine {
    pub kind: Kind,
    /// 1-based line numbers; `None` on the side the line is not in.
    pub expected_line: Option<usize>,
    pub actual_line: Option<usize>,
    pub text: String,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Hunk {
    /// 1-based first line of the hunk on each side.
    pub expected_start: usize,
    pub actual_start: usize,
    pub lines: Vec<DiffLine>,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Diff {
    pub hunks: Vec<Hunk>,
    pub added: u64,
    pub removed: u64,
    /// Every hunk found, including those past [`MAX_HUNKS`].
    pub hunk_count: u64,
    /// The files were compared line by line by position (too large to align).
    pub positional: bool,
}

/// The diff of two texts with `context` unchanged lines around each change.
pub fn diff(expected: &str, actual: &str, context: usize) -> Diff {
    // Walk the common leading and trailing lines without collecting them: only the middle
    // (where the files differ) is split into lines and aligned.
    let (mut pe, mut pa, mut prefix) = (0, 0, 0);
    for (x, y) in expected
        .split_inclusive('\n')
        .zip(actual.split_inclusive('\n'))
    {
        if eol(x) != eol(y) {
            break;
        }
        (pe, pa, prefix) = (pe + x.len(), pa + y.len(), prefix + 1);
    }
    let (mut se, mut sa) = (0, 0);
    for (x, y) in expected[pe..]
        .split_inclusive('\n')
        .rev()
        .zip(actual[pa..].split_inclusive('\n').rev())
    {
        if eol(x) != eol(y) {
            break;
        }
        (se, sa) = (se + x.len(), sa + y.len());
    }
    let (me, ma) = (
        &expected[pe..expected.len() - se],
        &actual[pa..actual.len() - sa],
    );
    let e: Vec<&str> = me.lines().collect();
    let a: Vec<&str> = ma.lines().collect();
    let positional = e.len() + a.len() > MAX_ALIGNED_LINES;

    let mut ops: Vec<Op> = Vec::new();
    let lead: Vec<&str> = expected[..pe]
        .split_inclusive('\n')
        .rev()
        .take(context)
        .collect();
    for (k, l) in lead.iter().rev().enumerate() {
        let n = prefix - lead.len() + k + 1;
        ops.push((Kind::Context, Some(n), Some(n), eol(l)));
    }
    let middle = if positional {
        positional_ops(&e, &a)
    } else {
        aligned(me, ma, &e, &a, context)
    };
    let shift = |n: Option<usize>| n.map(|n| n + prefix);
    ops.extend(
        middle
            .into_iter()
            .map(|(k, x, y, t)| (k, shift(x), shift(y), t)),
    );
    let tail = expected[expected.len() - se..]
        .split_inclusive('\n')
        .take(context);
    for (k, l) in tail.enumerate() {
        ops.push((
            Kind::Context,
            Some(prefix + e.len() + k + 1),
            Some(prefix + a.len() + k + 1),
            eol(l),
        ));
    }
    let mut d = hunks(ops, context, prefix);
    d.positional = positional;
    d
}

/// A line without its ending, as `str::lines` gives it.
fn eol(line: &str) -> &str {
    match line.strip_suffix('\n') {
        Some(l) => l.strip_suffix('\r').unwrap_or(l),
        None => line,
    }
}

/// One line of either file with its 1-based numbers.
type Op<'a> = (Kind, Option<usize>, Option<usize>, &'a str);

/// diffy finds the edit script; the line texts are taken from `e` and `a` (split like
/// `str::lines`, so without line endings), which outlive the patch.
fn aligned<'a>(
    expected: &str,
    actual: &str,
    e: &[&'a str],
    a: &[&'a str],
    context: usize,
) -> Vec<Op<'a>> {
    let mut options = DiffOptions::new();
    options.set_context_len(context);
    let patch = options.create_patch(expected, actual);
    let mut ops = Vec::new();
    let (mut last_e, mut last_a) = (0usize, 0usize);
    for h in patch.hunks() {
        let (mut ei, mut ai) = (h.old_range().start(), h.new_range().start());
        // diffy numbers an empty range from the line before it.
        if h.old_range().is_empty() {
            ei += 1;
        }
        if h.new_range().is_empty() {
            ai += 1;
        }
        // Lines between diffy's hunks are equal; keep them as context so hunks can be re-cut.
        while last_e + 1 < ei && last_a + 1 < ai {
            last_e += 1;
            last_a += 1;
            ops.push((Kind::Context, Some(last_e), Some(last_a), e[last_e - 1]));
        }
        for l in h.lines() {
            match l {
                Line::Context(_) => {
                    ops.push((Kind::Context, Some(ei), Some(ai), e[ei - 1]));
                    ei += 1;
                    ai += 1;
                }
                Line::Delete(_) => {
                    ops.push((Kind::Removed, Some(ei), None, e[ei - 1]));
                    ei += 1;
                }
                Line::Insert(_) => {
                    ops.push((Kind::Added, None, Some(ai), a[ai - 1]));
                    ai += 1;
                }
            }
        }
        last_e = ei - 1;
        last_a = ai - 1;
    }
    ops
}

/// Line i of one file against line i of the other; extra lines on either side stand alone.
fn positional_ops<'a>(e: &[&'a str], a: &[&'a str]) -> Vec<Op<'a>> {
    let mut ops = Vec::new();
    for i in 0..e.len().max(a.len()) {
        match (e.get(i), a.get(i)) {
            (Some(x), Some(y)) if x == y => ops.push((Kind::Context, Some(i + 1), Some(i + 1), *x)),
            (x, y) => {
                if let Some(x) = x {
                    ops.push((Kind::Removed, Some(i + 1), None, *x));
                }
                if let Some(y) = y {
                    ops.push((Kind::Added, None, Some(i + 1), *y));
                }
            }
        }
    }
    ops
}

/// Cuts a sequence of context and change lines into hunks with `context` lines around changes.
/// `base` is the line both sides share just before the first op (the common prefix's last).
fn hunks(ops: Vec<Op>, context: usize, base: usize) -> Diff {
    let changes: Vec<usize> = (0..ops.len())
        .filter(|i| ops[*i].0 != Kind::Context)
        .collect();
    let mut d = Diff::default();
    let mut i = 0;
    while i < changes.len() {
        let start = changes[i].saturating_sub(context);
        let mut end = changes[i];
        // Extend while the next change is close enough to share context.
        while i + 1 < changes.len() && changes[i + 1] <= end + 2 * context + 1 {
            i += 1;
            end = changes[i];
        }
        let end = (end + context).min(ops.len() - 1);
        d.hunk_count += 1;
        let slice = &ops[start..=end];
        d.added += slice.iter().filter(|o| o.0 == Kind::Added).count() as u64;
        d.removed += slice.iter().filter(|o| o.0 == Kind::Removed).count() as u64;
        let carried: usize = d.hunks.iter().map(|h| h.lines.len()).sum();
        if d.hunks.len() < MAX_HUNKS && carried < MAX_LINES {
            let slice = &slice[..slice.len().min(MAX_LINES - carried)];
            let first_e = slice.iter().find_map(|o| o.1);
            let first_a = slice.iter().find_map(|o| o.2);
            d.hunks.push(Hunk {
                expected_start: first_e
                    .unwrap_or_else(|| before(&ops[..start], |o| o.1).unwrap_or(base) + 1),
                actual_start: first_a
                    .unwrap_or_else(|| before(&ops[..start], |o| o.2).unwrap_or(base) + 1),
                lines: slice
                    .iter()
                    .map(|(kind, el, al, text)| DiffLine {
                        kind: *kind,
                        expected_line: *el,
                        actual_line: *al,
                        text: text.to_string(),
                    })
                    .collect(),
            });
        }
        i += 1;
    }
    d
}

fn before(ops: &[Op], side: impl Fn(&Op) -> Option<usize>) -> Option<usize> {
    ops.iter().rev().find_map(side)
}

/// Unified diff text of the hunks, at most [`MAX_UNIFIED_LINES`] lines then a note.
pub fn unified(d: &Diff, expected_name: &str, actual_name: &str) -> String {
    let mut out = vec![format!("--- {expected_name}"), format!("+++ {actual_name}")];
    'hunks: for h in &d.hunks {
        let e_len = h.lines.iter().filter(|l| l.kind != Kind::Added).count();
        let a_len = h.lines.iter().filter(|l| l.kind != Kind::Removed).count();
        out.push(format!(
            "@@ -{},{} +{},{} @@",
            h.expected_start, e_len, h.actual_start, a_len
        ));
        for l in &h.lines {
            if out.len() >= MAX_UNIFIED_LINES {
                break 'hunks;
            }
            let mark = match l.kind {
                Kind::Context => ' ',
                Kind::Added => '+',
                Kind::Removed => '-',
            };
            out.push(format!("{mark}{}", l.text));
        }
    }
    let shown = d.hunks.len() as u64;
    if out.len() >= MAX_UNIFIED_LINES || shown < d.hunk_count {
        out.truncate(MAX_UNIFIED_LINES);
        out.push(format!(
            "... diff truncated ({} hunks in all, {} added and {} removed lines)",
            d.hunk_count, d.added, d.removed
        ));
    }
    let mut s = out.join("\n");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(d: &Diff) -> Vec<Vec<Op<'_>>> {
        d.hunks
            .iter()
            .map(|h| {
                h.lines
                    .iter()
                    .map(|l| (l.kind, l.expected_line, l.actual_line, l.text.as_str()))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn identical_texts_have_no_hunks() {
        let d = diff("a\nb\n", "a\nb\n", 3);
        assert_eq!(
            (d.hunks.len(), d.added, d.removed, d.hunk_count),
            (0, 0, 0, 0)
        );
    }

    #[test]
    fn hunk_table() {
        use Kind::*;
        // (expected, actual, context, hunk starts, lines)
        type Case = (
            &'static str,
            &'static str,
            usize,
            Vec<(usize, usize)>,
            Vec<Vec<(Kind, Option<usize>, Option<usize>, &'static str)>>,
        );
        let cases: Vec<Case> = vec![
            (
                "a\nb\nc\n",
                "a\nB\nc\n",
                1,
                vec![(1, 1)],
                vec![vec![
                    (Context, Some(1), Some(1), "a"),
                    (Removed, Some(2), None, "b"),
                    (Added, None, Some(2), "B"),
                    (Context, Some(3), Some(3), "c"),
                ]],
            ),
            (
                "a\nb\n",
                "a\nb\nc\n",
                0,
                vec![(3, 3)],
                vec![vec![(Added, None, Some(3), "c")]],
            ),
            (
                "x\na\n",
                "a\n",
                0,
                vec![(1, 1)],
                vec![vec![(Removed, Some(1), None, "x")]],
            ),
            (
                "1\n2\n3\n4\n5\n6\n7\n8\n9\n",
                "1\nX\n3\n4\n5\n6\n7\nY\n9\n",
                1,
                vec![(1, 1), (7, 7)],
                vec![
                    vec![
                        (Context, Some(1), Some(1), "1"),
                        (Removed, Some(2), None, "2"),
                        (Added, None, Some(2), "X"),
                        (Context, Some(3), Some(3), "3"),
                    ],
                    vec![
                        (Context, Some(7), Some(7), "7"),
                        (Removed, Some(8), None, "8"),
                        (Added, None, Some(8), "Y"),
                        (Context, Some(9), Some(9), "9"),
                    ],
                ],
            ),
            (
                "a\r\nb\r\n",
                "a\r\nc\r\n",
                0,
                vec![(2, 2)],
                vec![vec![
                    (Removed, Some(2), None, "b"),
                    (Added, None, Some(2), "c"),
                ]],
            ),
        ];
        for (e, a, ctx, starts, want) in cases {
            let d = diff(e, a, ctx);
            let got: Vec<(usize, usize)> = d
                .hunks
                .iter()
                .map(|h| (h.expected_start, h.actual_start))
                .collect();
            assert_eq!(got, starts, "{e:?} vs {a:?}");
            assert_eq!(lines(&d), want, "{e:?} vs {a:?}");
            assert!(!d.positional);
        }
    }

    #[test]
    fn line_numbers_count_the_common_start_and_end() {
        let e: String = (1..=1000).map(|i| format!("{i}\n")).collect();
        let a = e.replace("\n500\n", "\nfive hundred\n");
        let d = diff(&e, &a, 2);
        assert_eq!(d.hunks.len(), 1);
        let h = &d.hunks[0];
        assert_eq!((h.expected_start, h.actual_start), (498, 498));
        let got: Vec<_> = h
            .lines
            .iter()
            .map(|l| (l.kind, l.expected_line, l.actual_line, l.text.as_str()))
            .collect();
        use Kind::*;
        assert_eq!(
            got,
            vec![
                (Context, Some(498), Some(498), "498"),
                (Context, Some(499), Some(499), "499"),
                (Removed, Some(500), None, "500"),
                (Added, None, Some(500), "five hundred"),
                (Context, Some(501), Some(501), "501"),
                (Context, Some(502), Some(502), "502"),
            ]
        );
        // Lines added at the end number after the common part.
        let d = diff("x\ny\n", "x\ny\nz\nw\n", 1);
        assert_eq!((d.hunks[0].expected_start, d.hunks[0].actual_start), (2, 2));
        assert_eq!(d.added, 2);
    }

    #[test]
    fn close_changes_share_one_hunk() {
        let d = diff("1\n2\n3\n4\n5\n", "1\nX\n3\nY\n5\n", 1);
        assert_eq!(d.hunk_count, 1);
        assert_eq!((d.added, d.removed), (2, 2));
    }

    #[test]
    fn large_unalignable_inputs_are_compared_by_position_in_linear_time() {
        let n = MAX_ALIGNED_LINES;
        let e: String = (0..n).map(|i| format!("e{i}\n")).collect();
        let a: String = (0..n).rev().map(|i| format!("e{i}\n")).collect();
        let d = diff(&e, &a, 3);
        assert!(d.positional);
        assert_eq!(d.added + d.removed, 2 * n as u64);
        assert_eq!(d.hunks.len(), 1, "every line differs: one hunk");
    }

    #[test]
    fn hunks_are_capped_but_counted() {
        let e: String = (0..2000).map(|i| format!("{i}\n")).collect();
        let a: String = (0..2000)
            .map(|i| {
                if i % 3 == 0 {
                    format!("x{i}\n")
                } else {
                    format!("{i}\n")
                }
            })
            .collect();
        let d = diff(&e, &a, 0);
        assert_eq!(d.hunks.len(), MAX_HUNKS);
        assert_eq!(d.hunk_count, 667);
        assert_eq!(d.added, 667);
        let u = unified(&d, "e", "a");
        assert!(u.ends_with("removed lines)\n"), "{}", &u[u.len() - 100..]);
    }

    #[test]
    fn the_lines_carried_are_capped_but_counted() {
        let e: String = (0..30_000).map(|i| format!("{i}\n")).collect();
        let a: String = (0..30_000).map(|i| format!("{i}!\n")).collect();
        let d = diff(&e, &a, 3);
        assert_eq!(
            d.hunks.iter().map(|h| h.lines.len()).sum::<usize>(),
            MAX_LINES
        );
        assert_eq!((d.added, d.removed), (30_000, 30_000));
    }

    #[test]
    fn unified_text_matches_the_usual_form() {
        let d = diff("a\nb\nc\n", "a\nB\nc\n", 1);
        assert_eq!(
            unified(&d, "expected.srt", "actual.srt"),
            "--- expected.srt\n+++ actual.srt\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
        );
    }

    #[test]
    fn unified_text_is_capped() {
        let e: String = (0..30_000).map(|i| format!("{i}\n")).collect();
        let a: String = (0..30_000).map(|i| format!("{i}!\n")).collect();
        let u = unified(&diff(&e, &a, 3), "e", "a");
        assert_eq!(u.lines().count(), MAX_UNIFIED_LINES + 1);
    }
}
