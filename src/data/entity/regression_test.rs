//! Table `regression_test` (upstream schema, reference §1.2).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "regression_test")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub sample_id: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub command: String,
    pub input_type: Option<String>,
    pub output_type: Option<String>,
    pub expected_rc: Option<i32>,
    pub active: Option<bool>,
    pub last_passed_on_windows: Option<i32>,
    pub last_passed_on_linux: Option<i32>,
    pub description: Option<String>,
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
        belongs_to = "super::test::Entity",
        from = "Column::LastPassedOnWindows",
        to = "super::test::Column::Id"
    )]
    LastPassedOnWindows,
    #[sea_orm(
        belongs_to = "super::test::Entity",
        from = "Column::LastPassedOnLinux",
        to = "super::test::Column::Id"
    )]
    LastPassedOnLinux,
    #[sea_orm(has_many = "super::regression_test_category::Entity")]
    RegressionTestCategory,
    #[sea_orm(has_many = "super::regression_test_output::Entity")]
    RegressionTestOutput,
    #[sea_orm(has_many = "super::test_result::Entity")]
    TestResult,
    #[sea_orm(has_many = "super::test_result_file::Entity")]
    TestResultFile,
    #[sea_orm(has_many = "super::customized_test::Entity")]
    CustomizedTest,
}

impl Related<super::sample::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Sample.def()
    }
}

impl Related<super::regression_test_category::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RegressionTestCategory.def()
    }
}

impl Related<super::regression_test_output::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RegressionTestOutput.def()
    }
}

impl Related<super::test_result::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TestResult.def()
    }
}

impl Related<super::test_result_file::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TestResultFile.def()
    }
}

impl Related<super::customized_test::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CustomizedTest.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
