//! POST /runs: queue a run of the main repository (staff) or of the caller's own fork (review
//! H2), with the given active regression tests or all of them. Every check happens before the
//! first write, and the writes share one transaction: a refused request leaves no row behind.
use crate::api::{CreateRunInput, CreateRunResponse, RunStatus};
use crate::auth::Principal;
use crate::data::entity::{customized_test, fork, test, test_fork, user};
use crate::data::loaders::Runs;
use crate::domain::DomainError;
use crate::domain::forks::{self, Refusal, Repository};
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views;
use poem_openapi::payload::Json;
use rand::RngCore;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{ActiveModelTrait, EntityTrait, QueryFilter, Set};
use std::collections::BTreeSet;

pub async fn handle(
    state: &AppState,
    p: &Principal,
    req: CreateRunInput,
) -> Result<CreateRunResponse, ApiError> {
    let body = req.body;
    let db = &state.db;
    let login = user::Entity::find_by_id(p.user_id)
        .one(db)
        .await?
        .and_then(|u| u.github_login);
    let main = &state.config.main_repository;
    let fork_url = match forks::repository_for_run(&body.repository, main, p.role, login.as_deref())
    {
        Ok(Repository::Main) => forks::main_url(main),
        Ok(Repository::Fork { url }) => {
            refuse_blocked_owner(state, &url).await?;
            url
        }
        Err(Refusal::RoleForMain) => {
            return Err(DomainError::forbidden(
                "Runs of the main repository need the admin, tester or contributor role.",
            )
            .detail(
                "required_roles",
                serde_json::json!(["admin", "tester", "contributor"]),
            )
            .detail("user_role", p.role.as_str())
            .into());
        }
        Err(Refusal::NotYourFork) => {
            return Err(DomainError::forbidden(
                "The repository must be the main repository or your own fork of it \
                 (link your GitHub account first).",
            )
            .detail("repository", body.repository.clone())
            .into());
        }
    };

    let active: BTreeSet<i32> = crate::data::catalog::active_test_ids(db)
        .await?
        .into_iter()
        .collect();
    let scope: Vec<i32> = match &body.regression_test_ids {
        Some(ids) => {
            let inactive: Vec<i32> = ids
                .iter()
                .copied()
                .filter(|i| !active.contains(i))
                .collect();
            if !inactive.is_empty() {
                return Err(DomainError::unprocessable(
                    "Every regression test of a run must exist and be active.",
                )
                .detail("inactive_ids", inactive)
                .into());
            }
            ids.clone()
        }
        None => active.iter().copied().collect(),
    };
    if scope.is_empty() {
        return Err(
            DomainError::unprocessable("There are no active regression tests to run.").into(),
        );
    }

    let tx = crate::data::writer::begin_write(db).await?;
    let fork_id = match fork::Entity::find()
        .filter(
            Expr::expr(Func::lower(Expr::col(fork::Column::Github))).eq(fork_url.to_lowercase()),
        )
        .one(&tx)
        .await?
    {
        Some(f) => f.id,
        None => {
            fork::ActiveModel {
                github: Set(Some(fork_url)),
                ..Default::default()
            }
            .insert(&tx)
            .await?
            .id
        }
    };
    let mut token = [0u8; 32];
    rand::rng().fill_bytes(&mut token);
    let run = test::ActiveModel {
        platform: Set(body.platform.as_str().to_string()),
        test_type: Set(if body.pull_request.is_some() {
            "pr"
        } else {
            "commit"
        }
        .to_string()),
        token: Set(Some(hex::encode(token))),
        fork_id: Set(Some(fork_id)),
        branch: Set(body.branch.clone().unwrap_or_else(|| "master".to_string())),
        commit: Set(body.commit_sha.to_lowercase()),
        pr_nr: Set(body.pull_request.unwrap_or(0)),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    customized_test::Entity::insert_many(scope.iter().map(|rt| customized_test::ActiveModel {
        test_id: Set(Some(run.id)),
        regression_id: Set(Some(*rt)),
        ..Default::default()
    }))
    .exec_without_returning(&tx)
    .await?;
    test_fork::ActiveModel {
        user_id: Set(Some(p.user_id)),
        test_id: Set(Some(run.id)),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    tx.commit().await?;

    let runs = Runs::load(db, &[run.id]).await?;
    Ok(CreateRunResponse::Accepted(Json(views::runs::run(
        &runs,
        &runs.runs[0],
        RunStatus::Queued,
    ))))
}

/// A fork owned by a blocked GitHub account gets no run. Blocks are stored by GitHub's numeric
/// id and forks by login, so GitHub is asked for the id (only when anyone is blocked at all);
/// GitHub unreachable is a 503, never a way around a block.
async fn refuse_blocked_owner(state: &AppState, fork_url: &str) -> Result<(), DomainError> {
    use crate::data::entity::blocked_users;
    use sea_orm::PaginatorTrait;
    if blocked_users::Entity::find().count(&state.db).await? == 0 {
        return Ok(());
    }
    let Some(owner) = forks::owner_of(fork_url) else {
        return Ok(());
    };
    let id = state.github.id_of(owner).await.map_err(DomainError::from)?;
    let blocked = match id.and_then(|id| i32::try_from(id).ok()) {
        Some(id) => blocked_users::Entity::find_by_id(id)
            .one(&state.db)
            .await?
            .is_some(),
        None => false,
    };
    if blocked {
        return Err(DomainError::forbidden(
            "The fork's GitHub account is blocked from running CI on this platform.",
        )
        .detail("github_login", owner));
    }
    Ok(())
}
