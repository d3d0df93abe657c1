//! Regression tests as the wire shows them.
use crate::api::{InputType, OutputType, RegressionTest};
use crate::data::catalog::Catalog;

/// The summary of test `id`, from a catalog that loaded it.
pub fn regression_test(cat: &Catalog, id: i32) -> Option<RegressionTest> {
    let t = cat.tests.get(&id)?;
    Some(RegressionTest {
        regression_test_id: t.id,
        sample_id: t.sample_id,
        sample_name: cat.sample_of(id).map(|s| s.original_name.clone()),
        command: t.command.clone(),
        input_type: t
            .input_type
            .as_deref()
            .and_then(InputType::parse)
            .unwrap_or(InputType::File),
        output_type: t
            .output_type
            .as_deref()
            .and_then(OutputType::parse)
            .unwrap_or(OutputType::File),
        expected_rc: t.expected_rc,
        active: t.active == Some(true),
        categories: cat.categories_of(id),
        description: t.description.clone(),
    })
}
