//! Table `regression_test_output` (upstream schema, reference §1.2).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "regression_test_output")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub regression_id: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub correct: Option<String>,
    pub correct_extension: String,
    #[sea_orm(column_type = "Text")]
    pub expected_filename: Option<String>,
    pub ignore: Option<bool>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::regression_test::Entity",
        from = "Column::RegressionId",
        to = "super::regression_test::Column::Id"
    )]
    RegressionTest,
    #[sea_orm(has_many = "super::regression_test_output_files::Entity")]
    RegressionTestOutputFiles,
    #[sea_orm(has_many = "super::test_result_file::Entity")]
    TestResultFile,
}

impl Related<super::regression_test::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RegressionTest.def()
    }
}

impl Related<super::regression_test_output_files::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RegressionTestOutputFiles.def()
    }
}

impl Related<super::test_result_file::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TestResultFile.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
