//! The verdict rules: what a run, a regression test in a run and an output "are". Pure functions
//! over facts loaded elsewhere; every endpoint that reports a status (runs list, run, summary,
//! samples, history, queue, errors) goes through this module and nothing else.
//!
//! Rules (reference §2.4–2.5, with the review's C1 fixed and the legacy official verdict kept
//! where the API one would lie):
//! - A test with a `test_result` row is judged: a non-ignored expected output with no
//!   `test_result_file` row is `missing_output` (derived from the expected outputs, never from a
//!   dummy row: C1); else an exit code other than the expected one is `fail`; else any produced
//!   file whose hash is neither NULL (identical) nor an accepted variant is `fail`; else `pass`.
//! - A test in scope with no `test_result` row is `not_started` while the run has not finished,
//!   `running` when it has reported files but no result yet, `skipped` in a canceled run, and in a
//!   completed run it is judged on what it did report (the legacy rule: "no output generated but
//!   there should be" is a failure), never silently passed.
//! - A completed run with no result at all is `error`; otherwise it passes only when every test
//!   in scope or with a result passes.
use crate::api::{OutputStatus, RunSampleStatus, RunStatus};
use std::collections::HashSet;

/// Where a run is, from its last progress row (the run's state is the last row by id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Queued,
    Running,
    Completed,
    Canceled,
    /// Legacy statuses such as `building`.
    Incomplete,
}

impl Phase {
    pub fn from_last_progress(status: Option<&str>) -> Self {
        match status {
            None => Self::Queued,
            Some("preparation" | "testing") => Self::Running,
            Some("completed") => Self::Completed,
            Some("canceled") => Self::Canceled,
            Some(_) => Self::Incomplete,
        }
    }

    pub fn is_finished(self) -> bool {
        matches!(self, Self::Completed | Self::Canceled)
    }
}

/// A baseline the test is expected to produce (`regression_test_output`) with its accepted
/// variant hashes (`regression_test_output_files`).
#[derive(Clone, Debug, Default)]
pub struct Expected {
    pub output_id: i32,
    pub ignore: bool,
    pub variants: Vec<String>,
}

/// The `test_result` row: how the program exited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub exit_code: Option<i32>,
    pub expected_rc: Option<i32>,
}

/// A `test_result_file` row: `got` is NULL when the output was identical to the baseline.
#[derive(Clone, Debug)]
pub struct Produced {
    pub output_id: i32,
    pub got: Option<String>,
}

/// Everything known about one regression test in one run.
#[derive(Clone, Copy, Debug)]
pub struct TestFacts<'a> {
    pub phase: Phase,
    pub outcome: Option<Outcome>,
    pub produced: &'a [Produced],
    pub expected: &'a [Expected],
}

impl TestFacts<'_> {
    fn judged(&self) -> bool {
        self.outcome.is_some() || self.phase == Phase::Completed
    }

    fn variants_of(&self, output_id: i32) -> &[String] {
        self.expected
            .iter()
            .find(|e| e.output_id == output_id)
            .map(|e| e.variants.as_slice())
            .unwrap_or(&[])
    }

    /// A produced file that differs from the baseline and matches no accepted variant.
    fn mismatches(&self) -> impl Iterator<Item = &Produced> {
        self.produced.iter().filter(|p| match &p.got {
            None => false,
            Some(got) => !self.variants_of(p.output_id).iter().any(|v| v == got),
        })
    }

    /// Non-ignored expected outputs with no row for this run.
    fn missing(&self) -> impl Iterator<Item = &Expected> {
        let reported: HashSet<i32> = self.produced.iter().map(|p| p.output_id).collect();
        self.expected
            .iter()
            .filter(move |e| !e.ignore && !reported.contains(&e.output_id))
    }

    fn rc_mismatch(&self) -> bool {
        self.outcome.is_some_and(|o| o.exit_code != o.expected_rc)
    }
}

