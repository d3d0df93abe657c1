//! Table `gcp_instance` (upstream schema, reference §1.2).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "gcp_instance")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    pub test_id: Option<i32>,
    pub timestamp: DateTime,
    pub timestamp_prep_finished: Option<DateTime>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::test::Entity",
        from = "Column::TestId",
        to = "super::test::Column::Id"
    )]
    Test,
}

impl Related<super::test::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Test.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
