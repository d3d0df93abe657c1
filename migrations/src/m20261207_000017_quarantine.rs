//! Quarantine: `spci_quarantine` holds each period in which a regression test's failures do not
//! fail a run (from `created_at` until it expires or is lifted, whichever comes first), and
//! `spci_run_verdict.effective_status` holds each run's status with the failures of tests
//! quarantined when it completed forgiven, so `GET /runs?effective_status=` is an index range
//! like `?status=`. Both are spci's own; `status` and upstream's tables are untouched.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub const TABLE: &str = "spci_quarantine";
const VERDICTS: &str = "spci_run_verdict";
pub const EFFECTIVE_INDEX: &str = "ix_spci_run_verdict_effective_test";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let col = |n: &str| ColumnDef::new(Alias::new(n));
        m.create_table(
            Table::create()
                .table(Alias::new(TABLE))
                .if_not_exists()
                .col(
                    col("id")
                        .integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(col("regression_test_id").integer().not_null())
                .col(col("reason").string_len(500).not_null())
                .col(col("created_by").integer().not_null())
                .col(col("created_at").date_time().not_null())
                .col(col("expires_at").date_time().null())
                .col(col("lifted_at").date_time().null())
                .col(col("lifted_by").integer().null())
                .to_owned(),
        )
        .await?;
        crate::ensure_index(
            m,
            "ix_spci_quarantine_test",
            TABLE,
            &["regression_test_id", "id"],
        )
        .await?;
        if !m.has_column(VERDICTS, "effective_status").await? {
            m.alter_table(
                Table::alter()
                    .table(Alias::new(VERDICTS))
                    .add_column(
                        col("effective_status")
                            .string_len(16)
                            .not_null()
                            .default("queued"),
                    )
                    .to_owned(),
            )
            .await?;
            // No test was quarantined before this migration: every effective status is the status.
            m.get_connection()
                .execute_unprepared("UPDATE spci_run_verdict SET effective_status = status")
                .await?;
        }
        crate::ensure_index(
            m,
            EFFECTIVE_INDEX,
            VERDICTS,
            &["effective_status", "test_id"],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name(EFFECTIVE_INDEX)
                .table(Alias::new(VERDICTS))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new(VERDICTS))
                .drop_column(Alias::new("effective_status"))
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(Alias::new(TABLE)).to_owned())
            .await
    }
}
