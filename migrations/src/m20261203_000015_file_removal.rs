//! `spci_file_removal`: stored objects whose rows are gone but whose removal from storage
//! failed. Rows are deleted first (in their transaction), files after the commit, so no row
//! ever points at nothing; a file that could not be removed then is recorded here and retried
//! by a background task until it goes.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub const TABLE: &str = "spci_file_removal";

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
                // An object key (`TestFiles/<sha>.ts`), at most 512 bytes so MariaDB can index it.
                .col(col("object_key").string_len(512).not_null())
                .col(col("created_at").date_time().not_null())
                .col(col("attempts").integer().not_null())
                .col(col("next_attempt_at").date_time().not_null())
                .col(col("last_error").text().null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("spci_file_removal_due")
                .table(Alias::new(TABLE))
                .col(Alias::new("next_attempt_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new(TABLE)).to_owned())
            .await
    }
}
