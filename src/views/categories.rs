//! Categories as the wire shows them.
use crate::api::Category;
use crate::data::entity::category;

/// A category with the number of regression tests it holds.
pub fn category(c: category::Model, test_count: i64) -> Category {
    Category {
        id: c.id,
        name: c.name.unwrap_or_default(),
        description: c.description,
        test_count,
    }
}
