//! Reading and writing a regression test's quarantine periods (`spci_quarantine`).
use super::entity::spci_quarantine;
use crate::domain::quarantine::Period;
use chrono::{NaiveDateTime, Timelike};
use sea_orm::sea_query::{Condition, Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

pub fn period(q: &spci_quarantine::Model) -> Period {
    Period {
        from: q.created_at,
        expires: q.expires_at,
        lifted: q.lifted_at,
    }
}

/// The quarantine periods of some regression tests, oldest first, in one query.
pub async fn periods_of(
    db: &impl ConnectionTrait,
    rts: &std::collections::BTreeSet<i32>,
) -> Result<HashMap<i32, Vec<Period>>, DbErr> {
    let mut by_rt: HashMap<i32, Vec<Period>> = HashMap::new();
    if rts.is_empty() {
        return Ok(by_rt);
    }
    for q in spci_quarantine::Entity::find()
        .filter(spci_quarantine::Column::RegressionTestId.is_in(rts.iter().copied()))
        .order_by_asc(spci_quarantine::Column::Id)
        .all(db)
        .await?
    {
        by_rt
            .entry(q.regression_test_id)
            .or_default()
            .push(period(&q));
    }
    Ok(by_rt)
}

/// A test's quarantines, oldest first.
pub async fn of_test(
    db: &impl ConnectionTrait,
    regression_test_id: i32,
) -> Result<Vec<spci_quarantine::Model>, DbErr> {
    spci_quarantine::Entity::find()
        .filter(spci_quarantine::Column::RegressionTestId.eq(regression_test_id))
        .order_by_asc(spci_quarantine::Column::Id)
        .all(db)
        .await
}

/// Quarantines in force at `now` (`Period::in_force`): neither lifted nor expired. A lift is
/// never set in the future by more than the rounding to a whole second, so a lifted one is over.
pub fn in_force_at(now: NaiveDateTime) -> Condition {
    Condition::all()
        .add(spci_quarantine::Column::LiftedAt.is_null())
        .add(
            Condition::any()
                .add(spci_quarantine::Column::ExpiresAt.is_null())
                .add(Expr::col(spci_quarantine::Column::ExpiresAt).gt(now)),
        )
}

/// Which of `rts` have a quarantine in force at `now`, in one query.
pub async fn in_force_among(
    db: &impl ConnectionTrait,
    rts: impl IntoIterator<Item = i32>,
    now: NaiveDateTime,
) -> Result<std::collections::HashSet<i32>, DbErr> {
    let rts: Vec<i32> = rts.into_iter().collect();
    if rts.is_empty() {
        return Ok(Default::default());
    }
    use sea_orm::QuerySelect;
    let ids: Vec<i32> = spci_quarantine::Entity::find()
        .select_only()
        .column(spci_quarantine::Column::RegressionTestId)
        .filter(spci_quarantine::Column::RegressionTestId.is_in(rts))
        .filter(in_force_at(now))
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().collect())
}

/// The time a quarantine starts or is lifted: the next whole second. Stored times have whole
/// seconds, as a run's completion time has, so rounding down could put a run that completed
/// (and was judged) a moment before the change on the other side of it.
pub fn boundary(now: NaiveDateTime) -> NaiveDateTime {
    let whole = now.with_nanosecond(0).unwrap_or(now);
    if whole == now {
        now
    } else {
        whole + chrono::Duration::seconds(1)
    }
}
