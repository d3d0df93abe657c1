//! Stored objects still to be removed (migration 15; written by `data::file_removal`).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "spci_file_removal")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub object_key: String,
    pub created_at: DateTime,
    pub attempts: i32,
    pub next_attempt_at: DateTime,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
