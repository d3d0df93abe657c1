//! Failing tests of a run grouped by cause, so one root cause is read once. A test's cause is
//! the reason of its own status, as the verdict module gave it:
//! - missing_output: which outputs are missing, by their file kind (extension and expected
//!   name), so tests that all failed to write their `.srt` group together;
//! - exit_code: the expected and the actual exit code;
//! - first_difference: the first line where the first differing output (lowest output id)
//!   departs from its baseline, expected and actual text, whatever its line number, so the
//!   same new line across many tests is one group;
//! - produced_hash: when the files cannot be read (not stored, or no difference in the part
//!   read), the output and the hash it produced.
//!
//! Groups come largest first, then by key.
use super::verdict::TestError;
use crate::api::RunSampleStatus;
use std::collections::BTreeMap;

/// What decides a failing test's cause, before any file is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The missing outputs' ids.
    Missing(Vec<i32>),
    ExitCode {
        actual: Option<i32>,
    },
    /// The first (lowest id) output whose file differs and matches no variant.
    Differs {
        output_id: i32,
    },
}

/// The reason of the test's own status; `None` for a test that did not fail.
pub fn reason(status: RunSampleStatus, errors: &[TestError]) -> Option<Reason> {
    match status {
        RunSampleStatus::MissingOutput => Some(Reason::Missing(
            errors
                .iter()
                .filter_map(|e| match e {
                    TestError::MissingOutput { output_id } => Some(*output_id),
                    _ => None,
                })
                .collect(),
        )),
        RunSampleStatus::Fail => errors
            .iter()
            .find_map(|e| match e {
                TestError::ExitCodeMismatch { exit_code } => {
                    Some(Reason::ExitCode { actual: *exit_code })
                }
                _ => None,
            })
            .or_else(|| {
                errors.iter().find_map(|e| match e {
                    TestError::DiffMismatch { output_id } => Some(Reason::Differs {
                        output_id: *output_id,
                    }),
                    _ => None,
                })
            }),
        _ => None,
    }
}

/// How much of a line a cause keeps: enough to recognise it, bounded whatever the file.
pub const LINE_CHARS: usize = 200;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cause {
    MissingOutputs(Vec<String>),
    ExitCode {
        expected: Option<i32>,
        actual: Option<i32>,
    },
    FirstDifference {
        expected: Option<String>,
        actual: Option<String>,
    },
    ProducedHash {
        output_id: i32,
        got: String,
    },
}

impl Cause {
    /// The grouping key, stable across requests.
    pub fn key(&self) -> String {
        match self {
            Self::MissingOutputs(kinds) => format!("missing_output:{}", kinds.join(",")),
            Self::ExitCode { expected, actual } => {
                let n = |c: &Option<i32>| c.map_or("none".to_string(), |c| c.to_string());
                format!("exit_code:{}:{}", n(expected), n(actual))
            }
            Self::FirstDifference { expected, actual } => format!(
                "first_difference:{}\u{1f}{}",
                expected.as_deref().unwrap_or("<end of file>"),
                actual.as_deref().unwrap_or("<end of file>")
            ),
            Self::ProducedHash { output_id, got } => format!("produced_hash:{output_id}:{got}"),
        }
    }
}

/// The first line (1-based) where two texts differ, with each side's text (cut to
/// [`LINE_CHARS`]; `None` past that side's end). `None` when they agree everywhere.
pub fn first_difference(
    expected: &str,
    actual: &str,
) -> Option<(usize, Option<String>, Option<String>)> {
    let cut = |l: &str| {
        l.trim_end_matches('\r')
            .chars()
            .take(LINE_CHARS)
            .collect::<String>()
    };
    let (mut e, mut a) = (expected.lines(), actual.lines());
    for n in 1.. {
        match (e.next(), a.next()) {
            (None, None) => return None,
            (x, y)
                if x.map(|l| l.trim_end_matches('\r')) == y.map(|l| l.trim_end_matches('\r')) => {}
            (x, y) => return Some((n, x.map(cut), y.map(cut))),
        }
    }
    None
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub cause: Cause,
    pub tests: Vec<i32>,
}

