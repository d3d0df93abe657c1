//! `spci_run_verdict`: spci's own cache of each run's derived status, so `GET /runs?status=`
//! filters and counts in SQL. A row is only trusted while its `last_progress_id` is the run's
//! current last progress row and its `rules` fingerprint matches the expectations (outputs,
//! variants, scope) it was computed from; see `src/verdict_cache.rs`.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub const TABLE: &str = "spci_run_verdict";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new(TABLE))
                .if_not_exists()
                .col(
                    ColumnDef::new(Alias::new("test_id"))
                        .integer()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(Alias::new("last_progress_id"))
                        .integer()
                        .not_null(),
                )
                .col(ColumnDef::new(Alias::new("rules")).big_integer().not_null())
                .col(
                    ColumnDef::new(Alias::new("status"))
                        .string_len(16)
                        .not_null(),
                )
                .to_owned(),
        )
        .await?;
        crate::ensure_index(m, "ix_spci_run_verdict_status", TABLE, &["status"]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new(TABLE)).to_owned())
            .await
    }
}
