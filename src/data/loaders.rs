//! Loading what the verdict rules need, for many runs at once, in a fixed number of queries
//! whatever the number of runs or tests (no N+1: review H6).
use crate::api;
use crate::data::entity::{
    customized_test, fork, regression_test_output, regression_test_output_files, spci_rerun, test,
    test_progress, test_result, test_result_file,
};
use crate::domain::quarantine::{self, Period};
use crate::domain::verdict::{self, Expected, Outcome, Phase, Produced, TestFacts};
use chrono::NaiveDateTime;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Runs with their progress rows and repository: what a `Run` body shows.
pub struct Runs {
    pub runs: Vec<test::Model>,
    pub progress: HashMap<i32, Vec<test_progress::Model>>,
    forks: HashMap<i32, String>,
    maintenance: Vec<crate::api::Platform>,
    /// The runs that are reruns, by id.
    reruns: HashMap<i32, spci_rerun::Model>,
}

impl Runs {
    /// Five queries, whatever `ids` holds; keeps the order of `ids`.
    pub async fn load(db: &impl ConnectionTrait, ids: &[i32]) -> Result<Self, DbErr> {
        let (tests, all_progress, maintenance, reruns) = tokio::try_join!(
            test::Entity::find()
                .filter(test::Column::Id.is_in(ids.iter().copied()))
                .all(db),
            test_progress::Entity::find()
                .filter(test_progress::Column::TestId.is_in(ids.iter().copied()))
                .order_by_asc(test_progress::Column::Id)
                .all(db),
            super::maintenance::platforms_in_maintenance(db),
            spci_rerun::Entity::find()
                .filter(spci_rerun::Column::RunId.is_in(ids.iter().copied()))
                .all(db),
        )?;
        let reruns = reruns.into_iter().map(|r| (r.run_id, r)).collect();
        let mut by_id: HashMap<i32, test::Model> = tests.into_iter().map(|t| (t.id, t)).collect();
        let runs: Vec<test::Model> = ids.iter().filter_map(|id| by_id.remove(id)).collect();
        let mut progress: HashMap<i32, Vec<test_progress::Model>> = HashMap::new();
        for p in all_progress {
            if let Some(t) = p.test_id {
                progress.entry(t).or_default().push(p);
            }
        }
        let fork_ids: BTreeSet<i32> = runs.iter().filter_map(|r| r.fork_id).collect();
        let forks = if fork_ids.is_empty() {
            HashMap::new()
        } else {
            fork::Entity::find()
                .filter(fork::Column::Id.is_in(fork_ids))
                .all(db)
                .await?
                .into_iter()
                .filter_map(|f| Some((f.id, f.github?)))
                .collect()
        };
        Ok(Self {
            runs,
            progress,
            forks,
            maintenance,
            reruns,
        })
    }

    /// Whether runs on `platform` wait for the end of a maintenance.
    pub fn in_maintenance(&self, platform: crate::api::Platform) -> bool {
        self.maintenance.contains(&platform)
    }

    /// The platforms in maintenance when the runs were loaded.
    pub fn platforms_in_maintenance(&self) -> &[crate::api::Platform] {
        &self.maintenance
    }

    /// (attempt, the run it reruns): (1, None) for a run that is no rerun.
    pub fn lineage(&self, run: i32) -> (i32, Option<i32>) {
        self.reruns
            .get(&run)
            .map_or((1, None), |r| (r.attempt, Some(r.rerun_of)))
    }

    pub fn progress_of(&self, run: i32) -> &[test_progress::Model] {
        self.progress.get(&run).map_or(&[], Vec::as_slice)
    }

    pub fn phase(&self, run: i32) -> Phase {
        Phase::from_last_progress(self.progress_of(run).last().map(|p| p.status.as_str()))
    }

    /// When a completed run completed (its last progress row's time); `None` for any other.
    pub fn completed_at(&self, run: i32) -> Option<NaiveDateTime> {
        self.progress_of(run)
            .last()
            .filter(|p| p.status == "completed")
            .map(|p| p.timestamp)
    }

    pub fn repository_url(&self, run: &test::Model) -> Option<&str> {
        run.fork_id
            .and_then(|f| self.forks.get(&f))
            .map(String::as_str)
    }
}

