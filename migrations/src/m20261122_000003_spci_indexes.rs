//! Indexes spci's queries need (list pages, summaries and history read by run and by
//! regression test). Added only if missing; upstream's own indexes are untouched.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub const INDEXES: &[(&str, &str, &[&str])] = &[
    (
        "ix_spci_test_progress_test",
        "test_progress",
        &["test_id", "id"],
    ),
    ("ix_spci_test_result_test", "test_result", &["test_id"]),
    (
        "ix_spci_trf_test_rt",
        "test_result_file",
        &["test_id", "regression_test_id"],
    ),
    (
        "ix_spci_customized_test_test",
        "customized_test",
        &["test_id"],
    ),
    (
        "ix_spci_rtc_regression",
        "regression_test_category",
        &["regression_id"],
    ),
    (
        "ix_spci_rtc_category",
        "regression_test_category",
        &["category_id"],
    ),
    ("ix_spci_rt_sample", "regression_test", &["sample_id"]),
    (
        "ix_spci_rto_regression",
        "regression_test_output",
        &["regression_id"],
    ),
    (
        "ix_spci_test_result_rt",
        "test_result",
        &["regression_test_id"],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, cols) in INDEXES {
            crate::ensure_index(m, name, table, cols).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Only what this migration created: a covered index was never added.
        for (name, table, _) in INDEXES {
            if !m.has_index(*table, *name).await? {
                continue;
            }
            m.drop_index(
                Index::drop()
                    .name(*name)
                    .table(Alias::new(*table))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
