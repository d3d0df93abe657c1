//! Table `test_result_file` (upstream schema, reference §1.2).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "test_result_file")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub test_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub regression_test_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub regression_test_output_id: i32,
    #[sea_orm(column_type = "Text")]
    pub expected: String,
    #[sea_orm(column_type = "Text")]
    pub got: Option<String>,
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
    #[sea_orm(
        belongs_to = "super::regression_test_output::Entity",
        from = "Column::RegressionTestOutputId",
        to = "super::regression_test_output::Column::Id"
    )]
    RegressionTestOutput,
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

impl Related<super::regression_test_output::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RegressionTestOutput.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
