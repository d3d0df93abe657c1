//! Which tests a rerun runs: the original's whole scope (`all`) or those that failed or missed
//! an output (`failed`), narrowed to the tests named, each of which must be one of the
//! original's tests. An empty result is refused: a rerun of nothing is no run.
use super::DomainError;
use crate::api::{RerunScope, RunSampleStatus};

/// The original run as the verdict rules saw it.
pub struct Original<'a> {
    /// Its chosen tests (customized, else every active test when it was judged).
    pub scope: &'a [i32],
    /// Every test it had or reported, with its status.
    pub statuses: &'a [(i32, RunSampleStatus)],
}

pub fn tests(
    original: &Original,
    scope: RerunScope,
    named: Option<&[i32]>,
) -> Result<Vec<i32>, DomainError> {
    let candidates: Vec<i32> = match scope {
        RerunScope::All => original.scope.to_vec(),
        RerunScope::Failed => original
            .statuses
            .iter()
            .filter(|(_, s)| matches!(s, RunSampleStatus::Fail | RunSampleStatus::MissingOutput))
            .map(|(rt, _)| *rt)
            .collect(),
    };
    let wanted = match named {
        None => candidates,
        Some(ids) => {
            let foreign: Vec<i32> = ids
                .iter()
                .copied()
                .filter(|i| !original.statuses.iter().any(|(rt, _)| rt == i))
                .collect();
            if !foreign.is_empty() {
                return Err(DomainError::unprocessable("These tests are not the run's.")
                    .detail("unknown_ids", foreign));
            }
            ids.iter()
                .copied()
                .filter(|i| candidates.contains(i))
                .collect()
        }
    };
    if wanted.is_empty() {
        return Err(
            DomainError::unprocessable("The scope names no test to rerun.")
                .detail("scope", scope.as_str()),
        );
    }
    Ok(wanted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use RunSampleStatus as S;

    #[test]
    fn rerun_scope_table() {
        let statuses = [
            (1, S::Pass),
            (2, S::Fail),
            (3, S::MissingOutput),
            (4, S::Skipped),
            // Reported, though no longer in the scope (the scope was every active test).
            (9, S::Fail),
        ];
        let original = Original {
            scope: &[1, 2, 3, 4],
            statuses: &statuses,
        };
        // (scope, named, the tests or the refusal's detail)
        type Case<'a> = (RerunScope, Option<&'a [i32]>, Result<Vec<i32>, &'a str>);
        let cases: [Case; 9] = [
            (RerunScope::All, None, Ok(vec![1, 2, 3, 4])),
            (RerunScope::Failed, None, Ok(vec![2, 3, 9])),
            (RerunScope::All, Some(&[1]), Ok(vec![1])),
            (RerunScope::Failed, Some(&[1, 3]), Ok(vec![3])),
            (RerunScope::Failed, Some(&[1]), Err("scope")),
            (RerunScope::All, Some(&[1, 42]), Err("unknown_ids")),
            (RerunScope::Failed, Some(&[42]), Err("unknown_ids")),
            // Named but outside the scope: with `all`, not rerun.
            (RerunScope::All, Some(&[9]), Err("scope")),
            (RerunScope::Failed, Some(&[9, 2]), Ok(vec![9, 2])),
        ];
        for (scope, named, want) in cases {
            let got = tests(&original, scope, named);
            match (got, want) {
                (Ok(got), Ok(want)) => assert_eq!(got, want, "{scope:?} {named:?}"),
                (Err(e), Err(detail)) => {
                    assert_eq!(e.kind, crate::domain::ErrorKind::Unprocessable);
                    assert!(e.details.contains_key(detail), "{scope:?} {named:?}: {e:?}");
                }
                (got, want) => panic!("{scope:?} {named:?}: {got:?}, want {want:?}"),
            }
        }
        let nothing_failed = [(1, S::Pass)];
        let clean = Original {
            scope: &[1],
            statuses: &nothing_failed,
        };
        assert!(tests(&clean, RerunScope::Failed, None).is_err());
    }
}
