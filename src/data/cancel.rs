//! Canceling a run: one conditional statement that re-reads the run's last status, so a run
//! that completed or was canceled is never flipped, whoever cancels (a caller, or blocking the
//! account that owns the run's fork).
use crate::data::entity::test_progress;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Order, Query};
use sea_orm::{ConnectionTrait, DbErr};

/// `INSERT … SELECT … WHERE <last status is not terminal>`: true when a row was written.
pub async fn insert_cancel(
    db: &impl ConnectionTrait,
    run_id: i32,
    message: &str,
) -> Result<bool, DbErr> {
    let p = Alias::new("p");
    let last_status = Query::select()
        .column((p.clone(), test_progress::Column::Status))
        .from_as(test_progress::Entity, p.clone())
        .and_where(Expr::col((p.clone(), test_progress::Column::TestId)).eq(run_id))
        .order_by((p, test_progress::Column::Id), Order::Desc)
        .limit(1)
        .to_owned();
    let now = chrono::Utc::now().naive_utc();
    let select = Query::select()
        .exprs([
            Expr::val(run_id),
            Expr::val("canceled"),
            Expr::val(now),
            Expr::val(message),
        ])
        .and_where(
            Func::coalesce([Expr::from(last_status), Expr::val("queued")])
                .is_not_in(["completed", "canceled"]),
        )
        .to_owned();
    let insert = Query::insert()
        .into_table(test_progress::Entity)
        .columns([
            test_progress::Column::TestId,
            test_progress::Column::Status,
            test_progress::Column::Timestamp,
            test_progress::Column::Message,
        ])
        .select_from(select)
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .to_owned();
    Ok(db.execute(&insert).await?.rows_affected() == 1)
}
