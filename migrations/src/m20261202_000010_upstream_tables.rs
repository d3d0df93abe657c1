//! The four upstream tables migration 1 did not create (`ftpd`, `upload_log`, `sample_issue`,
//! `pending_deletion`), as upstream's code creates them, so a database spci creates is
//! upstream's schema table for table. Created only if missing; never dropped.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn id() -> ColumnDef {
    ColumnDef::new(Alias::new("id"))
        .integer()
        .not_null()
        .primary_key()
        .auto_increment()
        .to_owned()
}

fn col(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
}

fn fk(
    table: &str,
    column: &str,
    to: &str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(Alias::new(table), Alias::new(column))
        .to(Alias::new(to), Alias::new("id"))
        .on_update(ForeignKeyAction::Cascade)
        .on_delete(on_delete)
        .to_owned()
}

pub fn tables() -> Vec<TableCreateStatement> {
    vec![
        Table::create()
            .table(Alias::new("ftpd"))
            .if_not_exists()
            .col(col("user_id").integer().not_null().primary_key())
            .col(col("user_name").string_len(32).not_null())
            .col(col("status").string_len(50).not_null())
            .col(col("password").string_len(64).not_null())
            .col(col("dir").string_len(128).not_null())
            .col(col("ip_access").string_len(16).not_null())
            .col(col("quota_files").integer().not_null())
            .col(col("uid").integer().not_null())
            .col(col("gid").integer().not_null())
            .foreign_key(&mut fk(
                "ftpd",
                "user_id",
                "user",
                ForeignKeyAction::Restrict,
            ))
            .to_owned(),
        Table::create()
            .table(Alias::new("upload_log"))
            .if_not_exists()
            .col(id())
            .col(col("message").text().not_null())
            .col(col("user_id").integer().null())
            .foreign_key(&mut fk(
                "upload_log",
                "user_id",
                "user",
                ForeignKeyAction::Restrict,
            ))
            .to_owned(),
        Table::create()
            .table(Alias::new("sample_issue"))
            .if_not_exists()
            .col(id())
            .col(col("sample_id").integer().null())
            .col(col("issue_id").integer().not_null())
            .col(col("title").text().not_null())
            .col(col("user").text().not_null())
            .col(col("created_at").date_time().not_null())
            .col(col("status").text().not_null())
            .foreign_key(&mut fk(
                "sample_issue",
                "sample_id",
                "sample",
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
        Table::create()
            .table(Alias::new("pending_deletion"))
            .if_not_exists()
            .col(col("vm_name").string_len(64).not_null().primary_key())
            .col(col("operation_name").string_len(128).not_null())
            .col(col("created_at").date_time().not_null())
            .col(col("retry_count").integer().not_null())
            .to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in tables() {
            m.create_table(t).await?;
        }
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        // Never drop an upstream platform's tables.
        Ok(())
    }
}
