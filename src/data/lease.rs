//! Named leases in the database: background work that must run once across replicas takes one
//! first. Taking is a conditional write (insert, or take over an expired lease, or renew one's
//! own), so exactly one replica holds a lease at a time on any backend.
use super::entity::spci_lease;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use std::time::Duration;

/// Who this process is, for the leases it holds.
pub fn holder_id() -> String {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| uuid::Uuid::new_v4().simple().to_string())
        .clone()
}

/// Takes (or renews) lease `name` for `ttl`; true when this process holds it now.
pub async fn take(db: &impl ConnectionTrait, name: &str, ttl: Duration) -> Result<bool, DbErr> {
    let me = holder_id();
    let now = super::db_now();
    let until = now + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::seconds(60));
    let taken = spci_lease::Entity::update_many()
        .col_expr(spci_lease::Column::Holder, Expr::value(&me))
        .col_expr(spci_lease::Column::ExpiresAt, Expr::value(until))
        .filter(spci_lease::Column::Name.eq(name))
        .filter(
            spci_lease::Column::Holder
                .eq(&me)
                .or(spci_lease::Column::ExpiresAt.lt(now)),
        )
        .exec(db)
        .await?
        .rows_affected;
    if taken == 1 {
        return Ok(true);
    }
    let row = spci_lease::ActiveModel {
        name: Set(name.to_string()),
        holder: Set(me),
        expires_at: Set(until),
    };
    // Another replica holds it (or inserted it first): the primary key refuses us.
    match spci_lease::Entity::insert(row)
        .exec_without_returning(db)
        .await
    {
        Ok(_) => Ok(true),
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// Gives lease `name` back, if this process holds it.
pub async fn release(db: &impl ConnectionTrait, name: &str) -> Result<(), DbErr> {
    spci_lease::Entity::delete_many()
        .filter(spci_lease::Column::Name.eq(name))
        .filter(spci_lease::Column::Holder.eq(holder_id()))
        .exec(db)
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::Database;

    #[tokio::test]
    async fn one_holder_at_a_time_until_it_expires() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        super::super::connect::migrate(&db).await.unwrap();
        let ttl = Duration::from_secs(60);
        assert!(take(&db, "job", ttl).await.unwrap());
        assert!(take(&db, "job", ttl).await.unwrap(), "the holder renews");
        // Another replica: the row belongs to a holder whose lease has not expired.
        spci_lease::Entity::update_many()
            .col_expr(spci_lease::Column::Holder, Expr::value("other"))
            .exec(&db)
            .await
            .unwrap();
        assert!(!take(&db, "job", ttl).await.unwrap());
        spci_lease::Entity::update_many()
            .col_expr(
                spci_lease::Column::ExpiresAt,
                Expr::value(super::super::db_now() - chrono::Duration::seconds(1)),
            )
            .exec(&db)
            .await
            .unwrap();
        assert!(
            take(&db, "job", ttl).await.unwrap(),
            "an expired lease is taken over"
        );
        release(&db, "job").await.unwrap();
        assert_eq!(spci_lease::Entity::find().all(&db).await.unwrap().len(), 0);
    }
}
