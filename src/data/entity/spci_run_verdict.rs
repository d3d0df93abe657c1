//! spci's cache of derived run statuses (migration 4; see `verdict_cache`).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "spci_run_verdict")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub test_id: i32,
    pub last_progress_id: i32,
    pub rules: i64,
    pub status: String,
    /// The status with the failures of tests quarantined when the run completed forgiven.
    pub effective_status: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
