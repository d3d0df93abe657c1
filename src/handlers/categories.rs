//! GET /categories (by name, with how many regression tests each holds) and GET /tags.
use super::page::pagination;
use crate::api::{
    Category, CategoryPage, ListCategoriesRequest, ListCategoriesResponse, ListTagsRequest,
    ListTagsResponse, Tag, TagPage,
};
use crate::app::AppState;
use crate::db::entity::{category, regression_test_category, tag};
use crate::error::ApiError;
use poem_openapi::payload::Json;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

pub async fn list(
    state: &AppState,
    req: ListCategoriesRequest,
) -> Result<ListCategoriesResponse, ApiError> {
    let db = &state.db;
    let total = category::Entity::find().count(db).await?;
    let rows = category::Entity::find()
        .order_by_asc(category::Column::Name)
        .order_by_asc(category::Column::Id)
        .offset(req.offset as u64)
        .limit(req.limit as u64)
        .all(db)
        .await?;
    let counts: HashMap<i32, i64> = if rows.is_empty() {
        HashMap::new()
    } else {
        regression_test_category::Entity::find()
            .select_only()
            .column(regression_test_category::Column::CategoryId)
            .column_as(regression_test_category::Column::RegressionId.count(), "n")
            .filter(regression_test_category::Column::CategoryId.is_in(rows.iter().map(|c| c.id)))
            .group_by(regression_test_category::Column::CategoryId)
            .into_tuple::<(i32, i64)>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    let data = rows
        .into_iter()
        .map(|c| Category {
            test_count: counts.get(&c.id).copied().unwrap_or(0),
            id: c.id,
            name: c.name.unwrap_or_default(),
            description: c.description,
        })
        .collect();
    Ok(ListCategoriesResponse::Ok(Json(CategoryPage {
        data,
        pagination: pagination(req.limit, req.offset, total),
        meta: serde_json::json!({}),
    })))
}

pub async fn tags(state: &AppState, req: ListTagsRequest) -> Result<ListTagsResponse, ApiError> {
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
        meta: serde_json::json!({}),
    })))
}