pub fn sample_status(t: &TestFacts) -> RunSampleStatus {
    if !t.judged() {
        return match t.phase {
            Phase::Queued => RunSampleStatus::NotStarted,
            Phase::Running if t.produced.is_empty() => RunSampleStatus::NotStarted,
            Phase::Running => RunSampleStatus::Running,
            _ => RunSampleStatus::Skipped,
        };
    }
    if t.missing().next().is_some() {
        RunSampleStatus::MissingOutput
    } else if t.rc_mismatch() || t.mismatches().next().is_some() {
        RunSampleStatus::Fail
    } else if t.outcome.is_none() {
        // Completed, everything it reported is fine, but it never reported how it exited.
        RunSampleStatus::Skipped
    } else {
        RunSampleStatus::Pass
    }
}

/// Pass or fail; `None` for statuses that are no verdict yet (not started, running, skipped):
/// what comparisons and stability count, so nothing is said about a test that did not run.
pub fn passed(status: RunSampleStatus) -> Option<bool> {
    match status {
        RunSampleStatus::Pass => Some(true),
        RunSampleStatus::Fail | RunSampleStatus::MissingOutput => Some(false),
        RunSampleStatus::NotStarted | RunSampleStatus::Running | RunSampleStatus::Skipped => None,
    }
}

/// Per output: identical or an accepted variant is `pass`, another hash `fail`, no row at all
/// (for a non-ignored output of a judged test) `missing_output`, a row for an output that no
/// longer exists `missing_expected`. Ordered by output id.
pub fn output_statuses(t: &TestFacts) -> Vec<(i32, OutputStatus)> {
    let mismatched: HashSet<i32> = t.mismatches().map(|p| p.output_id).collect();
    let mut out: Vec<(i32, OutputStatus)> = t
        .produced
        .iter()
        .map(|p| {
            let status = if !t.expected.iter().any(|e| e.output_id == p.output_id) {
                OutputStatus::MissingExpected
            } else if mismatched.contains(&p.output_id) {
                OutputStatus::Fail
            } else {
                OutputStatus::Pass
            };
            (p.output_id, status)
        })
        .collect();
    if t.judged() {
        out.extend(
            t.missing()
                .map(|e| (e.output_id, OutputStatus::MissingOutput)),
        );
    }
    out.sort_by_key(|(id, _)| *id);
    out
}

/// The statuses only a completed run gets, and every completed run gets one of them: a run
/// with one of these has final results.
pub const COMPLETED: [RunStatus; 3] = [RunStatus::Pass, RunStatus::Fail, RunStatus::Error];

/// A run's status from its phase and its tests' statuses (scope ∪ tests with a result).
pub fn run_status(
    phase: Phase,
    result_count: usize,
    statuses: impl IntoIterator<Item = RunSampleStatus>,
) -> RunStatus {
    match phase {
        Phase::Queued => RunStatus::Queued,
        Phase::Running => RunStatus::Running,
        Phase::Canceled => RunStatus::Canceled,
        Phase::Incomplete => RunStatus::Incomplete,
        Phase::Completed if result_count == 0 => RunStatus::Error,
        Phase::Completed => {
            if statuses.into_iter().all(|s| s == RunSampleStatus::Pass) {
                RunStatus::Pass
            } else {
                RunStatus::Fail
            }
        }
    }
}

/// A run's status with the failures of quarantined tests forgiven: a failed run whose every
/// test that did not pass was quarantined when the run completed is effectively a pass. Every
/// other status is its own effective status (a run with no result stays `error`: quarantine
/// forgives a test's failure, not a run that tested nothing).
pub fn effective_status(
    status: RunStatus,
    tests: impl IntoIterator<Item = (RunSampleStatus, bool)>,
) -> RunStatus {
    if status != RunStatus::Fail {
        return status;
    }
    if tests
        .into_iter()
        .all(|(s, quarantined)| s == RunSampleStatus::Pass || quarantined)
    {
        RunStatus::Pass
    } else {
        RunStatus::Fail
    }
}

