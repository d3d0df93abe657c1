//! GET /regression-tests: active (or inactive) tests, filtered in SQL, one catalog load per page.
use crate::api::{ListRegressionTestsInput, ListRegressionTestsResponse, RegressionTestPage};
use crate::data::catalog::{self, Catalog};
use crate::data::entity::{category, regression_test, regression_test_category};
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::page::{no_meta, pagination};
use crate::views::regression_tests::regression_test;
use poem_openapi::payload::Json;
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::BTreeSet;

pub async fn handle(
    state: &AppState,
    req: ListRegressionTestsInput,
) -> Result<ListRegressionTestsResponse, ApiError> {
    use regression_test::Column::Active;
    // Upstream's column is nullable, and NULL is inactive (its queries test `active == True`).
    let mut q = regression_test::Entity::find().filter(if req.active {
        Active.eq(true)
    } else {
        Active.eq(false).or(Active.is_null())
    });
    if let Some(s) = req.sample_id {
        q = q.filter(regression_test::Column::SampleId.eq(s));
    }
    if let Some(c) = &req.category {
        let linked = Query::select()
            .column((
                regression_test_category::Entity,
                regression_test_category::Column::RegressionId,
            ))
            .from(regression_test_category::Entity)
            .inner_join(
                category::Entity,
                Expr::col((category::Entity, category::Column::Id)).equals((
                    regression_test_category::Entity,
                    regression_test_category::Column::CategoryId,
                )),
            )
            .and_where(
                Func::lower(Expr::col((category::Entity, category::Column::Name)))
                    .eq(c.to_lowercase()),
            )
            .to_owned();
        q = q.filter(
            Expr::col((regression_test::Entity, regression_test::Column::Id)).in_subquery(linked),
        );
    }
    if let Some(t) = &req.tag {
        let tagged = catalog::samples_tagged(t);
        q = q.filter(
            Expr::col((regression_test::Entity, regression_test::Column::SampleId))
                .in_subquery(tagged),
        );
    }
    let total = q.clone().count(&state.db).await?;
    let ids: BTreeSet<i32> = q
        .order_by_asc(regression_test::Column::Id)
        .offset(req.offset as u64)
        .limit(req.limit as u64)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    let cat = Catalog::load(&state.db, &ids).await?;
    let data = ids
        .iter()
        .filter_map(|id| regression_test(&cat, *id))
        .collect();
    Ok(ListRegressionTestsResponse::Ok(Json(RegressionTestPage {
        data,
        pagination: pagination(req.limit, req.offset, total),
        meta: no_meta(),
    })))
}
