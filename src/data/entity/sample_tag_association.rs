//! Table `sample_tag_association` (upstream schema, reference §1.2).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sample_tag_association")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub sample_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub tag_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::sample::Entity",
        from = "Column::SampleId",
        to = "super::sample::Column::Id"
    )]
    Sample,
    #[sea_orm(
        belongs_to = "super::tag::Entity",
        from = "Column::TagId",
        to = "super::tag::Column::Id"
    )]
    Tag,
}

impl Related<super::sample::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Sample.def()
    }
}

impl Related<super::tag::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tag.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
