//! What a run changed relative to a base run, per regression test, in upstream's classes (its
//! pull-request comment's): the verdict stays absolute, the report is relative. Pure functions
//! over statuses the verdict module gave and the produced hashes.
use crate::api::{ComparisonClass, ComparisonCounts, RunSampleStatus};
use crate::domain::verdict::{Produced, passed};

/// How one regression test behaved in one run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestState {
    pub status: RunSampleStatus,
    /// (output id, produced hash) of every output whose file differed from its baseline,
    /// sorted: two runs failing the same test are told apart by whether they produced the same
    /// bytes.
    pub signature: Vec<(i32, String)>,
}

/// Upstream's signature: the produced files that are not the baseline (`got` not NULL), by
/// output id, then hash.
pub fn signature(produced: &[Produced]) -> Vec<(i32, String)> {
    let mut s: Vec<(i32, String)> = produced
        .iter()
        .filter_map(|p| Some((p.output_id, p.got.clone()?)))
        .collect();
    s.sort();
    s
}

/// The class of a test here (`current`) against a base run's record of it. `None` on a side
/// means that run does not have the test at all.
pub fn classify(current: Option<&TestState>, base: Option<&TestState>) -> ComparisonClass {
    use ComparisonClass as C;
    let Some(current) = current else {
        return if base.is_some() {
            C::RemovedTest
        } else {
            C::NoReference
        };
    };
    let (Some(here), Some(there)) = (passed(current.status), base.and_then(|b| passed(b.status)))
    else {
        return C::NoReference;
    };
    match (here, there) {
        (true, true) => C::UnchangedPass,
        (true, false) => C::FixedHere,
        (false, true) => C::BrokenHere,
        (false, false) if base.is_some_and(|b| b.signature == current.signature) => {
            C::FailingIdentically
        }
        (false, false) => C::FailingDifferently,
    }
}

pub fn counts(classes: impl IntoIterator<Item = ComparisonClass>) -> ComparisonCounts {
    let mut c = ComparisonCounts {
        broken_here: 0,
        fixed_here: 0,
        failing_differently: 0,
        failing_identically: 0,
        unchanged_pass: 0,
        no_reference: 0,
        removed_test: 0,
    };
    for class in classes {
        let n = match class {
            ComparisonClass::BrokenHere => &mut c.broken_here,
            ComparisonClass::FixedHere => &mut c.fixed_here,
            ComparisonClass::FailingDifferently => &mut c.failing_differently,
            ComparisonClass::FailingIdentically => &mut c.failing_identically,
            ComparisonClass::UnchangedPass => &mut c.unchanged_pass,
            ComparisonClass::NoReference => &mut c.no_reference,
            ComparisonClass::RemovedTest => &mut c.removed_test,
        };
        *n += 1;
    }
    c
}

/// How far back the commit history is walked for an ancestor's run, as upstream.
pub const ANCESTOR_SEARCH_DEPTH: usize = 50;

