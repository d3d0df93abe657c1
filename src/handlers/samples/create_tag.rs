//! POST /tags: a sample tag; a name taken (compared as the unique index compares it) is a 409.
use crate::api::{CreateTagInput, CreateTagResponse, Tag};
use crate::data::entity::tag;
use crate::data::error::unique_violation;
use crate::data::filters::same_text;
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::state::AppState;
use poem_openapi::payload::Json;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, EntityTrait, QueryFilter, Set};

pub async fn handle(state: &AppState, req: CreateTagInput) -> Result<CreateTagResponse, ApiError> {
    let body = req.body;
    let taken = || DomainError::conflict("A tag with this name exists already.");
    // MariaDB's collation compares names case-insensitively, SQLite and PostgreSQL do not: the
    // same rule everywhere, checked first, and the unique index decides a race.
    let existing = tag::Entity::find()
        .filter(same_text(
            Expr::col((tag::Entity, tag::Column::Name)),
            &body.name,
        ))
        .one(&state.db)
        .await?;
    if existing.is_some() {
        return Err(taken().detail("name", body.name).into());
    }
    let created = tag::ActiveModel {
        name: Set(body.name.clone()),
        description: Set(Some(body.description.unwrap_or_default())),
        ..Default::default()
    }
    .insert(&state.db)
    .await
    .map_err(unique_violation(taken))?;
    Ok(CreateTagResponse::Created(Json(Tag {
        id: created.id,
        name: created.name,
        description: created.description.unwrap_or_default(),
    })))
}
