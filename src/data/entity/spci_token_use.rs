//! When each token was last used (migration 14; written by `data::token_use`).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "spci_token_use")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_id: i32,
    pub last_used_at: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
