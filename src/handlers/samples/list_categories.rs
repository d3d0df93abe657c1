//! GET /categories: by name, with how many regression tests each holds (one count query per
//! page).
use crate::api::{CategoryPage, ListCategoriesInput, ListCategoriesResponse};
use crate::data::entity::{category, regression_test_category};
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::categories::category as category_view;
use crate::views::page::{no_meta, pagination};
use poem_openapi::payload::Json;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

pub async fn handle(
    state: &AppState,
    req: ListCategoriesInput,
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
        .map(|c| {
            let n = counts.get(&c.id).copied().unwrap_or(0);
            category_view(c, n)
        })
        .collect();
    Ok(ListCategoriesResponse::Ok(Json(CategoryPage {
        data,
        pagination: pagination(req.limit, req.offset, total),
        meta: no_meta(),
    })))
}
