//! Table `test_progress` (upstream schema, reference §1.2).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "test_progress")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub test_id: Option<i32>,
    pub status: String,
    pub timestamp: DateTime,
    #[sea_orm(column_type = "Text")]
    pub message: String,
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
