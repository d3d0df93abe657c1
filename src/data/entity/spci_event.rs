//! spci's event log (migration 19; see `data::events`).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "spci_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub run_id: i32,
    pub kind: String,
    pub subject: i64,
    #[sea_orm(column_type = "Text")]
    pub data: String,
    pub created_at: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
