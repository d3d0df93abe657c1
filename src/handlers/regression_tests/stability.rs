//! What the flaky list and a test's stability share: each platform's window of runs, the
//! stored verdicts in it, and the rules of `domain::flakiness` over each test's sequence.
use crate::api::{Platform, RunSampleStatus, StabilityThresholds, TestStability};
use crate::data::stability::{verdicts, window};
use crate::domain::DomainError;
use crate::domain::flakiness::{Stability, Thresholds, Verdict, assess};
use crate::domain::verdict::passed;
use crate::state::AppState;
use std::collections::{BTreeMap, HashMap};

pub struct Ask {
    pub platform: Option<Platform>,
    pub branch: String,
    pub window: i32,
    pub thresholds: Thresholds,
}

impl Ask {
    pub fn platforms(&self) -> Vec<Platform> {
        match self.platform {
            Some(p) => vec![p],
            None => Platform::ALL.to_vec(),
        }
    }

    pub fn wire_thresholds(&self) -> StabilityThresholds {
        StabilityThresholds {
            window: self.window,
            min_flips: self.thresholds.min_flips as i32,
            broken_runs: self.thresholds.broken_runs as i32,
            half_life: self.thresholds.half_life as i32,
        }
    }
}

/// One test on one platform: its verdicts in the window (oldest first) and what they say.
pub struct Assessed {
    pub regression_test_id: i32,
    pub platform: Platform,
    pub sequence: Vec<(Verdict, RunSampleStatus)>,
    pub stability: Stability,
}

/// Every test with a verdict in the window (or only `only`), per platform asked for.
pub async fn assess_all(
    state: &AppState,
    ask: &Ask,
    only: Option<i32>,
) -> Result<Vec<Assessed>, DomainError> {
    state.verdicts.current(&state.db).await?;
    let mut out = vec![];
    for platform in ask.platforms() {
        let runs = window(&state.db, &ask.branch, platform.as_str(), ask.window as u32).await?;
        let ids: Vec<i32> = runs.iter().map(|r| r.id).collect();
        let position: HashMap<i32, usize> =
            ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let mut by_test: BTreeMap<i32, Vec<(usize, RunSampleStatus)>> = BTreeMap::new();
        for (run, rt, status) in verdicts(&state.db, &ids, only).await? {
            let Some(status) = RunSampleStatus::parse(&status) else {
                continue;
            };
            if passed(status).is_some() {
                by_test
                    .entry(rt)
                    .or_default()
                    .push((position[&run], status));
            }
        }
        for (rt, mut seen) in by_test {
            seen.sort_by_key(|(i, _)| *i);
            let sequence: Vec<(Verdict, RunSampleStatus)> = seen
                .into_iter()
                .map(|(i, status)| {
                    let v = Verdict {
                        run_id: runs[i].id,
                        commit: runs[i].commit.clone(),
                        passed: passed(status) == Some(true),
                    };
                    (v, status)
                })
                .collect();
            let verdicts: Vec<Verdict> = sequence.iter().map(|(v, _)| v.clone()).collect();
            out.push(Assessed {
                regression_test_id: rt,
                platform,
                stability: assess(&verdicts, &ask.thresholds),
                sequence,
            });
        }
    }
    Ok(out)
}

/// `quarantined`: whether a quarantine of the test is in force now.
pub fn wire(a: &Assessed, sample_id: Option<i32>, quarantined: bool) -> TestStability {
    let s = &a.stability;
    TestStability {
        regression_test_id: a.regression_test_id,
        sample_id,
        platform: a.platform,
        verdicts: s.verdicts as i32,
        failures: s.failures as i32,
        flips: s.flips as i32,
        flip_rate: s.flip_rate,
        weighted_flip_rate: s.weighted_flip_rate,
        last_flip_run_id: s.last_flip_run,
        rerun_disagreed: s.rerun_disagreed,
        state: s.state,
        quarantined,
    }
}
