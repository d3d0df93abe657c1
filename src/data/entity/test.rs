//! Table `test` (upstream schema, reference §1.2).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "test")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub platform: String,
    pub test_type: String,
    #[sea_orm(unique)]
    pub token: Option<String>,
    pub fork_id: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub branch: String,
    pub commit: String,
    pub pr_nr: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::fork::Entity",
        from = "Column::ForkId",
        to = "super::fork::Column::Id"
    )]
    Fork,
    #[sea_orm(has_many = "super::test_progress::Entity")]
    TestProgress,
    #[sea_orm(has_many = "super::test_result::Entity")]
    TestResult,
    #[sea_orm(has_many = "super::test_result_file::Entity")]
    TestResultFile,
    #[sea_orm(has_many = "super::test_fork::Entity")]
    TestFork,
    #[sea_orm(has_many = "super::customized_test::Entity")]
    CustomizedTest,
    #[sea_orm(has_many = "super::gcp_instance::Entity")]
    GcpInstance,
}

impl Related<super::fork::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Fork.def()
    }
}

impl Related<super::test_progress::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TestProgress.def()
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

impl Related<super::test_fork::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TestFork.def()
    }
}

impl Related<super::customized_test::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CustomizedTest.def()
    }
}

impl Related<super::gcp_instance::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::GcpInstance.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
