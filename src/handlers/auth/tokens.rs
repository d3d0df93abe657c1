//! Revoking a token: idempotent and atomic, one conditional UPDATE.
use crate::data::entity::api_token;
use crate::domain::DomainError;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

pub async fn revoke(db: &impl ConnectionTrait, token_id: i32) -> Result<(), DomainError> {
    let now = chrono::Utc::now().naive_utc();
    api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(now))
        .filter(api_token::Column::Id.eq(token_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
