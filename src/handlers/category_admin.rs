//! POST /categories, PATCH /categories/{id}, DELETE /categories/{id}. Names are unique: the
//! check up front gives the usual answer, the unique index settles a race (both as 409).
use crate::api::{
    Category, CreateCategoryRequest, CreateCategoryResponse, DeleteCategoryResponse,
    DeletedResource, UpdateCategoryRequest, UpdateCategoryResponse,
};
use crate::app::AppState;
use crate::db::entity::{category, regression_test_category};
use crate::error::ApiError;
use poem_openapi::payload::Json;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, Set,
};

fn taken(name: &str) -> ApiError {
    ApiError::conflict(format!("A category named {name:?} already exists.")).detail("name", name)
}

/// A unique-index violation is the race the up-front check lost.
fn or_taken(name: &str) -> impl Fn(DbErr) -> ApiError + '_ {
    move |e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => taken(name),
        _ => ApiError::from(e),
    }
}

async fn name_used(state: &AppState, name: &str, except: Option<i32>) -> Result<bool, ApiError> {
    let mut q = category::Entity::find().filter(category::Column::Name.eq(name));
    if let Some(id) = except {
        q = q.filter(category::Column::Id.ne(id));
    }
    Ok(q.count(&state.db).await? > 0)
}

async fn test_count(state: &AppState, id: i32) -> Result<u64, ApiError> {
    Ok(regression_test_category::Entity::find()
        .filter(regression_test_category::Column::CategoryId.eq(id))
        .count(&state.db)
        .await?)
}

fn to_api(c: category::Model, test_count: u64) -> Category {
    Category {
        id: c.id,
        name: c.name.unwrap_or_default(),
        description: c.description,
        test_count: test_count as i64,
    }
}

pub async fn create(
    state: &AppState,
    req: CreateCategoryRequest,
) -> Result<CreateCategoryResponse, ApiError> {
    let body = req.body;
    if name_used(state, &body.name, None).await? {
        return Err(taken(&body.name));
    }
    let created = category::ActiveModel {
        name: Set(Some(body.name.clone())),
        description: Set(body.description.unwrap_or_default()),
        ..Default::default()
    }
    .insert(&state.db)
    .await
    .map_err(or_taken(&body.name))?;
    Ok(CreateCategoryResponse::Created(Json(to_api(created, 0))))
}

pub async fn update(
    state: &AppState,
    req: UpdateCategoryRequest,
) -> Result<UpdateCategoryResponse, ApiError> {
    let body = req.body;
    if body.name.is_none() && body.description.is_none() {
        return Err(ApiError::validation("Send a name, a description or both."));
    }
    let found = category::Entity::find_by_id(req.category_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("Category"))?;
    if let Some(name) = &body.name
        && name_used(state, name, Some(found.id)).await?
    {
        return Err(taken(name));
    }
    let mut row: category::ActiveModel = found.into();
    if let Some(name) = &body.name {
        row.name = Set(Some(name.clone()));
    }
    if let Some(d) = body.description {
        row.description = Set(d);
    }
    let name = body.name.unwrap_or_default();
    let updated = row.update(&state.db).await.map_err(or_taken(&name))?;
    let n = test_count(state, updated.id).await?;
    Ok(UpdateCategoryResponse::Ok(Json(to_api(updated, n))))
}

pub async fn delete(
    state: &AppState,
    category_id: i32,
) -> Result<DeleteCategoryResponse, ApiError> {
    category::Entity::find_by_id(category_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("Category"))?;
    let n = test_count(state, category_id).await?;
    if n > 0 {
        return Err(ApiError::conflict(format!(
            "The category still has {n} regression tests; move or delete them first."
        ))
        .detail("test_count", n));
    }
    let gone = category::Entity::delete_by_id(category_id)
        .exec(&state.db)
        .await?
        .rows_affected;
    if gone == 0 {
        // Deleted by someone else since we looked.
        return Err(ApiError::not_found("Category"));
    }
    Ok(DeleteCategoryResponse::Ok(Json(DeletedResource {
        id: category_id,
        deleted: true,
    })))
}
