//! Upstream's `ftpd`: the FTP logins pure-ftpd-mysql reads (the password is plaintext by that
//! daemon's design).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ftpd")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i32,
    pub user_name: String,
    pub status: String,
    pub password: String,
    pub dir: String,
    pub ip_access: String,
    pub quota_files: i32,
    pub uid: i32,
    pub gid: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
