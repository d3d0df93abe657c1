//! Reads the account rules need under lock: the admins, and one user row.
use crate::api::Role;
use crate::data::entity::{api_token, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// The admins' ids, with their rows locked until the transaction ends: two concurrent
/// demotions or deactivations of the last two admins queue here, and the second sees the first.
pub async fn admins_locked(db: &impl ConnectionTrait) -> Result<Vec<i32>, DbErr> {
    user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Role.eq(Role::Admin.as_str()))
        .order_by_asc(user::Column::Id)
        .lock_exclusive()
        .into_tuple()
        .all(db)
        .await
}

pub async fn user_locked(db: &impl ConnectionTrait, id: i32) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find_by_id(id).lock_exclusive().one(db).await
}

/// Revokes every live token of `user_id` at `now`; how many were live.
pub async fn revoke_all_tokens(
    db: &impl ConnectionTrait,
    user_id: i32,
    now: chrono::NaiveDateTime,
) -> Result<u64, DbErr> {
    revoke_tokens(db, user_id, None, now).await
}

/// Revokes every live token of `user_id` but `keep` at `now`; how many were revoked.
pub async fn revoke_tokens(
    db: &impl ConnectionTrait,
    user_id: i32,
    keep: Option<i32>,
    now: chrono::NaiveDateTime,
) -> Result<u64, DbErr> {
    let mut q = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(now))
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null());
    if let Some(keep) = keep {
        q = q.filter(api_token::Column::Id.ne(keep));
    }
    Ok(q.exec(db).await?.rows_affected)
}

/// The account with `email`, compared case-insensitively (as logins compare it).
pub async fn by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find()
        .filter(crate::data::filters::same_text(
            Expr::col((user::Entity, user::Column::Email)),
            email,
        ))
        .one(db)
        .await
}
