//! `spci_mail_outbox`: every message spci sends, written in the request's transaction before
//! anything is sent, then delivered (and retried) by a background task. A mail server that is
//! down delays a message; it never fails the request or leaves half a change. In development
//! without SMTP the rows stay here (and in the log) for a developer to click the link.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub const TABLE: &str = "spci_mail_outbox";

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
                .col(col("created_at").date_time().not_null())
                .col(col("recipient").string_len(255).not_null())
                .col(col("subject").string_len(255).not_null())
                .col(col("body").text().not_null())
                .col(col("attempts").integer().not_null().default(0))
                .col(col("next_attempt_at").date_time().not_null())
                .col(col("sent_at").date_time().null())
                .col(col("last_error").text().null())
                .to_owned(),
        )
        .await?;
        // The sender's scan: unsent rows due now.
        crate::ensure_index(
            m,
            "ix_spci_mail_outbox_due",
            TABLE,
            &["sent_at", "next_attempt_at"],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new(TABLE)).to_owned())
            .await
    }
}
