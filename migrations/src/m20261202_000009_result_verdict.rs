//! `spci_result_verdict`: the status of each result of a completed run, so a sample's history
//! filtered by status is an index range on (regression_test_id, status, test_id) instead of
//! judging the sample's whole history on every request. Rows exist only for runs whose last
//! progress row is `completed` (their results are final); the results of any other run are
//! judged when read. Written with the run's verdict, in the same transaction.
//!
//! Existing completed verdicts have no result rows yet: their `last_progress_id` is set to -1,
//! which no progress row has, so the next start judges those runs once and fills the table.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub const TABLE: &str = "spci_result_verdict";
pub const INDEX: &str = "ix_spci_result_verdict_status";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        if m.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
            // Millions of narrow rows: stored in the primary key's own b-tree, not beside it.
            table.extra("WITHOUT ROWID");
        }
        m.create_table(
            table
                .table(Alias::new(TABLE))
                .if_not_exists()
                .col(ColumnDef::new(Alias::new("test_id")).integer().not_null())
                .col(
                    ColumnDef::new(Alias::new("regression_test_id"))
                        .integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Alias::new("status"))
                        .string_len(16)
                        .not_null(),
                )
                .primary_key(
                    Index::create()
                        .col(Alias::new("test_id"))
                        .col(Alias::new("regression_test_id")),
                )
                .to_owned(),
        )
        .await?;
        crate::ensure_index(
            m,
            INDEX,
            TABLE,
            &["regression_test_id", "status", "test_id"],
        )
        .await?;
        let verdict = Alias::new("spci_run_verdict");
        m.exec_stmt(
            Query::update()
                .table(verdict)
                .value(Alias::new("last_progress_id"), -1)
                .and_where(Expr::col(Alias::new("status")).is_in(["pass", "fail", "error"]))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new(TABLE)).to_owned())
            .await
    }
}
