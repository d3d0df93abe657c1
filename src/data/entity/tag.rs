//! Table `tag` (upstream schema, reference §1.2).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tag")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub name: String,
    pub description: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::sample_tag_association::Entity")]
    SampleTagAssociation,
}

impl Related<super::sample_tag_association::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SampleTagAssociation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
