//! SQL filter pieces shared by list endpoints. (That `created_after` is not later than
//! `created_before` is the spec's `x-ordered-params`, checked by the generated adapter.)
use super::entity::{test, test_progress};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query, SelectStatement};

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

/// `column` equals `value` ignoring case, on every backend as on upstream's MariaDB database,
/// whose `utf8mb4_general_ci` collation makes every `=` on text case-insensitive: an email,
/// branch, token or category name that matches there matches here, and a name a unique key
/// there would refuse is taken here too.
pub fn same_text(column: impl Into<Expr>, value: &str) -> Expr {
    Func::lower(column.into()).eq(value.to_lowercase())
}