/// Tests by cause, largest group first, tests by id within a group.
pub fn group(causes: Vec<(i32, Cause)>) -> Vec<Group> {
    let mut by: BTreeMap<String, Group> = BTreeMap::new();
    for (rt, cause) in causes {
        by.entry(cause.key())
            .or_insert_with(|| Group {
                cause,
                tests: vec![],
            })
            .tests
            .push(rt);
    }
    let mut groups: Vec<(String, Group)> = by.into_iter().collect();
    for (_, g) in &mut groups {
        g.tests.sort_unstable();
    }
    groups.sort_by(|(ka, a), (kb, b)| b.tests.len().cmp(&a.tests.len()).then(ka.cmp(kb)));
    groups.into_iter().map(|(_, g)| g).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_differing_line_is_found_whatever_the_line_ending() {
        let s = |x: &str| Some(x.to_string());
        let cases = [
            ("a\nb\nc\n", "a\nb\nc\n", None),
            ("a\r\nb\r\n", "a\nb\n", None),
            ("a\nb\nc\n", "a\nX\nc\n", Some((2, s("b"), s("X")))),
            ("a\nb\n", "a\nb\nextra\n", Some((3, None, s("extra")))),
            ("a\nb\nc\n", "a\n", Some((2, s("b"), None))),
            ("", "new\n", Some((1, None, s("new")))),
        ];
        for (e, a, want) in cases {
            assert_eq!(first_difference(e, a), want, "{e:?} vs {a:?}");
        }
        let long = "x".repeat(1000);
        let (_, _, got) = first_difference("", &long).unwrap();
        assert_eq!(got.unwrap().len(), LINE_CHARS);
    }

    #[test]
    fn groups_are_by_cause_largest_first() {
        let line = |e: &str, a: &str| Cause::FirstDifference {
            expected: Some(e.into()),
            actual: Some(a.into()),
        };
        let rc = |e, a| Cause::ExitCode {
            expected: Some(e),
            actual: Some(a),
        };
        let causes = vec![
            (5, line("00:01 Hello", "00:02 Hello")),
            (1, rc(0, 139)),
            (3, line("00:01 Hello", "00:02 Hello")),
            (4, rc(0, 139)),
            (2, line("00:01 Hello", "00:02 Hello")),
            (6, Cause::MissingOutputs(vec![".srt".into()])),
            (7, rc(0, 1)),
        ];
        let groups = group(causes);
        let shape: Vec<(String, Vec<i32>)> = groups
            .iter()
            .map(|g| (g.cause.key(), g.tests.clone()))
            .collect();
        assert_eq!(
            shape,
            vec![
                (
                    "first_difference:00:01 Hello\u{1f}00:02 Hello".to_string(),
                    vec![2, 3, 5]
                ),
                ("exit_code:0:139".to_string(), vec![1, 4]),
                ("exit_code:0:1".to_string(), vec![7]),
                ("missing_output:.srt".to_string(), vec![6]),
            ]
        );
    }

    #[test]
    fn the_reason_is_that_of_the_tests_own_status() {
        use RunSampleStatus as S;
        use TestError as E;
        let rc = E::ExitCodeMismatch { exit_code: Some(3) };
        let cases = [
            (S::Pass, vec![], None),
            (S::Skipped, vec![rc], None),
            (
                S::MissingOutput,
                vec![
                    E::MissingOutput { output_id: 4 },
                    E::MissingOutput { output_id: 9 },
                    rc,
                ],
                Some(Reason::Missing(vec![4, 9])),
            ),
            // The exit code comes before any difference, as the verdict judges it.
            (
                S::Fail,
                vec![rc, E::DiffMismatch { output_id: 2 }],
                Some(Reason::ExitCode { actual: Some(3) }),
            ),
            (
                S::Fail,
                vec![
                    E::DiffMismatch { output_id: 2 },
                    E::DiffMismatch { output_id: 5 },
                ],
                Some(Reason::Differs { output_id: 2 }),
            ),
        ];
        for (status, errors, want) in cases {
            assert_eq!(reason(status, &errors), want, "{status:?} {errors:?}");
        }
    }

    #[test]
    fn keys_tell_causes_apart() {
        let cases = [
            (
                Cause::ExitCode {
                    expected: Some(0),
                    actual: None,
                },
                "exit_code:0:none",
            ),
            (
                Cause::MissingOutputs(vec![".srt".into(), ".xml".into()]),
                "missing_output:.srt,.xml",
            ),
            (
                Cause::ProducedHash {
                    output_id: 3,
                    got: "ab".into(),
                },
                "produced_hash:3:ab",
            ),
            (
                Cause::FirstDifference {
                    expected: None,
                    actual: Some("x".into()),
                },
                "first_difference:<end of file>\u{1f}x",
            ),
        ];
        for (c, want) in cases {
            assert_eq!(c.key(), want);
        }
    }
}
