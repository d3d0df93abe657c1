//! Table `regression_test_category` (upstream schema, reference §1.2).
//! Upstream declares no primary key here; sea-orm needs one, so the pair is the key
//! of the model only (the DDL in migrations/ has none). Upstream rows never hold NULLs.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "regression_test_category")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub regression_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub category_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::regression_test::Entity",
        from = "Column::RegressionId",
        to = "super::regression_test::Column::Id"
    )]
    RegressionTest,
    #[sea_orm(
        belongs_to = "super::category::Entity",
        from = "Column::CategoryId",
        to = "super::category::Column::Id"
    )]
    Category,
}

impl Related<super::regression_test::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RegressionTest.def()
    }
}

impl Related<super::category::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Category.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
