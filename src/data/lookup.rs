//! Loading the object a path names, with the one 404 for "missing" and "not yours".
use super::entity::{regression_test, regression_test_output, sample, test};
use super::loaders::{Judging, Runs};
use crate::api::{RunSampleStatus, RunStatus};
use crate::domain::DomainError;
use crate::domain::verdict::Phase;
use sea_orm::{ConnectionTrait, EntityTrait};

pub async fn run(db: &impl ConnectionTrait, run_id: i32) -> Result<test::Model, DomainError> {
    test::Entity::find_by_id(run_id)
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("Run"))
}

pub async fn sample(
    db: &impl ConnectionTrait,
    sample_id: i32,
) -> Result<sample::Model, DomainError> {
    sample::Entity::find_by_id(sample_id)
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("Sample"))
}

/// Regression test `id` with its row locked until the transaction ends: writes that check and
/// then change a test or what belongs to it (its quarantines, whether it may go) take turns.
pub async fn regression_test_locked(
    tx: &impl ConnectionTrait,
    id: i32,
) -> Result<regression_test::Model, DomainError> {
    use sea_orm::QuerySelect;
    regression_test::Entity::find_by_id(id)
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(|| DomainError::not_found("Regression test"))
}

/// An expected output of regression test `regression_test_id`.
pub async fn output(
    db: &impl ConnectionTrait,
    regression_test_id: i32,
    output_id: i32,
) -> Result<regression_test_output::Model, DomainError> {
    regression_test_output::Entity::find_by_id(output_id)
        .one(db)
        .await?
        .filter(|o| o.regression_id == Some(regression_test_id))
        .ok_or_else(|| DomainError::not_found("Output"))
}

/// One run with everything its verdict needs, judged live (always current).
pub struct JudgedRun {
    pub runs: Runs,
    pub judging: Judging,
    pub phase: Phase,
}

impl JudgedRun {
    pub async fn load(db: &impl ConnectionTrait, run_id: i32) -> Result<Self, DomainError> {
        // Independent reads, each on its own pooled connection: the request waits for the
        // slowest, not the sum.
        let ids = [run_id];
        let (runs, judging) = tokio::try_join!(Runs::load(db, &ids), Judging::load(db, &ids))?;
        if runs.runs.is_empty() {
            return Err(DomainError::not_found("Run"));
        }
        let phase = runs.phase(run_id);
        Ok(Self {
            runs,
            judging,
            phase,
        })
    }

    pub fn run(&self) -> &test::Model {
        &self.runs.runs[0]
    }

    pub fn status(&self) -> RunStatus {
        self.statuses().0
    }

    /// (status, effective status), judged live.
    pub fn statuses(&self) -> (RunStatus, RunStatus) {
        let id = self.run().id;
        self.judging
            .run_statuses(id, self.phase, self.runs.completed_at(id))
    }

    /// [`Self::statuses`] from the tests' statuses the caller judged already.
    pub fn statuses_of(&self, tests: &[(i32, RunSampleStatus)]) -> (RunStatus, RunStatus) {
        let id = self.run().id;
        self.judging
            .run_statuses_of(id, self.phase, self.runs.completed_at(id), tests)
    }

    /// Whether the run's test `rt` was quarantined when the run completed.
    pub fn quarantined(&self, rt: i32) -> bool {
        self.judging
            .quarantined(rt, self.runs.completed_at(self.run().id))
    }
}

/// The CCExtractor release named `version`; an unknown name is a 400 that lists it.
pub async fn version(
    db: &impl ConnectionTrait,
    version: &str,
) -> Result<super::entity::ccextractor_version::Model, DomainError> {
    use super::entity::ccextractor_version::{Column, Entity};
    use sea_orm::{ColumnTrait, QueryFilter};
    Entity::find()
        .filter(Column::Version.eq(version))
        .one(db)
        .await?
        .ok_or_else(|| {
            DomainError::invalid("Unknown CCExtractor version.").detail("unknown", vec![version])
        })
}
