//! POST /runs/{run_id}/samples/{sample_id}/baseline-approval: make a run's actual output the new
//! baseline of that output, atomically and on the record.
//!
//! The baseline changes by compare-and-set (`UPDATE … WHERE correct = <the value read>`) inside
//! the transaction that writes the audit row and removes variants, so of any number of concurrent
//! approvals of one output exactly one takes effect; the others see the new value and answer
//! without a second effect. No lock is held across requests and it works the same on SQLite,
//! PostgreSQL and MySQL.
use super::output::Output;
use crate::api::{
    ApproveBaselineInput, ApproveBaselineResponse, BaselineApproval, BaselineApprovalStatus,
};
use crate::auth::Principal;
use crate::data::entity::{
    regression_test_output, regression_test_output_files, spci_baseline_approval,
};
use crate::domain::DomainError;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::types::UtcDateTime;
use poem_openapi::payload::Json;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

/// Attempts when other writers keep changing the baseline under us.
const ATTEMPTS: usize = 5;

pub async fn handle(
    state: &AppState,
    p: &Principal,
    req: ApproveBaselineInput,
) -> Result<ApproveBaselineResponse, ApiError> {
    let body = req.body;
    let o = Output::load(
        state,
        req.run_id,
        req.sample_id,
        body.regression_id,
        body.output_id,
    )
    .await?;
    let Some(file) = &o.file else {
        return Err(DomainError::unprocessable(
            "The run did not produce this output: there is nothing to approve.",
        )
        .into());
    };
    let Some(new_hash) = file.got.clone() else {
        return Err(DomainError::unprocessable(
            "The run's output is identical to the baseline: there is nothing to approve.",
        )
        .into());
    };
    let exists = match o.key(&new_hash) {
        Some(key) => state.storage.size(&key).await?.is_some(),
        None => false,
    };
    if !exists {
        return Err(DomainError::unprocessable(format!(
            "The actual output file {} is not in storage; it cannot become the baseline.",
            o.filename(&new_hash)
        ))
        .detail("storage_status", "missing")
        .into());
    }
    let now = crate::data::db_now();
    let remove_variants = body.remove_variants.unwrap_or(false);
    for _ in 0..ATTEMPTS {
        // Read outside the transaction: in SQLite the transaction's first statement is then the
        // write, which waits for the lock and sees the latest committed row.
        let previous = regression_test_output::Entity::find_by_id(o.output_id)
            .one(&state.db)
            .await?
            .ok_or_else(|| DomainError::not_found("Output"))?
            .correct;
        if previous.as_deref() == Some(new_hash.as_str()) {
            // Already the baseline (a concurrent or earlier approval): no second effect.
            return Ok(approved(&o, p, now));
        }
        let tx = crate::data::writer::begin_write(&state.db).await?;
        let mut cas = regression_test_output::Entity::update_many()
            .col_expr(
                regression_test_output::Column::Correct,
                Expr::value(&new_hash),
            )
            .filter(regression_test_output::Column::Id.eq(o.output_id));
        cas = match &previous {
            Some(h) => cas.filter(regression_test_output::Column::Correct.eq(h.as_str())),
            None => cas.filter(regression_test_output::Column::Correct.is_null()),
        };
        if cas.exec(&tx).await?.rows_affected != 1 {
            tx.rollback().await?;
            continue;
        }
        let removed = if remove_variants {
            regression_test_output_files::Entity::delete_many()
                .filter(
                    regression_test_output_files::Column::RegressionTestOutputId.eq(o.output_id),
                )
                .exec(&tx)
                .await?
                .rows_affected
        } else {
            0
        };
        spci_baseline_approval::ActiveModel {
            run_id: Set(o.run_id),
            regression_id: Set(o.regression_id),
            output_id: Set(o.output_id),
            previous_hash: Set(previous),
            new_hash: Set(new_hash.clone()),
            removed_variants: Set(removed as i32),
            approved_by: Set(p.user_id),
            approved_at: Set(now),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
        tx.commit().await?;
        if removed > 0 {
            // Runs whose differing file matched a removed variant fail now.
            state
                .verdicts
                .output_changed(&state.db, o.output_id)
                .await?;
        }
        tracing::info!(
            run_id = o.run_id,
            output_id = o.output_id,
            user_id = p.user_id,
            removed_variants = removed,
            "baseline approved"
        );
        state.live.changed();
        return Ok(approved(&o, p, now));
    }
    Err(DomainError::conflict("The baseline kept changing while approving; try again.").into())
}

fn approved(o: &Output, p: &Principal, at: chrono::NaiveDateTime) -> ApproveBaselineResponse {
    ApproveBaselineResponse::Ok(Json(BaselineApproval {
        status: BaselineApprovalStatus::Approved,
        run_id: o.run_id,
        sample_id: o.sample_id,
        regression_id: o.regression_id,
        output_id: o.output_id,
        requested_by: p
            .name
            .clone()
            .or_else(|| p.email.clone())
            .unwrap_or_else(|| format!("user {}", p.user_id)),
        created_at: UtcDateTime::from_naive_utc(at),
    }))
}
