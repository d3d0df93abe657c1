//! `spci_baseline_approval`: the audit trail of baseline approvals (who, when, which output, the
//! hash it replaced and the one it set). Upstream keeps no record; spci never overwrites a
//! baseline without one, in the same transaction.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub const TABLE: &str = "spci_baseline_approval";

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
                .col(col("run_id").integer().not_null())
                .col(col("regression_id").integer().not_null())
                .col(col("output_id").integer().not_null())
                .col(col("previous_hash").text().null())
                .col(col("new_hash").text().not_null())
                .col(col("removed_variants").integer().not_null())
                .col(col("approved_by").integer().not_null())
                .col(col("approved_at").date_time().not_null())
                .to_owned(),
        )
        .await?;
        crate::ensure_index(m, "ix_spci_baseline_approval_output", TABLE, &["output_id"]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new(TABLE)).to_owned())
            .await
    }
}
