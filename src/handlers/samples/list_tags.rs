//! GET /tags: sample tags by name.
use crate::api::{ListTagsInput, ListTagsResponse, Tag, TagPage};
use crate::data::entity::tag;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::page::{no_meta, pagination};
use poem_openapi::payload::Json;
use sea_orm::{EntityTrait, QueryOrder};

pub async fn handle(state: &AppState, req: ListTagsInput) -> Result<ListTagsResponse, ApiError> {
    let db = &state.db;
    let (rows, total) = crate::data::page(
        db,
        tag::Entity::find().order_by_asc(tag::Column::Name),
        req.limit,
        req.offset,
    )
    .await?;
    let data = rows
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
