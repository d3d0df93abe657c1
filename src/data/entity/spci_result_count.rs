//! How many stored result verdicts each regression test has, per status (migration 11; kept by
//! `data::result_count`).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "spci_result_count")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub regression_test_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub status: String,
    pub results: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
