//! Table `category` (upstream schema, reference §1.2).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "category")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub name: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub description: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::regression_test_category::Entity")]
    RegressionTestCategory,
}

impl Related<super::regression_test_category::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RegressionTestCategory.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
