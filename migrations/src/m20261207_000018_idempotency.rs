//! `spci_idempotency`: one row per (account, Idempotency-Key) of a write that may be retried:
//! a fingerprint of the request, whether it is still running, and once it ended the status and
//! body a retry gets again. In the database, not in memory, so a retry that reaches another
//! replica, or this one after a restart, is answered the same.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub const TABLE: &str = "spci_idempotency";

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
                .col(col("user_id").integer().not_null())
                .col(col("idempotency_key").string_len(255).not_null())
                .col(col("fingerprint").string_len(64).not_null())
                .col(col("operation").string_len(64).not_null())
                // Set while the first request runs; cleared when it ended.
                .col(col("started_at").date_time().null())
                .col(col("status").integer().null())
                .col(col("content_type").string_len(100).null())
                .col(col("body").text().null())
                .col(col("created_at").date_time().not_null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .unique()
                .name("ux_spci_idempotency_key")
                .table(Alias::new(TABLE))
                .col(Alias::new("user_id"))
                .col(Alias::new("idempotency_key"))
                .to_owned(),
        )
        .await?;
        crate::ensure_index(m, "ix_spci_idempotency_created", TABLE, &["created_at"]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new(TABLE)).to_owned())
            .await
    }
}
