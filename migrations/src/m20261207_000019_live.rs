//! The event log behind server-sent events and the webhook outbox.
//!
//! `spci_event`: what happened to runs, in the order spci recorded it; the ids are the SSE
//! `id:`s, so a client resumes on any replica. (run_id, kind, subject) is unique: recording the
//! same progress row or result twice (a rescan, two replicas) adds nothing.
//! `spci_event_cursor`: how far the recorder has read each source (progress rows, approvals).
//! `spci_webhook` / `spci_webhook_delivery`: registered endpoints and their outbox, written in
//! the transaction that records the event, so nothing is lost between commit and send.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub const EVENT: &str = "spci_event";
pub const CURSOR: &str = "spci_event_cursor";
pub const WEBHOOK: &str = "spci_webhook";
pub const DELIVERY: &str = "spci_webhook_delivery";

fn col(n: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(n))
}

fn unique(m: &SchemaManager<'_>, name: &str, table: &str, cols: &[&str]) -> IndexCreateStatement {
    let _ = m;
    let mut i = Index::create();
    i.if_not_exists()
        .unique()
        .name(name)
        .table(Alias::new(table));
    for c in cols {
        i.col(Alias::new(*c));
    }
    i.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new(EVENT))
                .if_not_exists()
                .col(
                    col("id")
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(col("run_id").integer().not_null())
                .col(col("kind").string_len(32).not_null())
                // The progress row, regression test or approval the event is about.
                .col(col("subject").big_integer().not_null())
                .col(col("data").text().not_null())
                .col(col("created_at").date_time().not_null())
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            m,
            "ux_spci_event_subject",
            EVENT,
            &["run_id", "kind", "subject"],
        ))
        .await?;
        crate::ensure_index(m, "ix_spci_event_run", EVENT, &["run_id", "id"]).await?;
        m.create_table(
            Table::create()
                .table(Alias::new(CURSOR))
                .if_not_exists()
                .col(col("name").string_len(32).not_null().primary_key())
                .col(col("position").big_integer().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new(WEBHOOK))
                .if_not_exists()
                .col(
                    col("id")
                        .integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(col("url").string_len(2000).not_null())
                .col(col("secret").string_len(64).not_null())
                // Comma-separated event names.
                .col(col("events").string_len(200).not_null())
                .col(col("description").string_len(500).not_null())
                .col(col("created_by").integer().not_null())
                .col(col("created_at").date_time().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new(DELIVERY))
                .if_not_exists()
                .col(
                    col("id")
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(col("delivery_id").string_len(36).not_null())
                .col(col("webhook_id").integer().not_null())
                .col(col("event").string_len(32).not_null())
                .col(col("payload").text().not_null())
                .col(col("state").string_len(16).not_null())
                .col(col("attempts").integer().not_null())
                .col(col("last_status_code").integer().null())
                .col(col("last_error").string_len(500).null())
                .col(col("created_at").date_time().not_null())
                .col(col("next_attempt_at").date_time().null())
                .col(col("delivered_at").date_time().null())
                // Set by the replica sending it; another replica leaves it alone until then.
                .col(col("locked_until").date_time().null())
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            m,
            "ux_spci_webhook_delivery_id",
            DELIVERY,
            &["delivery_id"],
        ))
        .await?;
        crate::ensure_index(
            m,
            "ix_spci_webhook_delivery_due",
            DELIVERY,
            &["state", "next_attempt_at"],
        )
        .await?;
        crate::ensure_index(
            m,
            "ix_spci_webhook_delivery_hook",
            DELIVERY,
            &["webhook_id", "id"],
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [DELIVERY, WEBHOOK, CURSOR, EVENT] {
            m.drop_table(Table::drop().table(Alias::new(t)).to_owned())
                .await?;
        }
        Ok(())
    }
}
