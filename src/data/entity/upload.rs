//! Table `upload` (upstream schema, reference §1.2).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "upload")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: Option<i32>,
    pub sample_id: Option<i32>,
    pub version_id: Option<i32>,
    pub platform: String,
    #[sea_orm(column_type = "Text")]
    pub parameters: String,
    #[sea_orm(column_type = "Text")]
    pub notes: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id"
    )]
    User,
    #[sea_orm(
        belongs_to = "super::sample::Entity",
        from = "Column::SampleId",
        to = "super::sample::Column::Id"
    )]
    Sample,
    #[sea_orm(
        belongs_to = "super::ccextractor_version::Entity",
        from = "Column::VersionId",
        to = "super::ccextractor_version::Column::Id"
    )]
    CcextractorVersion,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl Related<super::sample::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Sample.def()
    }
}

impl Related<super::ccextractor_version::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CcextractorVersion.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
