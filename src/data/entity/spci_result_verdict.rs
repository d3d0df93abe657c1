//! spci's status of each result of a completed run (migration 9; see `verdict_cache`).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "spci_result_verdict")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub test_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub regression_test_id: i32,
    pub status: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::test::Entity",
        from = "Column::TestId",
        to = "super::test::Column::Id"
    )]
    Test,
}

impl ActiveModelBehavior for ActiveModel {}
