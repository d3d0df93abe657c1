//! Table `regression_test_output_files` (upstream schema, reference §1.2).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "regression_test_output_files")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(column_type = "Text")]
    pub file_hashes: Option<String>,
    pub regression_test_output_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::regression_test_output::Entity",
        from = "Column::RegressionTestOutputId",
        to = "super::regression_test_output::Column::Id"
    )]
    RegressionTestOutput,
}

impl Related<super::regression_test_output::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RegressionTestOutput.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
