//! GET /tags: sample tags by name.
use crate::api::{ListTagsInput, ListTagsResponse, Tag, TagPage};
use crate::data::entity::tag;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::page::{no_meta, pagination};
use poem_openapi::payload::Json;
use sea_orm::{EntityTrait, PaginatorTrait, QueryOrder, QuerySelect};

pub async fn handle(state: &AppState, req: ListTagsInput) -> Result<ListTagsResponse, ApiError> {
    let db = &state.db;
    let total = tag::Entity::find().count(db).await?;
    let data = tag::Entity::find()
        .order_by_asc(tag::Column::Name)
        .offset(req.offset as u64)
        .limit(req.limit as u64)
        .all(db)
        .await?
        .into_iter()
        .map(|t| Tag {
            id: t.id,
            name: t.name,
            description: t.description.unwrap_or_default(),
        })
        .collect();
    Ok(ListTagsResponse::Ok(Json(TagPage {
        data,
        pagination: pagination(req.limit, req.offset, total),
        meta: no_meta(),
    })))
}
