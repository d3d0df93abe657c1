//! GET /samples, /samples/{sample_id} and /samples/{sample_id}/details. Filters run in SQL;
//! tags and active-test counts of a page come in one query each.
use super::like::contains_pattern;
use super::lookup;
use super::page::pagination;
use crate::api::{
    GetSampleDetailsResponse, GetSampleResponse, ListSamplesRequest, ListSamplesResponse, Sample,
    SampleDetails, SampleExtraFile, SamplePage, SampleStatusFilter, UploadInfo, UploadPlatform,
};
use crate::app::AppState;
use crate::catalog;
use crate::db::entity::{ccextractor_version, regression_test, sample, sample_extra, upload};
use crate::error::ApiError;
use poem_openapi::payload::Json;
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::{BTreeSet, HashMap};

pub async fn list(
    state: &AppState,
    req: ListSamplesRequest,
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
    let data = to_api(&state.db, rows).await?;
    Ok(ListSamplesResponse::Ok(Json(SamplePage {
        data,
        pagination: pagination(req.limit, req.offset, total),
        meta: serde_json::json!({}),
    })))
}

pub async fn one(state: &AppState, sample_id: i32) -> Result<GetSampleResponse, ApiError> {
    let s = lookup::sample(state, sample_id).await?;
    let mut data = to_api(&state.db, vec![s]).await?;
    Ok(GetSampleResponse::Ok(Json(data.remove(0))))
}

pub async fn details(
    state: &AppState,
    sample_id: i32,
) -> Result<GetSampleDetailsResponse, ApiError> {
    let s = lookup::sample(state, sample_id).await?;
    let db = &state.db;
    let base = to_api(db, vec![s]).await?.remove(0);
    let upload = match upload::Entity::find()
        .filter(upload::Column::SampleId.eq(sample_id))
        .find_also_related(ccextractor_version::Entity)
        .one(db)
        .await?
    {
        Some((u, v)) => Some(UploadInfo {
            platform: UploadPlatform::parse(&u.platform),
            parameters: u.parameters,
            notes: u.notes,
            version: v.as_ref().and_then(|v| v.version.clone()),
            version_released: v
                .and_then(|v| v.released)
                .map(|d| d.format("%Y-%m-%d").to_string()),
        }),
        None => None,
    };
    let extra_files = sample_extra::Entity::find()
        .filter(sample_extra::Column::SampleId.eq(sample_id))
        .order_by_asc(sample_extra::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|e| SampleExtraFile {
            id: e.id,
            original_name: e.original_name,
            extension: e.extension,
        })
        .collect();
    Ok(GetSampleDetailsResponse::Ok(Json(SampleDetails {
        sample_id: base.sample_id,
        sha: base.sha,
        extension: base.extension,
        original_name: base.original_name,
        filename: base.filename,
        tags: base.tags,
        regression_test_count: base.regression_test_count,
        active: base.active,
        upload,
        extra_files,
        // MediaInfo reports are XML; parsing them into a tree is not implemented yet.
        media_info: None,
    })))
}

/// Samples with their tags and active-test counts: two queries for the whole page.
async fn to_api(db: &impl ConnectionTrait, rows: Vec<sample::Model>) -> Result<Vec<Sample>, DbErr> {
    let ids: BTreeSet<i32> = rows.iter().map(|s| s.id).collect();
    let tags = catalog::tags_of(db, &ids).await?;
    let counts = active_test_counts(db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|s| {
            let count = counts.get(&s.id).copied().unwrap_or(0);
            let sha = s.sha.unwrap_or_default();
            Sample {
                sample_id: s.id,
                filename: format!("{sha}.{}", s.extension),
                sha,
                extension: s.extension,
                original_name: s.original_name,
                tags: tags.get(&s.id).cloned().unwrap_or_default(),
                regression_test_count: count,
                active: count > 0,
            }
        })
        .collect())
}

async fn active_test_counts(
    db: &impl ConnectionTrait,
    ids: &BTreeSet<i32>,
) -> Result<HashMap<i32, i64>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Option<i32>, i64)> = regression_test::Entity::find()
        .select_only()
        .column(regression_test::Column::SampleId)
        .column_as(regression_test::Column::Id.count(), "n")
        .filter(regression_test::Column::SampleId.is_in(ids.iter().copied()))
        .filter(regression_test::Column::Active.eq(true))
        .group_by(regression_test::Column::SampleId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(s, n)| Some((s?, n)))
        .collect())
}
