//! What upstream's migration d4f8e2a1b3c7 adds: `api_token` and `user.github_login`, each only
//! if missing.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if !m.has_column("user", "github_login").await? {
            m.alter_table(
                Table::alter()
                    .table(Alias::new("user"))
                    .add_column(
                        ColumnDef::new(Alias::new("github_login"))
                            .string_len(255)
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(Alias::new("api_token"))
                .if_not_exists()
                .col(
                    ColumnDef::new(Alias::new("id"))
                        .integer()
                        .not_null()
                        .primary_key()
                        .auto_increment(),
                )
                .col(ColumnDef::new(Alias::new("user_id")).integer().not_null())
                .col(
                    ColumnDef::new(Alias::new("token_name"))
                        .string_len(50)
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Alias::new("token_hash"))
                        .string_len(255)
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Alias::new("token_prefix"))
                        .string_len(16)
                        .not_null(),
                )
                .col(ColumnDef::new(Alias::new("scopes_json")).text().not_null())
                .col(
                    ColumnDef::new(Alias::new("created_at"))
                        .date_time()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Alias::new("expires_at"))
                        .date_time()
                        .not_null(),
                )
                .col(ColumnDef::new(Alias::new("revoked_at")).date_time().null())
                .index(
                    Index::create()
                        .name("uq_user_token_name")
                        .unique()
                        .col(Alias::new("user_id"))
                        .col(Alias::new("token_name")),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Alias::new("api_token"), Alias::new("user_id"))
                        .to(Alias::new("user"), Alias::new("id"))
                        .on_update(ForeignKeyAction::Cascade)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        if !m
            .has_index("api_token", "ix_api_token_token_prefix")
            .await?
        {
            m.create_index(
                Index::create()
                    .name("ix_api_token_token_prefix")
                    .table(Alias::new("api_token"))
                    .col(Alias::new("token_prefix"))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}