/// Results, produced files, scope and expectations for a set of runs: everything the verdict
/// rules read. Six queries at most, whatever the number of runs and tests.
#[derive(Default)]
pub struct Judging {
    // Ordered by (run, test), so one run's rows are a range, not a scan of every run's.
    pub results: BTreeMap<(i32, i32), test_result::Model>,
    pub files: BTreeMap<(i32, i32), Vec<test_result_file::Model>>,
    produced: BTreeMap<(i32, i32), Vec<Produced>>,
    scope: HashMap<i32, Vec<i32>>,
    pub expected: HashMap<i32, Vec<Expected>>,
    /// Quarantine periods of the runs' tests, by regression test.
    quarantines: HashMap<i32, Vec<Period>>,
}

impl Judging {
    pub async fn load(db: &impl ConnectionTrait, runs: &[i32]) -> Result<Self, DbErr> {
        let ids = || runs.iter().copied();
        let (results, files, customized) = tokio::try_join!(
            test_result::Entity::find()
                .filter(test_result::Column::TestId.is_in(ids()))
                .all(db),
            test_result_file::Entity::find()
                .filter(test_result_file::Column::TestId.is_in(ids()))
                .all(db),
            customized_test::Entity::find()
                .filter(customized_test::Column::TestId.is_in(ids()))
                .all(db),
        )?;
        let mut scope: HashMap<i32, Vec<i32>> = HashMap::new();
        for c in customized {
            if let (Some(t), Some(r)) = (c.test_id, c.regression_id) {
                scope.entry(t).or_default().push(r);
            }
        }
        // Runs without customized_test rows run every active test (the API's rule).
        if runs.iter().any(|r| !scope.contains_key(r)) {
            let active = super::catalog::active_test_ids(db).await?;
            for r in runs {
                scope.entry(*r).or_insert_with(|| active.clone());
            }
        }
        let mut j = Self {
            scope,
            ..Self::default()
        };
        let mut rts: BTreeSet<i32> = j.scope.values().flatten().copied().collect();
        rts.extend(results.iter().map(|r| r.regression_test_id));
        rts.extend(files.iter().map(|f| f.regression_test_id));
        (j.expected, j.quarantines) = tokio::try_join!(
            expectations(db, &rts),
            super::quarantine::periods_of(db, &rts)
        )?;
        j.add(results, files);
        Ok(j)
    }

    /// For callers that select the rows themselves (history, one run's test).
    pub fn from_rows(
        results: Vec<test_result::Model>,
        files: Vec<test_result_file::Model>,
        expected: HashMap<i32, Vec<Expected>>,
    ) -> Self {
        let mut j = Self {
            expected,
            ..Self::default()
        };
        j.add(results, files);
        j
    }

    fn add(&mut self, results: Vec<test_result::Model>, files: Vec<test_result_file::Model>) {
        for r in results {
            self.results.insert((r.test_id, r.regression_test_id), r);
        }
        for f in files {
            let key = (f.test_id, f.regression_test_id);
            self.produced.entry(key).or_default().push(Produced {
                output_id: f.regression_test_output_id,
                got: f.got.clone(),
            });
            self.files.entry(key).or_default().push(f);
        }
    }

    /// The tests of a run: its scope plus anything it reported, by id.
    pub fn tests_of(&self, run: i32) -> Vec<i32> {
        let mut rts: BTreeSet<i32> = self
            .scope
            .get(&run)
            .into_iter()
            .flatten()
            .copied()
            .collect();
        rts.extend(self.results.range(of_run(run)).map(|(k, _)| k.1));
        rts.extend(self.produced.range(of_run(run)).map(|(k, _)| k.1));
        rts.into_iter().collect()
    }

    pub fn scope_of(&self, run: i32) -> Vec<i32> {
        let mut s = self.scope.get(&run).cloned().unwrap_or_default();
        s.sort_unstable();
        s.dedup();
        s
    }

