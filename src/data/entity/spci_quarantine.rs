//! A regression test's quarantine periods (migration 17; see `domain::quarantine`).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "spci_quarantine")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub regression_test_id: i32,
    pub reason: String,
    pub created_by: i32,
    pub created_at: DateTime,
    pub expires_at: Option<DateTime>,
    pub lifted_at: Option<DateTime>,
    pub lifted_by: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
