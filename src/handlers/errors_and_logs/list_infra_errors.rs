//! GET /runs/{run_id}/infrastructure-errors: what the run's cancel messages say went wrong
//! around the tests (VM, build, timeouts); stack traces only for the roles that may see them.
use crate::api::{
    ErrorItem, ErrorItemPage, ListInfraErrorsInput, ListInfraErrorsResponse, Role, Severity,
};
use crate::auth::Principal;
use crate::data::loaders::Runs;
use crate::domain::{DomainError, classify};
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::types::UtcDateTime;
use crate::views::page::{no_meta, slice};
use poem_openapi::payload::Json;

/// Who may ask for `include_stack`.
const STACK_ROLES: &[Role] = &[Role::Admin, Role::Contributor];

pub async fn handle(
    state: &AppState,
    p: &Principal,
    req: ListInfraErrorsInput,
) -> Result<ListInfraErrorsResponse, ApiError> {
    if req.include_stack && !STACK_ROLES.contains(&p.role) {
        let roles: Vec<&str> = STACK_ROLES.iter().map(|r| r.as_str()).collect();
        return Err(
            DomainError::forbidden("include_stack is for admins and contributors.")
                .detail("required_roles", serde_json::json!(roles))
                .detail("user_role", p.role.as_str())
                .into(),
        );
    }
    // Only the run's progress rows say anything here: its results are not loaded.
    let runs = Runs::load(&state.db, &[req.run_id]).await?;
    if runs.runs.is_empty() {
        return Err(DomainError::not_found("Run").into());
    }
    let rows: Vec<ErrorItem> = runs
        .progress_of(req.run_id)
        .iter()
        .filter(|p| p.status == "canceled")
        .filter_map(|p| {
            let kind = classify::infrastructure_type(&p.message)?;
            Some(ErrorItem {
                error_id: format!("infra_{}_{}", req.run_id, p.id),
                run_id: req.run_id,
                sample_id: None,
                regression_id: None,
                r#type: kind,
                severity: Severity::Critical,
                message: p.message.clone(),
                location: None,
                stack: req
                    .include_stack
                    .then(|| p.message.lines().map(str::to_string).collect()),
                occurred_at: Some(UtcDateTime::from_naive_utc(p.timestamp)),
            })
        })
        .filter(|e| req.r#type.is_none_or(|t| t.as_str() == e.r#type.as_str()))
        .filter(|e| req.severity.is_none_or(|s| s == e.severity))
        .collect();
    let (data, pagination) = slice(rows, req.limit, req.offset);
    Ok(ListInfraErrorsResponse::Ok(Json(ErrorItemPage {
        data,
        pagination,
        meta: no_meta(),
    })))
}
