//! POST /runs/{run_id}/rerun: a new run of the original's commit, platform, repository,
//! branch and pull request with the scope asked for (`domain::rerun`), linked to the
//! original. The permission rules are POST /runs' own (the same code); every check comes
//! before the one transaction.
use crate::api::{RerunRunInput, RerunRunResponse, RunStatus};
use crate::auth::Principal;
use crate::data::entity::spci_rerun;
use crate::data::loaders::Runs;
use crate::data::lookup::JudgedRun;
use crate::domain::{DomainError, rerun};
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views;
use poem_openapi::payload::Json;
use sea_orm::{ActiveModelTrait, Set};

pub async fn handle(
    state: &AppState,
    p: &Principal,
    req: RerunRunInput,
) -> Result<RerunRunResponse, ApiError> {
    let body = req.body;
    let j = JudgedRun::load(&state.db, req.run_id).await?;
    let original = j.run().clone();
    if !j.phase.is_finished() {
        return Err(DomainError::conflict(
            "The run has not finished; cancel it or wait for it before rerunning.",
        )
        .detail("status", j.status().as_str())
        .into());
    }
    let repository = j
        .runs
        .repository_url(&original)
        .and_then(views::runs::repository_slug)
        .ok_or_else(|| DomainError::unprocessable("The run has no repository to rerun."))?;
    let fork_url = super::launch::permitted_repository(state, p, &repository).await?;

    let statuses = j.judging.sample_statuses(original.id, j.phase);
    let whole = j.judging.scope_of(original.id);
    let wanted = rerun::tests(
        &rerun::Original {
            scope: &whole,
            statuses: &statuses,
        },
        body.scope,
        body.regression_test_ids.as_deref(),
    )?;
    let scope = super::launch::active_scope(state, wanted).await?;
    let (attempt, _) = j.runs.lineage(original.id);

    let tx = crate::data::writer::begin_write(&state.db).await?;
    let run = super::launch::insert_run(
        &tx,
        p,
        super::launch::NewRun {
            fork_url,
            platform: original.platform.clone(),
            test_type: original.test_type.clone(),
            branch: original.branch.clone(),
            commit: original.commit.clone(),
            pr_nr: original.pr_nr,
        },
        &scope,
    )
    .await?;
    spci_rerun::ActiveModel {
        run_id: Set(run.id),
        rerun_of: Set(original.id),
        attempt: Set(attempt + 1),
        scope: Set(body.scope.as_str().to_string()),
        requested_by: Set(p.user_id),
        created_at: Set(chrono::Utc::now().naive_utc()),
    }
    .insert(&tx)
    .await?;
    tx.commit().await?;

    let runs = Runs::load(&state.db, &[run.id]).await?;
    // Streams and webhooks hear of it now, not at the recorder's next poll.
    state.live.changed();
    Ok(RerunRunResponse::Accepted(Json(views::runs::run(
        &runs,
        &runs.runs[0],
        (RunStatus::Queued, RunStatus::Queued),
    ))))
}
