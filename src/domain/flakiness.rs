//! How stable a regression test is across a branch's runs: flips between pass and fail, their
//! rate, a rate weighted towards recent flips, and a state. Pure arithmetic over a verdict
//! sequence (oldest first) the verdict module produced.
use crate::api::StabilityState;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thresholds {
    /// Flips in the window that make a test flaky.
    pub min_flips: u32,
    /// Consecutive most recent failures that make a test broken.
    pub broken_runs: u32,
    /// Runs after which a flip weighs half as much.
    pub half_life: u32,
}

/// A test's verdict in one run of the window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub run_id: i32,
    pub commit: String,
    pub passed: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stability {
    pub verdicts: u32,
    pub failures: u32,
    pub flips: u32,
    /// Flips over the transitions (verdicts minus one); 0 with fewer than two verdicts.
    pub flip_rate: f64,
    /// Each transition weighs 0.5^(age / half_life), age 0 for the most recent one.
    pub weighted_flip_rate: f64,
    /// The run whose verdict differed from the one before, most recent such.
    pub last_flip_run: Option<i32>,
    /// A fail and a pass on the same commit.
    pub rerun_disagreed: bool,
    pub state: StabilityState,
}

pub fn assess(sequence: &[Verdict], t: &Thresholds) -> Stability {
    let transitions = sequence.len().saturating_sub(1);
    let mut flips = 0u32;
    let (mut weighted, mut weights) = (0.0f64, 0.0f64);
    let mut last_flip_run = None;
    for (i, pair) in sequence.windows(2).enumerate() {
        let age = (transitions - 1 - i) as f64;
        let w = 0.5f64.powf(age / f64::from(t.half_life.max(1)));
        weights += w;
        if pair[0].passed != pair[1].passed {
            flips += 1;
            weighted += w;
            last_flip_run = Some(pair[1].run_id);
        }
    }
    let failures = sequence.iter().filter(|v| !v.passed).count() as u32;
    let rerun_disagreed = sequence
        .iter()
        .any(|a| !a.passed && sequence.iter().any(|b| b.passed && b.commit == a.commit));
    let recent = t.broken_runs.max(1) as usize;
    let broken = sequence.len() >= recent
        && sequence[sequence.len() - recent..]
            .iter()
            .all(|v| !v.passed);
    let state = if broken {
        StabilityState::Broken
    } else if flips >= t.min_flips || rerun_disagreed {
        StabilityState::Flaky
    } else {
        StabilityState::Stable
    };
    Stability {
        verdicts: sequence.len() as u32,
        failures,
        flips,
        flip_rate: if transitions == 0 {
            0.0
        } else {
            f64::from(flips) / transitions as f64
        },
        weighted_flip_rate: if weights == 0.0 {
            0.0
        } else {
            weighted / weights
        },
        last_flip_run,
        rerun_disagreed,
        state,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use StabilityState::*;

    const T: Thresholds = Thresholds {
        min_flips: 3,
        broken_runs: 5,
        half_life: 10,
    };

    /// `P`/`F` per run, run ids from 1, each on its own commit unless `commits` says otherwise.
    fn seq(verdicts: &str, commits: Option<&str>) -> Vec<Verdict> {
        verdicts
            .chars()
            .enumerate()
            .map(|(i, c)| Verdict {
                run_id: i as i32 + 1,
                commit: commits.map_or(format!("c{i}"), |cs| cs[i..=i].to_string()),
                passed: c == 'P',
            })
            .collect()
    }

    #[test]
    fn flips_rates_and_states() {
        // (what, verdicts, commits, flips, flip rate, last flip run, state)
        type Case<'a> = (
            &'a str,
            &'a str,
            Option<&'a str>,
            u32,
            f64,
            Option<i32>,
            StabilityState,
        );
        let cases: [Case; 11] = [
            ("always passing", "PPPPPPPP", None, 0, 0.0, None, Stable),
            ("one verdict", "F", None, 0, 0.0, None, Stable),
            ("nothing", "", None, 0, 0.0, None, Stable),
            // A regression and its fix: two flips, not flaky.
            (
                "regression then fix",
                "PPPFFPPP",
                None,
                2,
                2.0 / 7.0,
                Some(6),
                Stable,
            ),
            (
                "three flips",
                "PFPFPPPP",
                None,
                4,
                4.0 / 7.0,
                Some(5),
                Flaky,
            ),
            (
                "exactly the threshold",
                "PPPFPFFF",
                None,
                3,
                3.0 / 7.0,
                Some(6),
                Flaky,
            ),
            (
                "failing the last five",
                "PPPFFFFF",
                None,
                1,
                1.0 / 7.0,
                Some(4),
                Broken,
            ),
            (
                "four failures are not five",
                "PPPPFFFF",
                None,
                1,
                1.0 / 7.0,
                Some(5),
                Stable,
            ),
            (
                "broken beats flaky",
                "PFPFFFFFF",
                None,
                3,
                3.0 / 8.0,
                Some(4),
                Broken,
            ),
            // A rerun of commit b disagreed: flaky with a single flip.
            (
                "rerun disagreed",
                "PPFP",
                Some("aabb"),
                2,
                2.0 / 3.0,
                Some(4),
                Flaky,
            ),
            (
                "same commit, same verdict",
                "PPPP",
                Some("aabb"),
                0,
                0.0,
                None,
                Stable,
            ),
        ];
        for (what, v, commits, flips, rate, last, state) in cases {
            let s = assess(&seq(v, commits), &T);
            assert_eq!(
                (s.flips, s.last_flip_run, s.state),
                (flips, last, state),
                "{what}"
            );
            assert!(
                (s.flip_rate - rate).abs() < 1e-12,
                "{what}: {}",
                s.flip_rate
            );
            assert_eq!(s.verdicts as usize, v.len(), "{what}");
            assert_eq!(s.failures as usize, v.matches('F').count(), "{what}");
        }
    }

    #[test]
    fn recent_flips_weigh_more() {
        let early = assess(&seq("PFPPPPPPPPPP", None), &T);
        let late = assess(&seq("PPPPPPPPPPFP", None), &T);
        assert_eq!((early.flips, late.flips), (2, 2));
        assert!((early.flip_rate - late.flip_rate).abs() < 1e-12);
        assert!(late.weighted_flip_rate > early.weighted_flip_rate);
        // The arithmetic: three transitions with half-life 1 weigh 1/4, 1/2, 1 (oldest first);
        // "PFFF" flips only on the oldest: 0.25 / 1.75.
        let t = Thresholds { half_life: 1, ..T };
        let s = assess(&seq("PFFF", None), &t);
        assert!(
            (s.weighted_flip_rate - 0.25 / 1.75).abs() < 1e-12,
            "{}",
            s.weighted_flip_rate
        );
        let s = assess(&seq("PPPF", None), &t);
        assert!((s.weighted_flip_rate - 1.0 / 1.75).abs() < 1e-12);
    }

    #[test]
    fn thresholds_are_the_callers() {
        let v = seq("FPPPPPPF", None);
        assert_eq!(assess(&v, &T).state, Stable);
        assert_eq!(assess(&v, &Thresholds { min_flips: 2, ..T }).state, Flaky);
        assert_eq!(
            assess(
                &v,
                &Thresholds {
                    broken_runs: 1,
                    ..T
                }
            )
            .state,
            Broken
        );
    }
}