/// Whether a test's status in a completed run is a failure quarantine forgives: anything that
/// fails the run (fail, missing output, a test that never reported).
pub fn fails_run(status: RunSampleStatus) -> bool {
    status != RunSampleStatus::Pass
}

/// Summary counts that always reconcile: every test is in exactly one bucket, so
/// `total == pass + fail + missing_output + skipped` (the review's MEDIUM item).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub total: i64,
    pub pass: i64,
    pub fail: i64,
    pub missing_output: i64,
    /// Not judged: skipped, not started or still running.
    pub skipped: i64,
}

pub fn count(statuses: impl IntoIterator<Item = RunSampleStatus>) -> Counts {
    let mut c = Counts::default();
    for s in statuses {
        c.total += 1;
        match s {
            RunSampleStatus::Pass => c.pass += 1,
            RunSampleStatus::Fail => c.fail += 1,
            RunSampleStatus::MissingOutput => c.missing_output += 1,
            RunSampleStatus::Skipped | RunSampleStatus::NotStarted | RunSampleStatus::Running => {
                c.skipped += 1
            }
        }
    }
    c
}

/// The kinds of error a test in a run can show; infrastructure errors come from progress rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestError {
    ExitCodeMismatch { exit_code: Option<i32> },
    MissingOutput { output_id: i32 },
    DiffMismatch { output_id: i32 },
}

/// Every error item of one test, in a stable order: exit code, missing outputs, then diffs.
pub fn test_errors(t: &TestFacts) -> Vec<TestError> {
    let mut errs = Vec::new();
    if let Some(o) = t.outcome.filter(|o| o.exit_code != o.expected_rc) {
        errs.push(TestError::ExitCodeMismatch {
            exit_code: o.exit_code,
        });
    }
    if t.judged() {
        let mut missing: Vec<i32> = t.missing().map(|e| e.output_id).collect();
        missing.sort_unstable();
        errs.extend(
            missing
                .into_iter()
                .map(|output_id| TestError::MissingOutput { output_id }),
        );
    }
    let mut diffs: Vec<i32> = t.mismatches().map(|p| p.output_id).collect();
    diffs.sort_unstable();
    errs.extend(
        diffs
            .into_iter()
            .map(|output_id| TestError::DiffMismatch { output_id }),
    );
    errs
}

