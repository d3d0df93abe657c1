//! Loading the object a path names, with the one 404 for "missing" and "not yours".
use crate::app::AppState;
use crate::db::entity::{sample, test};
use crate::error::ApiError;
use crate::facts::{Judging, Runs};
use crate::verdict::Phase;
use sea_orm::EntityTrait;

pub async fn run(state: &AppState, run_id: i32) -> Result<test::Model, ApiError> {
    test::Entity::find_by_id(run_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("Run"))
}

pub async fn sample(state: &AppState, sample_id: i32) -> Result<sample::Model, ApiError> {
    sample::Entity::find_by_id(sample_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("Sample"))
}

/// One run with everything its verdict needs, judged live (always current).
pub struct JudgedRun {
    pub runs: Runs,
    pub judging: Judging,
    pub phase: Phase,
}

impl JudgedRun {
    pub async fn load(state: &AppState, run_id: i32) -> Result<Self, ApiError> {
        let runs = Runs::load(&state.db, &[run_id]).await?;
        if runs.runs.is_empty() {
            return Err(ApiError::not_found("Run"));
        }
        let judging = Judging::load(&state.db, &[run_id]).await?;
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

    pub fn status(&self) -> crate::api::RunStatus {
        self.judging.run_status(self.run().id, self.phase)
    }

    pub fn to_api(&self) -> crate::api::Run {
        self.runs.to_api(self.run(), self.status())
    }
}
