//! Which run a rerun repeats (migration 16; written by `POST /runs/{run_id}/rerun`).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "spci_rerun")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub run_id: i32,
    pub rerun_of: i32,
    pub attempt: i32,
    pub scope: String,
    pub requested_by: i32,
    pub created_at: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
