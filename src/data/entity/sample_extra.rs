//! Table `sample_extra` (upstream schema, reference §1.2).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sample_extra")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub sample_id: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub original_name: String,
    pub extension: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::sample::Entity",
        from = "Column::SampleId",
        to = "super::sample::Column::Id"
    )]
    Sample,
}

impl Related<super::sample::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Sample.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
