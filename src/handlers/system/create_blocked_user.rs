//! POST /system/blocked-users: records the block and cancels the account's pending runs, in one
//! transaction with its audit row. The table holds GitHub's numeric id while forks hold logins,
//! so the login is asked of GitHub first; if GitHub cannot be reached nothing is written (a 503
//! to retry), because a block that silently left the account's runs queued would be a lie.
use crate::api::{
    AuditAction, BlockedUser, CreateBlockedUserInput, CreateBlockedUserResponse, RunStatus,
};
use crate::auth::Principal;
use crate::data::audit::{self, Change};
use crate::data::cancel::insert_cancel;
use crate::data::entity::{blocked_users, fork, spci_run_verdict, test};
use crate::data::error::unique_violation;
use crate::data::like::contains_pattern;
use crate::data::verdict_cache::{status_in, verdict_run_id};
use crate::data::writer::begin_write;
use crate::domain::DomainError;
use crate::domain::forks::owner_of;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{ConnectionTrait, EntityTrait, Set};

pub async fn handle(
    state: &AppState,
    principal: &Principal,
    req: CreateBlockedUserInput,
) -> Result<CreateBlockedUserResponse, ApiError> {
    let github_id = req.body.user_id;
    let comment = req.body.comment.unwrap_or_default();
    let taken = || {
        DomainError::conflict(format!(
            "The GitHub account {github_id} is already blocked."
        ))
        .detail("user_id", github_id)
    };
    if blocked_users::Entity::find_by_id(github_id)
        .one(&state.db)
        .await?
        .is_some()
    {
        return Err(taken().into());
    }
    let login = state
        .github
        .login_of(github_id)
        .await
        .map_err(DomainError::from)?;
    state.verdicts.current(&state.db).await?;
    let tx = begin_write(&state.db).await?;
    blocked_users::Entity::insert(blocked_users::ActiveModel {
        user_id: Set(github_id),
        comment: Set(Some(comment.clone())),
    })
    .exec_without_returning(&tx)
    .await
    .map_err(unique_violation(taken))?;
    let mut canceled = vec![];
    if let Some(login) = &login {
        let message = format!(
            "Canceled by {}: the GitHub account {login} was blocked",
            principal.display_name()
        );
        for run_id in pending_runs_of(&tx, login).await? {
            if insert_cancel(&tx, run_id, &message).await? {
                canceled.push(run_id);
            }
        }
    }
    audit::record(
        &tx,
        Change {
            actor_id: principal.user_id,
            action: AuditAction::GithubUserBlocked,
            target: &github_id.to_string(),
            previous: None,
            value: Some(match &login {
                Some(login) => format!("{login}; {} pending runs canceled", canceled.len()),
                None => "unknown to GitHub".to_string(),
            }),
        },
    )
    .await?;
    tx.commit().await?;
    if !canceled.is_empty() {
        state.verdicts.changed(&state.db, &canceled).await?;
    }
    Ok(CreateBlockedUserResponse::Created(Json(BlockedUser {
        user_id: github_id,
        comment,
    })))
}

/// Queued or running runs of forks owned by `login`: the LIKE narrows, the owner check decides.
async fn pending_runs_of(db: &impl ConnectionTrait, login: &str) -> Result<Vec<i32>, ApiError> {
    let q = Query::select()
        .column((test::Entity, test::Column::Id))
        .column((fork::Entity, fork::Column::Github))
        .from(test::Entity)
        .inner_join(
            fork::Entity,
            Expr::col((fork::Entity, fork::Column::Id))
                .equals((test::Entity, test::Column::ForkId)),
        )
        .inner_join(
            spci_run_verdict::Entity,
            Expr::col(verdict_run_id()).equals((test::Entity, test::Column::Id)),
        )
        .and_where(status_in(&[RunStatus::Queued, RunStatus::Running]))
        .and_where(
            Func::lower(Expr::col((fork::Entity, fork::Column::Github)))
                .like(contains_pattern(&format!("github.com/{login}/"))),
        )
        .to_owned();
    let mut ids = vec![];
    for row in db.query_all(&q).await? {
        let id: i32 = row.try_get_by_index(0)?;
        let url: Option<String> = row.try_get_by_index(1)?;
        if url
            .as_deref()
            .and_then(owner_of)
            .is_some_and(|o| o.eq_ignore_ascii_case(login))
        {
            ids.push(id);
        }
    }
    Ok(ids)
}
