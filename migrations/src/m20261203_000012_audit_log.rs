//! `spci_audit_log`: every administrative change (role, deactivation, block, maintenance,
//! forbidden extension, admin reset link, token revoked by an admin) with who made it, when,
//! what it touched and the value it replaced. Upstream keeps no such record; spci writes the
//! row in the same transaction as the change, so a change without its row cannot exist.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub const TABLE: &str = "spci_audit_log";

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
                .col(col("at").date_time().not_null())
                .col(col("actor_id").integer().not_null())
                .col(col("action").string_len(48).not_null())
                .col(col("target").string_len(255).not_null())
                .col(col("previous").text().null())
                .col(col("value").text().null())
                .to_owned(),
        )
        .await?;
        crate::ensure_index(m, "ix_spci_audit_log_actor", TABLE, &["actor_id", "id"]).await?;
        crate::ensure_index(m, "ix_spci_audit_log_action", TABLE, &["action", "id"]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new(TABLE)).to_owned())
            .await
    }
}
