//! GET /system/forbidden-extensions: alphabetical.
use crate::api::{
    ForbiddenExtensionPage, ListForbiddenExtensionsInput, ListForbiddenExtensionsResponse,
};
use crate::data::entity::extension_forbidden;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::page::{no_meta, pagination};
use poem_openapi::payload::Json;
use sea_orm::{EntityTrait, QueryOrder, QuerySelect};

pub async fn handle(
    state: &AppState,
    req: ListForbiddenExtensionsInput,
) -> Result<ListForbiddenExtensionsResponse, ApiError> {
    let db = &state.db;
    let total = crate::data::count(db, extension_forbidden::Entity::find()).await?;
    let data = extension_forbidden::Entity::find()
        .order_by_asc(extension_forbidden::Column::Extension)
        .offset(req.offset as u64)
        .limit(req.limit as u64)
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.extension)
        .collect();
    Ok(ListForbiddenExtensionsResponse::Ok(Json(
        ForbiddenExtensionPage {
            data,
            pagination: pagination(req.limit, req.offset, total),
            meta: no_meta(),
        },
    )))
}