/// The nearest ancestor's run: `ancestry` in walk order (nearest first), `runs` as
/// (commit, run id) of completed runs, most recently completed first. A commit's most
/// recently completed run stands for it.
pub fn nearest_ancestor_run(ancestry: &[String], runs: &[(String, i32)]) -> Option<i32> {
    ancestry.iter().take(ANCESTOR_SEARCH_DEPTH).find_map(|sha| {
        runs.iter()
            .find(|(commit, _)| commit == sha)
            .map(|(_, id)| *id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ComparisonClass as C;
    use RunSampleStatus as S;

    fn st(status: S, sig: &[(i32, &str)]) -> TestState {
        TestState {
            status,
            signature: sig.iter().map(|(o, g)| (*o, g.to_string())).collect(),
        }
    }

    #[test]
    fn classes_as_upstream_names_them() {
        let pass = st(S::Pass, &[]);
        let fail_a = st(S::Fail, &[(1, "aa")]);
        let fail_a2 = st(S::Fail, &[(1, "aa")]);
        let fail_b = st(S::Fail, &[(1, "bb")]);
        let rc_only = st(S::Fail, &[]);
        let missing = st(S::MissingOutput, &[]);
        let waiting = st(S::NotStarted, &[]);
        let running = st(S::Running, &[]);
        let skipped = st(S::Skipped, &[]);
        let cases: Vec<(&str, Option<&TestState>, Option<&TestState>, C)> = vec![
            ("pass, pass", Some(&pass), Some(&pass), C::UnchangedPass),
            (
                "pass here, failed there",
                Some(&pass),
                Some(&fail_a),
                C::FixedHere,
            ),
            (
                "pass here, missing there",
                Some(&pass),
                Some(&missing),
                C::FixedHere,
            ),
            (
                "fails here, passed there",
                Some(&fail_a),
                Some(&pass),
                C::BrokenHere,
            ),
            (
                "missing here, passed there",
                Some(&missing),
                Some(&pass),
                C::BrokenHere,
            ),
            (
                "same bytes",
                Some(&fail_a),
                Some(&fail_a2),
                C::FailingIdentically,
            ),
            (
                "other bytes",
                Some(&fail_a),
                Some(&fail_b),
                C::FailingDifferently,
            ),
            // Both failed on the exit code alone: same (empty) signature.
            (
                "exit code both",
                Some(&rc_only),
                Some(&rc_only),
                C::FailingIdentically,
            ),
            (
                "exit code vs bytes",
                Some(&rc_only),
                Some(&fail_a),
                C::FailingDifferently,
            ),
            (
                "missing both",
                Some(&missing),
                Some(&missing),
                C::FailingIdentically,
            ),
            ("base lacks it", Some(&fail_a), None, C::NoReference),
            (
                "base never ran it",
                Some(&pass),
                Some(&waiting),
                C::NoReference,
            ),
            (
                "base skipped it",
                Some(&fail_a),
                Some(&skipped),
                C::NoReference,
            ),
            (
                "not judged here",
                Some(&running),
                Some(&pass),
                C::NoReference,
            ),
            (
                "not started here",
                Some(&waiting),
                Some(&fail_a),
                C::NoReference,
            ),
            ("only the base ran it", None, Some(&pass), C::RemovedTest),
            (
                "only the base, failing",
                None,
                Some(&fail_a),
                C::RemovedTest,
            ),
            ("neither", None, None, C::NoReference),
        ];
        for (what, here, there, want) in cases {
            assert_eq!(classify(here, there), want, "{what}");
        }
    }

    #[test]
    fn the_signature_is_the_sorted_produced_differences() {
        let p = |o: i32, g: Option<&str>| Produced {
            output_id: o,
            got: g.map(str::to_string),
        };
        type Signature = Vec<(i32, String)>;
        let cases: Vec<(Vec<Produced>, Signature)> = vec![
            (vec![], vec![]),
            (vec![p(1, None)], vec![]),
            (
                vec![
                    p(3, Some("cc")),
                    p(1, None),
                    p(2, Some("bb")),
                    p(2, Some("aa")),
                ],
                vec![(2, "aa".into()), (2, "bb".into()), (3, "cc".into())],
            ),
        ];
        for (produced, want) in cases {
            assert_eq!(signature(&produced), want);
        }
    }

    #[test]
    fn counts_add_up_by_class() {
        let c = counts([
            C::BrokenHere,
            C::BrokenHere,
            C::RemovedTest,
            C::UnchangedPass,
        ]);
        assert_eq!(
            (
                c.broken_here,
                c.removed_test,
                c.unchanged_pass,
                c.fixed_here
            ),
            (2, 1, 1, 0)
        );
    }

    #[test]
    fn the_nearest_ancestor_with_a_completed_run_is_the_base() {
        let a = |shas: &[&str]| shas.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let r = |rows: &[(&str, i32)]| {
            rows.iter()
                .map(|(c, i)| (c.to_string(), *i))
                .collect::<Vec<_>>()
        };
        let deep: Vec<String> = (0..60).map(|i| format!("c{i}")).collect();
        let cases = [
            (
                "nearest first",
                a(&["p1", "p2", "p3"]),
                r(&[("p3", 9), ("p2", 7)]),
                Some(7),
            ),
            // Newest completed run of a commit stands for it (rows are newest first).
            (
                "newest of a commit",
                a(&["p1"]),
                r(&[("p1", 12), ("p1", 4)]),
                Some(12),
            ),
            ("none ran", a(&["p1", "p2"]), r(&[("zz", 3)]), None),
            ("no history", a(&[]), r(&[("p1", 3)]), None),
            // Past the search depth nothing counts, as upstream.
            ("too deep", deep.clone(), r(&[("c55", 5)]), None),
            ("within depth", deep, r(&[("c49", 6)]), Some(6)),
        ];
        for (what, ancestry, runs, want) in cases {
            assert_eq!(nearest_ancestor_run(&ancestry, &runs), want, "{what}");
        }
    }
}
