//! GET /system/forbidden-extensions: alphabetical.
use crate::api::{
    ForbiddenExtensionPage, ListForbiddenExtensionsInput, ListForbiddenExtensionsResponse,
};
use crate::data::entity::extension_forbidden;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::page::{no_meta, pagination};
use poem_openapi::payload::Json;
use sea_orm::{EntityTrait, QueryOrder};

pub async fn handle(
    state: &AppState,
    req: ListForbiddenExtensionsInput,
) -> Result<ListForbiddenExtensionsResponse, ApiError> {
    let db = &state.db;
    let (rows, total) = crate::data::page(
        db,
        extension_forbidden::Entity::find().order_by_asc(extension_forbidden::Column::Extension),
        req.limit,
        req.offset,
    )
    .await?;
    let data = rows.into_iter().map(|r| r.extension).collect();
    Ok(ListForbiddenExtensionsResponse::Ok(Json(
        ForbiddenExtensionPage {
            data,
            pagination: pagination(req.limit, req.offset, total),
            meta: no_meta(),
        },
    )))
}
