//! GET /samples. Filters run in SQL; tags and active-test counts of a page come in one query
//! each.
use crate::api::{ListSamplesInput, ListSamplesResponse, SamplePage, SampleStatusFilter};
use crate::data::catalog;
use crate::data::entity::{regression_test, sample};
use crate::data::like::contains_pattern;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::page::{no_meta, pagination};
use crate::views::samples::samples;
use poem_openapi::payload::Json;
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

pub async fn handle(
    state: &AppState,
    req: ListSamplesInput,
) -> Result<ListSamplesResponse, ApiError> {
    let mut q = sample::Entity::find();
    if let Some(n) = &req.name {
        q = q.filter(
            Func::lower(Expr::col((sample::Entity, sample::Column::OriginalName)))
                .like(contains_pattern(n)),
        );
    }
    if let Some(sha) = &req.sha256 {
        q = q.filter(
            Func::lower(Expr::col((sample::Entity, sample::Column::Sha))).eq(sha.to_lowercase()),
        );
    }
    if let Some(ext) = &req.extension {
        q = q.filter(
            Func::lower(Expr::col((sample::Entity, sample::Column::Extension)))
                .eq(ext.to_lowercase()),
        );
    }
    if let Some(t) = &req.tag {
        let tagged = catalog::samples_tagged(t);
        q = q.filter(Expr::col((sample::Entity, sample::Column::Id)).in_subquery(tagged));
    }
    if let Some(status) = req.status {
        let active = Query::select()
            .column((regression_test::Entity, regression_test::Column::SampleId))
            .from(regression_test::Entity)
            .and_where(
                Expr::col((regression_test::Entity, regression_test::Column::Active)).eq(true),
            )
            .and_where(
                Expr::col((regression_test::Entity, regression_test::Column::SampleId))
                    .is_not_null(),
            )
            .to_owned();
        let id = Expr::col((sample::Entity, sample::Column::Id));
        q = q.filter(match status {
            SampleStatusFilter::Active => id.in_subquery(active),
            SampleStatusFilter::Inactive => id.not_in_subquery(active),
        });
    }
    let total = q.clone().count(&state.db).await?;
    let rows = q
        .order_by_asc(sample::Column::Id)
        .offset(req.offset as u64)
        .limit(req.limit as u64)
        .all(&state.db)
        .await?;
    let data = samples(&state.db, rows).await?;
    Ok(ListSamplesResponse::Ok(Json(SamplePage {
        data,
        pagination: pagination(req.limit, req.offset, total),
        meta: no_meta(),
    })))
}
