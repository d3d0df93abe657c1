//! Filter pieces shared by list endpoints.
use crate::db::entity::{test, test_progress};
use crate::error::ApiError;
use crate::types::UtcDateTime;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query, SelectStatement};

/// Both bounds are timezone-aware by construction (a missing offset means UTC when parsed),
/// so comparing them can never mix naive and aware times (review MEDIUM).
pub fn date_range(
    after: &Option<UtcDateTime>,
    before: &Option<UtcDateTime>,
) -> Result<(), ApiError> {
    match (after, before) {
        (Some(a), Some(b)) if a.0 > b.0 => Err(ApiError::validation(
            "created_after must not be later than created_before.",
        )
        .detail("field", "created_after")),
        _ => Ok(()),
    }
}

/// When a run was created: its first progress row (upstream has no creation column).
pub fn run_created_at() -> Expr {
    let p = Alias::new("p");
    let sub: SelectStatement = Query::select()
        .expr(Func::min(Expr::col((
            p.clone(),
            test_progress::Column::Timestamp,
        ))))
        .from_as(test_progress::Entity, p.clone())
        .and_where(
            Expr::col((p, test_progress::Column::TestId)).equals((test::Entity, test::Column::Id)),
        )
        .to_owned();
    sub.into()
}
