//! Table `user` (upstream schema, reference §1.2).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub name: Option<String>,
    #[sea_orm(unique)]
    pub email: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub github_token: Option<String>,
    pub github_login: Option<String>,
    pub password: String,
    pub role: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::upload::Entity")]
    Upload,
    #[sea_orm(has_many = "super::upload_queue::Entity")]
    UploadQueue,
    #[sea_orm(has_many = "super::test_fork::Entity")]
    TestFork,
    #[sea_orm(has_many = "super::api_token::Entity")]
    ApiToken,
}

impl Related<super::upload::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Upload.def()
    }
}

impl Related<super::upload_queue::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::UploadQueue.def()
    }
}

impl Related<super::test_fork::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TestFork.def()
    }
}

impl Related<super::api_token::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApiToken.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
