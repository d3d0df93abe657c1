//! Table `sample` (upstream schema, reference §1.2).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sample")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub sha: Option<String>,
    pub extension: String,
    #[sea_orm(column_type = "Text")]
    pub original_name: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::regression_test::Entity")]
    RegressionTest,
    #[sea_orm(has_many = "super::sample_extra::Entity")]
    SampleExtra,
    #[sea_orm(has_many = "super::sample_tag_association::Entity")]
    SampleTagAssociation,
    #[sea_orm(has_many = "super::upload::Entity")]
    Upload,
}

impl Related<super::regression_test::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RegressionTest.def()
    }
}

impl Related<super::sample_extra::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SampleExtra.def()
    }
}

impl Related<super::sample_tag_association::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SampleTagAssociation.def()
    }
}

impl Related<super::upload::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Upload.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
