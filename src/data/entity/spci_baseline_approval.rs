//! spci's audit trail of baseline approvals (migration 6).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "spci_baseline_approval")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub run_id: i32,
    pub regression_id: i32,
    pub output_id: i32,
    #[sea_orm(column_type = "Text")]
    pub previous_hash: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub new_hash: String,
    pub removed_variants: i32,
    pub approved_by: i32,
    pub approved_at: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