    pub fn facts(&self, run: i32, rt: i32, phase: Phase) -> TestFacts<'_> {
        TestFacts {
            phase,
            outcome: self.results.get(&(run, rt)).map(|r| Outcome {
                exit_code: r.exit_code,
                expected_rc: r.expected_rc,
            }),
            produced: self.produced.get(&(run, rt)).map_or(&[], Vec::as_slice),
            expected: self.expected.get(&rt).map_or(&[], Vec::as_slice),
        }
    }

    /// A reported result judged on what it reported, whatever the run's phase (the history's
    /// rule, and what the result verdicts store).
    pub fn result_status(&self, run: i32, rt: i32) -> api::RunSampleStatus {
        verdict::sample_status(&self.facts(run, rt, Phase::Completed))
    }

    pub fn result_count(&self, run: i32) -> usize {
        self.results.range(of_run(run)).count()
    }

    pub fn sample_statuses(&self, run: i32, phase: Phase) -> Vec<(i32, api::RunSampleStatus)> {
        self.tests_of(run)
            .into_iter()
            .map(|rt| (rt, verdict::sample_status(&self.facts(run, rt, phase))))
            .collect()
    }

    /// Whether `rt` was quarantined when a run completed at `completed_at` (never for a run that
    /// did not complete).
    pub fn quarantined(&self, rt: i32, completed_at: Option<NaiveDateTime>) -> bool {
        completed_at.is_some_and(|at| {
            self.quarantines
                .get(&rt)
                .is_some_and(|periods| quarantine::quarantined_at(periods, at))
        })
    }

    /// The run's status and effective status, from one judging of its tests.
    pub fn run_statuses(
        &self,
        run: i32,
        phase: Phase,
        completed_at: Option<NaiveDateTime>,
    ) -> (api::RunStatus, api::RunStatus) {
        self.run_statuses_of(run, phase, completed_at, &self.sample_statuses(run, phase))
    }

    /// [`Self::run_statuses`] from its tests' statuses as `sample_statuses` gave them, for a
    /// caller that has them already.
    pub fn run_statuses_of(
        &self,
        run: i32,
        phase: Phase,
        completed_at: Option<NaiveDateTime>,
        tests: &[(i32, api::RunSampleStatus)],
    ) -> (api::RunStatus, api::RunStatus) {
        let status =
            verdict::run_status(phase, self.result_count(run), tests.iter().map(|(_, s)| *s));
        let effective = verdict::effective_status(
            status,
            tests
                .iter()
                .map(|(rt, s)| (*s, self.quarantined(*rt, completed_at))),
        );
        (status, effective)
    }
}

/// The keys of one run's rows in a map ordered by (run, test).
fn of_run(run: i32) -> std::ops::RangeInclusive<(i32, i32)> {
    (run, i32::MIN)..=(run, i32::MAX)
}

/// Expected outputs (with their variants) of some regression tests, in two queries.
pub async fn expectations(
    db: &impl ConnectionTrait,
    rts: &BTreeSet<i32>,
) -> Result<HashMap<i32, Vec<Expected>>, DbErr> {
    if rts.is_empty() {
        return Ok(HashMap::new());
    }
    let outputs = regression_test_output::Entity::find()
        .filter(regression_test_output::Column::RegressionId.is_in(rts.iter().copied()))
        .order_by_asc(regression_test_output::Column::Id)
        .all(db)
        .await?;
    let mut variants: HashMap<i32, Vec<String>> = HashMap::new();
    if !outputs.is_empty() {
        for v in regression_test_output_files::Entity::find()
            .filter(
                regression_test_output_files::Column::RegressionTestOutputId
                    .is_in(outputs.iter().map(|o| o.id)),
            )
            .all(db)
            .await?
        {
            if let (Some(o), Some(h)) = (v.regression_test_output_id, v.file_hashes) {
                variants.entry(o).or_default().push(h);
            }
        }
    }
    let mut by_rt: HashMap<i32, Vec<Expected>> = HashMap::new();
    for o in outputs {
        if let Some(rt) = o.regression_id {
            by_rt.entry(rt).or_default().push(Expected {
                output_id: o.id,
                ignore: o.ignore.unwrap_or(false),
                variants: variants.remove(&o.id).unwrap_or_default(),
            });
        }
    }
    Ok(by_rt)
}
