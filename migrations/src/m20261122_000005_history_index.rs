//! Sample history pages read each regression test's results newest run first; with an index on
//! (regression_test_id, test_id) that is a backward range scan per test instead of sorting every
//! result of the sample. It supersedes migration 3's single-column index on the same table.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NEW: &str = "ix_spci_test_result_rt_test";
const OLD: &str = "ix_spci_test_result_rt";
/// The produced files of those results, read by the same key.
const FILES: &str = "ix_spci_trf_rt_test";

pub const INDEXES: &[(&str, &str, &[&str])] = &[
    (NEW, "test_result", &["regression_test_id", "test_id"]),
    (
        FILES,
        "test_result_file",
        &["regression_test_id", "test_id"],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, cols) in INDEXES {
            crate::ensure_index(m, name, table, cols).await?;
        }
        // The old index goes only once the new one is there (on InnoDB an existing index may
        // cover the new one, and then the old one may be what covers it).
        if m.has_index("test_result", NEW).await? && m.has_index("test_result", OLD).await? {
            m.drop_index(
                Index::drop()
                    .name(OLD)
                    .table(Alias::new("test_result"))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.has_index("test_result_file", FILES).await? {
            m.drop_index(
                Index::drop()
                    .name(FILES)
                    .table(Alias::new("test_result_file"))
                    .to_owned(),
            )
            .await?;
        }
        crate::ensure_index(m, OLD, "test_result", &["regression_test_id"]).await?;
        if m.has_index("test_result", NEW).await? {
            m.drop_index(
                Index::drop()
                    .name(NEW)
                    .table(Alias::new("test_result"))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
