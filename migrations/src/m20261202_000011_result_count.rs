//! `spci_result_count`: how many stored result verdicts each regression test has, per status.
//! A sample's history has one entry per result, and its exact total would otherwise count the
//! sample's whole history (200,000 index entries for 10,000 runs of 20 tests) on every page.
//! With these rows the completed runs' share of the total is a sum over the sample's tests;
//! only the results of unfinished runs are counted when read. Kept in the transaction that
//! writes or deletes the result verdicts, so it always equals a `GROUP BY` over them.
//!
//! Existing result verdicts of runs that no longer exist are deleted first (they had no
//! verdict to be found through), then the counts are filled from what is left.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub const TABLE: &str = "spci_result_count";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new(TABLE))
                .if_not_exists()
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
                .col(
                    ColumnDef::new(Alias::new("results"))
                        .big_integer()
                        .not_null(),
                )
                .primary_key(
                    Index::create()
                        .col(Alias::new("regression_test_id"))
                        .col(Alias::new("status")),
                )
                .to_owned(),
        )
        .await?;
        let (verdicts, runs) = (Alias::new("spci_result_verdict"), Alias::new("test"));
        let run_exists = Query::select()
            .expr(Expr::val(1))
            .from(runs.clone())
            .and_where(
                Expr::col((runs, Alias::new("id")))
                    .equals((verdicts.clone(), Alias::new("test_id"))),
            )
            .to_owned();
        m.exec_stmt(
            Query::delete()
                .from_table(verdicts.clone())
                .and_where(Expr::exists(run_exists).not())
                .to_owned(),
        )
        .await?;
        let counted = Query::select()
            .column(Alias::new("regression_test_id"))
            .column(Alias::new("status"))
            .expr(Expr::col(Alias::new("test_id")).count())
            .from(verdicts)
            .group_by_col(Alias::new("regression_test_id"))
            .group_by_col(Alias::new("status"))
            .to_owned();
        m.exec_stmt(
            Query::insert()
                .into_table(Alias::new(TABLE))
                .columns([
                    Alias::new("regression_test_id"),
                    Alias::new("status"),
                    Alias::new("results"),
                ])
                .select_from(counted)
                .map_err(|e| DbErr::Custom(e.to_string()))?
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new(TABLE)).to_owned())
            .await
    }
}
