//! What starting a run and rerunning one share: who may run which repository (review H2), the
//! active-test check of a scope, and the rows of a new run, written in the caller's
//! transaction so a refused request leaves nothing behind.
use crate::auth::Principal;
use crate::data::entity::{customized_test, fork, test, test_fork, user};
use crate::domain::DomainError;
use crate::domain::forks::{self, Refusal, Repository};
use crate::state::AppState;
use rand::RngCore;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use std::collections::BTreeSet;

/// The fork URL a run of `repository` (`owner/name`) uses, if the caller may run it: staff
/// for the main repository, the caller's own fork otherwise, never a blocked owner's fork.
pub async fn permitted_repository(
    state: &AppState,
    p: &Principal,
    repository: &str,
) -> Result<String, DomainError> {
    let login = user::Entity::find_by_id(p.user_id)
        .one(&state.db)
        .await?
        .and_then(|u| u.github_login);
    let main = &state.config.main_repository;
    match forks::repository_for_run(repository, main, p.role, login.as_deref()) {
        Ok(Repository::Main) => Ok(forks::main_url(main)),
        Ok(Repository::Fork { url }) => {
            refuse_blocked_owner(state, &url).await?;
            Ok(url)
        }
        Err(Refusal::RoleForMain) => Err(DomainError::forbidden(
            "Runs of the main repository need the admin, tester or contributor role.",
        )
        .detail(
            "required_roles",
            serde_json::json!(["admin", "tester", "contributor"]),
        )
        .detail("user_role", p.role.as_str())),
        Err(Refusal::NotYourFork) => Err(DomainError::forbidden(
            "The repository must be the main repository or your own fork of it \
             (link your GitHub account first).",
        )
        .detail("repository", repository.to_string())),
    }
}

/// `ids`, if every one is an active regression test; 422 naming the others.
pub async fn active_scope(state: &AppState, ids: Vec<i32>) -> Result<Vec<i32>, DomainError> {
    let active: BTreeSet<i32> = crate::data::catalog::active_test_ids(&state.db)
        .await?
        .into_iter()
        .collect();
    let inactive: Vec<i32> = ids
        .iter()
        .copied()
        .filter(|i| !active.contains(i))
        .collect();
    if !inactive.is_empty() {
        return Err(DomainError::unprocessable(
            "Every regression test of a run must exist and be active.",
        )
        .detail("inactive_ids", inactive));
    }
    Ok(ids)
}

pub struct NewRun {
    pub fork_url: String,
    pub platform: String,
    pub test_type: String,
    pub branch: String,
    pub commit: String,
    pub pr_nr: i32,
}

/// The run's `test` row (with a fresh worker token), its fork, its scope as customized tests
/// and who asked for it (`test_fork`), as upstream's own rows.
pub async fn insert_run(
    tx: &impl ConnectionTrait,
    p: &Principal,
    new: NewRun,
    scope: &[i32],
) -> Result<test::Model, DbErr> {
    let fork_id = match fork::Entity::find()
        .filter(
            Expr::expr(Func::lower(Expr::col(fork::Column::Github)))
                .eq(new.fork_url.to_lowercase()),
        )
        .one(tx)
        .await?
    {
        Some(f) => f.id,
        None => {
            fork::ActiveModel {
                github: Set(Some(new.fork_url)),
                ..Default::default()
            }
            .insert(tx)
            .await?
            .id
        }
    };
    let mut token = [0u8; 32];
    rand::rng().fill_bytes(&mut token);
    let run = test::ActiveModel {
        platform: Set(new.platform),
        test_type: Set(new.test_type),
        token: Set(Some(hex::encode(token))),
        fork_id: Set(Some(fork_id)),
        branch: Set(new.branch),
        commit: Set(new.commit),
        pr_nr: Set(new.pr_nr),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    customized_test::Entity::insert_many(scope.iter().map(|rt| customized_test::ActiveModel {
        test_id: Set(Some(run.id)),
        regression_id: Set(Some(*rt)),
        ..Default::default()
    }))
    .exec_without_returning(tx)
    .await?;
    test_fork::ActiveModel {
        user_id: Set(Some(p.user_id)),
        test_id: Set(Some(run.id)),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    Ok(run)
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
