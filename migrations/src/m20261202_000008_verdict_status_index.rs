//! Every status filter reads `spci_run_verdict` by (status, test_id): the count is an index
//! range and a page comes out of the index in run order, whatever the number of runs. It
//! supersedes migration 4's single-column index on the same table (spci's own table).
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "spci_run_verdict";
pub const NEW: &str = "ix_spci_run_verdict_status_test";
const OLD: &str = "ix_spci_run_verdict_status";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        crate::ensure_index(m, NEW, TABLE, &["status", "test_id"]).await?;
        // On InnoDB the old (status) index is (status, test_id) already and the new one is not
        // added: the old one stays. It goes only once the new one is there.
        if m.has_index(TABLE, NEW).await? && m.has_index(TABLE, OLD).await? {
            m.drop_index(Index::drop().name(OLD).table(Alias::new(TABLE)).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        crate::ensure_index(m, OLD, TABLE, &["status"]).await?;
        m.drop_index(Index::drop().name(NEW).table(Alias::new(TABLE)).to_owned())
            .await
    }
}