/// A stable description of why a test failed, for grouping history entries. It names the
/// reason of the test's own status, never another: `missing_output` for a missing output, the
/// first mismatching output (else the exit code) for a failure, nothing otherwise.
pub fn failure_signature(t: &TestFacts) -> Option<String> {
    match sample_status(t) {
        RunSampleStatus::MissingOutput => Some("missing_output".to_string()),
        RunSampleStatus::Fail => {
            if let Some(id) = t.mismatches().map(|p| p.output_id).min() {
                return Some(format!("diff_mismatch:output:{id}"));
            }
            let o = t.outcome?;
            let rc = o.exit_code.map_or("null".to_string(), |c| c.to_string());
            Some(format!("exit_code_mismatch:rc:{rc}"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RunSampleStatus as S;

    fn ok() -> Option<Outcome> {
        Some(Outcome {
            exit_code: Some(0),
            expected_rc: Some(0),
        })
    }
    fn rc(exit: i32, expected: i32) -> Option<Outcome> {
        Some(Outcome {
            exit_code: Some(exit),
            expected_rc: Some(expected),
        })
    }
    fn out(id: i32) -> Expected {
        Expected {
            output_id: id,
            ignore: false,
            variants: vec![],
        }
    }
    fn ignored(id: i32) -> Expected {
        Expected {
            ignore: true,
            ..out(id)
        }
    }
    fn with_variant(id: i32, v: &str) -> Expected {
        Expected {
            variants: vec![v.to_string()],
            ..out(id)
        }
    }
    fn same(id: i32) -> Produced {
        Produced {
            output_id: id,
            got: None,
        }
    }
    fn got(id: i32, h: &str) -> Produced {
        Produced {
            output_id: id,
            got: Some(h.to_string()),
        }
    }

    /// (name, phase, outcome, produced, expected, status)
    type StatusCase = (
        &'static str,
        Phase,
        Option<Outcome>,
        Vec<Produced>,
        Vec<Expected>,
        S,
    );
    /// (outcome, produced, errors, failure signature)
    type ErrorCase = (
        Option<Outcome>,
        Vec<Produced>,
        Vec<TestError>,
        Option<&'static str>,
    );

    /// Every case of reference §2.4–2.5 (and the decisions above), one row each.
    #[rustfmt::skip]
    #[test]
    fn sample_status_table() {
        use Phase::*;
        let cases: Vec<StatusCase> = vec![
            ("identical output, rc ok", Completed, ok(), vec![same(1)], vec![out(1)], S::Pass),
            ("no outputs expected, none produced", Completed, ok(), vec![], vec![], S::Pass),
            ("rc mismatch", Completed, rc(200, 0), vec![same(1)], vec![out(1)], S::Fail),
            ("rc mismatch, nonzero expected", Completed, rc(0, 10), vec![same(1)], vec![out(1)], S::Fail),
            ("rc matches nonzero expected", Completed, rc(10, 10), vec![same(1)], vec![out(1)], S::Pass),
            ("timeout reports rc -1", Completed, rc(-1, 0), vec![], vec![], S::Fail),
            ("different output", Completed, ok(), vec![got(1, "abc")], vec![out(1)], S::Fail),
            ("different output matching a variant", Completed, ok(), vec![got(1, "v1")], vec![with_variant(1, "v1")], S::Pass),
            ("variant of another output does not count", Completed, ok(), vec![got(1, "v2"), same(2)], vec![out(1), with_variant(2, "v2")], S::Fail),
            ("C1: no file rows but an expected output", Completed, ok(), vec![], vec![out(1)], S::MissingOutput),
            ("one of two outputs missing (per output, stricter than legacy)", Completed, ok(), vec![same(1)], vec![out(1), out(2)], S::MissingOutput),
            ("ignored output may be absent", Completed, ok(), vec![same(1)], vec![out(1), ignored(2)], S::Pass),
            ("missing output is checked before rc", Completed, rc(3, 0), vec![], vec![out(1)], S::MissingOutput),
            ("missing output is checked before diffs", Completed, ok(), vec![got(1, "x")], vec![out(1), out(2)], S::MissingOutput),
            ("file for a deleted output still fails", Completed, ok(), vec![got(9, "x")], vec![], S::Fail),
            ("result while still testing", Running, ok(), vec![same(1)], vec![out(1)], S::Pass),
            ("result with missing output while testing", Running, ok(), vec![], vec![out(1)], S::MissingOutput),
            ("no result, nothing reported, queued", Queued, None, vec![], vec![out(1)], S::NotStarted),
            ("no result, nothing reported, testing", Running, None, vec![], vec![out(1)], S::NotStarted),
            ("files but no result yet, testing", Running, None, vec![same(1)], vec![out(1)], S::Running),
            ("no result in a canceled run", Canceled, None, vec![], vec![out(1)], S::Skipped),
            ("no result in a legacy building run", Incomplete, None, vec![], vec![out(1)], S::Skipped),
            ("legacy: never reported, outputs expected, completed", Completed, None, vec![], vec![out(1)], S::MissingOutput),
            ("never reported, nothing expected, completed (#1136)", Completed, None, vec![], vec![], S::Skipped),
            ("files but no result, completed, one differs", Completed, None, vec![got(1, "x")], vec![out(1)], S::Fail),
            ("files but no result, completed, all identical", Completed, None, vec![same(1)], vec![out(1)], S::Skipped),
            ("result in a canceled run is still judged", Canceled, rc(1, 0), vec![same(1)], vec![out(1)], S::Fail),
        ];
        for (name, phase, outcome, produced, expected, want) in cases {
            let t = TestFacts {
                phase,
                outcome,
                produced: &produced,
                expected: &expected,
            };
            assert_eq!(sample_status(&t), want, "{name}");
        }
    }

    #[test]
    fn review_c1_missing_output_is_not_pass() {
        // Exit code fine, no file rows at all, one expected output: upstream's API said pass.
        let expected = [out(7)];
        let t = TestFacts {
            phase: Phase::Completed,
            outcome: ok(),
            produced: &[],
            expected: &expected,
        };
        assert_eq!(sample_status(&t), S::MissingOutput);
        assert_eq!(
            run_status(Phase::Completed, 1, [sample_status(&t)]),
            RunStatus::Fail
        );
        assert_eq!(
            test_errors(&t),
            vec![TestError::MissingOutput { output_id: 7 }]
        );
        assert_eq!(output_statuses(&t), vec![(7, OutputStatus::MissingOutput)]);
        assert_eq!(failure_signature(&t).as_deref(), Some("missing_output"));
    }

    #[test]
    fn run_status_table() {
        use Phase::*;
        let cases = [
            (None, 0, vec![], RunStatus::Queued),
            (Some("preparation"), 0, vec![], RunStatus::Running),
            (Some("testing"), 3, vec![S::Fail], RunStatus::Running),
            (Some("canceled"), 5, vec![S::Pass], RunStatus::Canceled),
            (Some("building"), 0, vec![], RunStatus::Incomplete),
            (Some("completed"), 0, vec![], RunStatus::Error),
            (
                Some("completed"),
                0,
                vec![S::MissingOutput],
                RunStatus::Error,
            ),
            (
                Some("completed"),
                2,
                vec![S::Pass, S::Pass],
                RunStatus::Pass,
            ),
            (
                Some("completed"),
                2,
                vec![S::Pass, S::Fail],
                RunStatus::Fail,
            ),
            (
                Some("completed"),
                2,
                vec![S::Pass, S::MissingOutput],
                RunStatus::Fail,
            ),
            (
                Some("completed"),
                1,
                vec![S::Pass, S::Skipped],
                RunStatus::Fail,
            ),
        ];
        for (last, results, statuses, want) in cases {
            let phase = Phase::from_last_progress(last);
            let status = run_status(phase, results, statuses);
            assert_eq!(status, want, "{last:?}");
            assert_eq!(
                COMPLETED.contains(&status),
                phase == Completed,
                "{last:?}: COMPLETED must name exactly a completed run's statuses"
            );
        }
        assert!(Completed.is_finished() && Canceled.is_finished());
        assert!(!Running.is_finished() && !Queued.is_finished());
    }

    #[test]
    fn effective_status_forgives_only_quarantined_failures() {
        use RunStatus as R;
        // (status, tests as (status, quarantined), effective)
        let cases = [
            (R::Fail, vec![(S::Pass, false), (S::Fail, true)], R::Pass),
            (
                R::Fail,
                vec![(S::MissingOutput, true), (S::Skipped, true)],
                R::Pass,
            ),
            (R::Fail, vec![(S::Fail, true), (S::Fail, false)], R::Fail),
            (
                R::Fail,
                vec![(S::Pass, true), (S::MissingOutput, false)],
                R::Fail,
            ),
            (R::Pass, vec![(S::Pass, true)], R::Pass),
            (R::Error, vec![(S::MissingOutput, true)], R::Error),
            (R::Running, vec![(S::Fail, true)], R::Running),
            (R::Canceled, vec![(S::Skipped, true)], R::Canceled),
            (R::Queued, vec![], R::Queued),
            (R::Incomplete, vec![(S::Fail, true)], R::Incomplete),
        ];
        for (status, tests, want) in cases {
            assert_eq!(
                effective_status(status, tests.clone()),
                want,
                "{status:?} {tests:?}"
            );
        }
        assert!(!fails_run(S::Pass));
        assert!(fails_run(S::Fail) && fails_run(S::MissingOutput) && fails_run(S::Skipped));
    }

    #[test]
    fn review_medium_summary_counts_reconcile() {
        let statuses = [
            S::Pass,
            S::Fail,
            S::MissingOutput,
            S::Skipped,
            S::NotStarted,
            S::Running,
            S::Pass,
        ];
        let c = count(statuses);
        assert_eq!(c.total, 7);
        assert_eq!(c.pass + c.fail + c.missing_output + c.skipped, c.total);
        assert_eq!((c.pass, c.fail, c.missing_output, c.skipped), (2, 1, 1, 3));
    }

    #[test]
    fn output_statuses_table() {
        let expected = [out(1), with_variant(2, "v"), out(3), ignored(4)];
        let produced = [same(1), got(2, "v"), got(3, "x"), got(8, "y")];
        let t = TestFacts {
            phase: Phase::Completed,
            outcome: ok(),
            produced: &produced,
            expected: &expected,
        };
        assert_eq!(
            output_statuses(&t),
            vec![
                (1, OutputStatus::Pass),
                (2, OutputStatus::Pass),
                (3, OutputStatus::Fail),
                (8, OutputStatus::MissingExpected),
            ]
        );
        let expected = [out(1), out(2)];
        let produced = [same(1)];
        let running = TestFacts {
            phase: Phase::Running,
            outcome: None,
            produced: &produced,
            expected: &expected,
        };
        // Not judged yet: an output not reported so far is not "missing".
        assert_eq!(output_statuses(&running), vec![(1, OutputStatus::Pass)]);
    }

    #[test]
    fn errors_and_signatures_table() {
        let expected = [out(1), out(2), with_variant(3, "v")];
        let cases: Vec<ErrorCase> = vec![
            (ok(), vec![same(1), same(2), got(3, "v")], vec![], None),
            (
                rc(5, 0),
                vec![same(1), same(2), same(3)],
                vec![TestError::ExitCodeMismatch { exit_code: Some(5) }],
                Some("exit_code_mismatch:rc:5"),
            ),
            (
                ok(),
                vec![got(2, "a"), got(1, "b"), same(3)],
                vec![
                    TestError::DiffMismatch { output_id: 1 },
                    TestError::DiffMismatch { output_id: 2 },
                ],
                Some("diff_mismatch:output:1"),
            ),
            (
                rc(1, 0),
                vec![got(3, "z")],
                vec![
                    TestError::ExitCodeMismatch { exit_code: Some(1) },
                    TestError::MissingOutput { output_id: 1 },
                    TestError::MissingOutput { output_id: 2 },
                    TestError::DiffMismatch { output_id: 3 },
                ],
                // Its status is missing_output: the signature says so, not the diff.
                Some("missing_output"),
            ),
            (
                ok(),
                vec![same(1)],
                vec![
                    TestError::MissingOutput { output_id: 2 },
                    TestError::MissingOutput { output_id: 3 },
                ],
                Some("missing_output"),
            ),
        ];
        for (outcome, produced, errors, signature) in cases {
            let t = TestFacts {
                phase: Phase::Completed,
                outcome,
                produced: &produced,
                expected: &expected,
            };
            assert_eq!(test_errors(&t), errors, "{produced:?}");
            assert_eq!(failure_signature(&t).as_deref(), signature, "{produced:?}");
        }
    }

    #[test]
    fn statuses_that_are_no_verdict_do_not_count() {
        let cases = [
            (S::Pass, Some(true)),
            (S::Fail, Some(false)),
            (S::MissingOutput, Some(false)),
            (S::Skipped, None),
            (S::NotStarted, None),
            (S::Running, None),
        ];
        for (s, want) in cases {
            assert_eq!(passed(s), want, "{s:?}");
        }
    }
}
