//! What the category writes share. Names are unique: the check up front gives the usual
//! answer, the unique index settles a race (both as 409).
use crate::data::entity::{category, regression_test_category};
use crate::data::error::unique_violation;
use crate::data::filters::same_text;
use crate::domain::DomainError;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};

pub fn taken(name: &str) -> DomainError {
    DomainError::conflict(format!("A category named {name:?} already exists.")).detail("name", name)
}

/// A unique-index violation is the race the up-front check lost.
pub fn or_taken(name: &str) -> impl FnOnce(DbErr) -> DomainError + '_ {
    unique_violation(move || taken(name))
}

pub async fn name_used(
    db: &impl ConnectionTrait,
    name: &str,
    except: Option<i32>,
) -> Result<bool, DbErr> {
    let mut q = category::Entity::find().filter(same_text(
        Expr::col((category::Entity, category::Column::Name)),
        name,
    ));
    if let Some(id) = except {
        q = q.filter(category::Column::Id.ne(id));
    }
    Ok(q.count(db).await? > 0)
}

pub async fn test_count(db: &impl ConnectionTrait, id: i32) -> Result<i64, DbErr> {
    let n = regression_test_category::Entity::find()
        .filter(regression_test_category::Column::CategoryId.eq(id))
        .count(db)
        .await?;
    Ok(n as i64)
}
