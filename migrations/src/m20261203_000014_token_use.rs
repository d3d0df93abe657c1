//! `spci_token_use`: when each API token was last used. Upstream's `api_token` has no such
//! column and spci adds none to upstream's tables, so it lives beside them, one row per token,
//! written at most once a minute per token by a background flush.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub const TABLE: &str = "spci_token_use";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let col = |n: &str| ColumnDef::new(Alias::new(n));
        m.create_table(
            Table::create()
                .table(Alias::new(TABLE))
                .if_not_exists()
                .col(col("token_id").integer().not_null().primary_key())
                .col(col("last_used_at").date_time().not_null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new(TABLE)).to_owned())
            .await
    }
}
