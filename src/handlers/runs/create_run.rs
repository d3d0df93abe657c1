//! POST /runs: queue a run of the main repository (staff) or of the caller's own fork (review
//! H2), with the given active regression tests or all of them. Every check happens before the
//! first write, and the writes share one transaction: a refused request leaves no row behind.
use crate::api::{CreateRunInput, CreateRunResponse, RunStatus};
use crate::auth::Principal;
use crate::data::loaders::Runs;
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views;
use poem_openapi::payload::Json;

pub async fn handle(
    state: &AppState,
    p: &Principal,
    req: CreateRunInput,
) -> Result<CreateRunResponse, ApiError> {
    let body = req.body;
    let db = &state.db;
    let fork_url = super::launch::permitted_repository(state, p, &body.repository).await?;

    let scope = match &body.regression_test_ids {
        Some(ids) => super::launch::active_scope(state, ids.clone()).await?,
        None => crate::data::catalog::active_test_ids(db).await?,
    };
    if scope.is_empty() {
        return Err(
            DomainError::unprocessable("There are no active regression tests to run.").into(),
        );
    }

    let tx = crate::data::writer::begin_write(db).await?;
    let run = super::launch::insert_run(
        &tx,
        p,
        super::launch::NewRun {
            fork_url,
            platform: body.platform.as_str().to_string(),
            test_type: if body.pull_request.is_some() {
                "pr"
            } else {
                "commit"
            }
            .to_string(),
            branch: body.branch.clone().unwrap_or_else(|| "master".to_string()),
            commit: body.commit_sha.to_lowercase(),
            pr_nr: body.pull_request.unwrap_or(0),
        },
        &scope,
    )
    .await?;
    tx.commit().await?;

    let runs = Runs::load(db, &[run.id]).await?;
    // Streams and webhooks hear of it now, not at the recorder's next poll.
    state.live.changed();
    Ok(CreateRunResponse::Accepted(Json(views::runs::run(
        &runs,
        &runs.runs[0],
        (RunStatus::Queued, RunStatus::Queued),
    ))))
}
