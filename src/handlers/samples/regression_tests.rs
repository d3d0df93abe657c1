//! What the regression test writes share: category names resolved to ids (all or a 400 that
//! lists the unknown ones), the links replaced, and the answer read back.
use crate::api::RegressionTest;
use crate::data::catalog::Catalog;
use crate::data::entity::{category, regression_test_category};
use crate::data::filters::same_text;
use crate::domain::DomainError;
use crate::views::regression_tests::regression_test;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use std::collections::BTreeSet;

/// The ids of the categories `names` name (case-insensitively, as the unique index compares
/// them), each once.
pub async fn category_ids(
    db: &impl ConnectionTrait,
    names: &[String],
) -> Result<BTreeSet<i32>, DomainError> {
    let mut any = Condition::any();
    for n in names {
        any = any.add(same_text(
            Expr::col((category::Entity, category::Column::Name)),
            n,
        ));
    }
    let found = category::Entity::find().filter(any).all(db).await?;
    let unknown: Vec<&String> = names
        .iter()
        .filter(|n| {
            !found.iter().any(|c| {
                c.name
                    .as_deref()
                    .is_some_and(|f| f.to_lowercase() == n.to_lowercase())
            })
        })
        .collect();
    if !unknown.is_empty() {
        return Err(DomainError::invalid("Unknown categories.").detail(
            "unknown",
            unknown.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        ));
    }
    Ok(found.into_iter().map(|c| c.id).collect())
}

/// Test `rt` belongs to exactly `ids` afterwards (upstream's link table has no key, so the old
/// rows go and the new ones are inserted once each).
pub async fn set_categories(
    tx: &impl ConnectionTrait,
    rt: i32,
    ids: &BTreeSet<i32>,
) -> Result<(), DbErr> {
    regression_test_category::Entity::delete_many()
        .filter(regression_test_category::Column::RegressionId.eq(rt))
        .exec(tx)
        .await?;
    if ids.is_empty() {
        return Ok(());
    }
    regression_test_category::Entity::insert_many(ids.iter().map(|&c| {
        regression_test_category::ActiveModel {
            regression_id: sea_orm::Set(rt),
            category_id: sea_orm::Set(c),
        }
    }))
    .exec_without_returning(tx)
    .await?;
    Ok(())
}

/// Test `id` as the wire shows it, read after the write committed.
pub async fn read_back(db: &impl ConnectionTrait, id: i32) -> Result<RegressionTest, DomainError> {
    let cat = Catalog::load(db, &BTreeSet::from([id])).await?;
    regression_test(&cat, id).ok_or_else(|| DomainError::not_found("Regression test"))
}
