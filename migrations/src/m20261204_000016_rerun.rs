//! `spci_rerun`: which run a rerun repeats. A rerun is an ordinary upstream run (a `test` row
//! with `customized_test` rows for its scope), so upstream's workers run it as any other; the
//! link back to the run it repeats and its attempt number are spci's own.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub const TABLE: &str = "spci_rerun";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let col = |n: &str| ColumnDef::new(Alias::new(n));
        m.create_table(
            Table::create()
                .table(Alias::new(TABLE))
                .if_not_exists()
                .col(col("run_id").integer().not_null().primary_key())
                .col(col("rerun_of").integer().not_null())
                // 2 for the first rerun of a run, 3 for a rerun of that rerun, ...
                .col(col("attempt").integer().not_null())
                .col(col("scope").string_len(16).not_null())
                .col(col("requested_by").integer().not_null())
                .col(col("created_at").date_time().not_null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("spci_rerun_of")
                .table(Alias::new(TABLE))
                .col(Alias::new("rerun_of"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new(TABLE)).to_owned())
            .await
    }
}
