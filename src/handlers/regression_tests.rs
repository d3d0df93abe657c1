//! GET /regression-tests and /regression-tests/{regression_test_id}.
use super::page::pagination;
use crate::api::{
    GetRegressionTestResponse, InputType, ListRegressionTestsRequest, ListRegressionTestsResponse,
    OutputType, OutputVariant, RegressionTest, RegressionTestDetail, RegressionTestOutput,
    RegressionTestPage,
};
use crate::app::AppState;
use crate::catalog::{self, Catalog};
use crate::db::entity::{
    category, regression_test, regression_test_category, regression_test_output_files,
};
use crate::error::ApiError;
use poem_openapi::payload::Json;
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::{BTreeSet, HashMap};

pub async fn list(
    state: &AppState,
    req: ListRegressionTestsRequest,
) -> Result<ListRegressionTestsResponse, ApiError> {
    let mut q =
        regression_test::Entity::find().filter(regression_test::Column::Active.eq(req.active));
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
    let data = ids.iter().filter_map(|id| summary(&cat, *id)).collect();
    Ok(ListRegressionTestsResponse::Ok(Json(RegressionTestPage {
        data,
        pagination: pagination(req.limit, req.offset, total),
        meta: serde_json::json!({}),
    })))
}

pub async fn one(state: &AppState, id: i32) -> Result<GetRegressionTestResponse, ApiError> {
    let cat = Catalog::load(&state.db, &BTreeSet::from([id])).await?;
    let s = summary(&cat, id).ok_or_else(|| ApiError::not_found("Regression test"))?;
    let outputs = cat.outputs.get(&id).cloned().unwrap_or_default();
    let mut variants: HashMap<i32, Vec<OutputVariant>> = HashMap::new();
    if !outputs.is_empty() {
        for v in regression_test_output_files::Entity::find()
            .filter(
                regression_test_output_files::Column::RegressionTestOutputId
                    .is_in(outputs.iter().map(|o| o.id)),
            )
            .order_by_asc(regression_test_output_files::Column::Id)
            .all(&state.db)
            .await?
        {
            if let (Some(o), Some(hash)) = (v.regression_test_output_id, v.file_hashes) {
                variants
                    .entry(o)
                    .or_default()
                    .push(OutputVariant { id: v.id, hash });
            }
        }
    }
    Ok(GetRegressionTestResponse::Ok(Json(RegressionTestDetail {
        regression_test_id: s.regression_test_id,
        sample_id: s.sample_id,
        sample_name: s.sample_name,
        command: s.command,
        input_type: s.input_type,
        output_type: s.output_type,
        expected_rc: s.expected_rc,
        active: s.active,
        categories: s.categories,
        description: s.description,
        outputs: outputs
            .into_iter()
            .map(|o| RegressionTestOutput {
                variants: variants.remove(&o.id).unwrap_or_default(),
                id: o.id,
                correct: o.correct,
                correct_extension: o.correct_extension,
                expected_filename: o.expected_filename,
                ignore: o.ignore.unwrap_or(false),
            })
            .collect(),
    })))
}

fn summary(cat: &Catalog, id: i32) -> Option<RegressionTest> {
    let t = cat.tests.get(&id)?;
    Some(RegressionTest {
        regression_test_id: t.id,
        sample_id: t.sample_id,
        sample_name: cat.sample_of(id).map(|s| s.original_name.clone()),
        command: t.command.clone(),
        input_type: t
            .input_type
            .as_deref()
            .and_then(InputType::parse)
            .unwrap_or(InputType::File),
        output_type: t
            .output_type
            .as_deref()
            .and_then(OutputType::parse)
            .unwrap_or(OutputType::File),
        expected_rc: t.expected_rc,
        active: t.active,
        categories: cat.categories_of(id),
        description: t.description.clone(),
    })
}
