//! Table `test_result` (upstream schema, reference §1.2).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "test_result")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub test_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub regression_test_id: i32,
    pub runtime: Option<i32>,
    pub exit_code: Option<i32>,
    pub expected_rc: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::test::Entity",
        from = "Column::TestId",
        to = "super::test::Column::Id"
    )]
    Test,
    #[sea_orm(
        belongs_to = "super::regression_test::Entity",
        from = "Column::RegressionTestId",
        to = "super::regression_test::Column::Id"
    )]
    RegressionTest,
}

impl Related<super::test::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Test.def()
    }
}

impl Related<super::regression_test::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RegressionTest.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
