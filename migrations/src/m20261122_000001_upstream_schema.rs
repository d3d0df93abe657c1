//! Upstream's schema (sample-platform Alembic head d4f8e2a1b3c7 plus the tables only
//! `create_all` makes). Every table is created only if missing, so on an existing upstream
//! database this changes nothing. Enum columns are VARCHAR(50), as upstream's current
//! `create_all` makes them; older MySQL ENUM columns hold the same strings.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub fn tables() -> Vec<TableCreateStatement> {
    vec![
        Table::create()
            .table(Alias::new("user"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("id")).integer().not_null().primary_key().auto_increment())
            .col(ColumnDef::new(Alias::new("name")).string_len(50).null().unique_key())
            .col(ColumnDef::new(Alias::new("email")).string_len(255).null().unique_key())
            .col(ColumnDef::new(Alias::new("github_token")).text().null())
            .col(ColumnDef::new(Alias::new("github_login")).string_len(255).null())
            .col(ColumnDef::new(Alias::new("password")).string_len(255).not_null())
            .col(ColumnDef::new(Alias::new("role")).string_len(50).null())
            .to_owned(),
        Table::create()
            .table(Alias::new("fork"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("id")).integer().not_null().primary_key().auto_increment())
            .col(ColumnDef::new(Alias::new("github")).string_len(256).null().unique_key())
            .to_owned(),
        Table::create()
            .table(Alias::new("ccextractor_version"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("id")).integer().not_null().primary_key().auto_increment())
            .col(ColumnDef::new(Alias::new("version")).string_len(10).null().unique_key())
            .col(ColumnDef::new(Alias::new("released")).date().null().unique_key())
            .col(ColumnDef::new(Alias::new("commit")).string_len(64).null().unique_key())
            .to_owned(),
        Table::create()
            .table(Alias::new("sample"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("id")).integer().not_null().primary_key().auto_increment())
            .col(ColumnDef::new(Alias::new("sha")).string_len(128).null().unique_key())
            .col(ColumnDef::new(Alias::new("extension")).string_len(64).not_null())
            .col(ColumnDef::new(Alias::new("original_name")).text().not_null())
            .to_owned(),
        Table::create()
            .table(Alias::new("test"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("id")).integer().not_null().primary_key().auto_increment())
            .col(ColumnDef::new(Alias::new("platform")).string_len(50).not_null())
            .col(ColumnDef::new(Alias::new("test_type")).string_len(50).not_null())
            .col(ColumnDef::new(Alias::new("token")).string_len(64).null().unique_key())
            .col(ColumnDef::new(Alias::new("fork_id")).integer().null())
            .col(ColumnDef::new(Alias::new("branch")).text().not_null())
            .col(ColumnDef::new(Alias::new("commit")).string_len(64).not_null())
            .col(ColumnDef::new(Alias::new("pr_nr")).integer().not_null())
            .foreign_key(ForeignKey::create().from(Alias::new("test"), Alias::new("fork_id")).to(Alias::new("fork"), Alias::new("id")).on_update(ForeignKeyAction::Cascade).on_delete(ForeignKeyAction::Restrict))
            .to_owned(),
        Table::create()
            .table(Alias::new("regression_test"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("id")).integer().not_null().primary_key().auto_increment())
            .col(ColumnDef::new(Alias::new("sample_id")).integer().null())
            .col(ColumnDef::new(Alias::new("command")).text().not_null())
            .col(ColumnDef::new(Alias::new("input_type")).string_len(50).null())
            .col(ColumnDef::new(Alias::new("output_type")).string_len(50).null())
            .col(ColumnDef::new(Alias::new("expected_rc")).integer().null())
            .col(ColumnDef::new(Alias::new("active")).boolean().not_null())
            .col(ColumnDef::new(Alias::new("last_passed_on_windows")).integer().null())
            .col(ColumnDef::new(Alias::new("last_passed_on_linux")).integer().null())
            .col(ColumnDef::new(Alias::new("description")).string_len(1024).null())
            .foreign_key(ForeignKey::create().from(Alias::new("regression_test"), Alias::new("sample_id")).to(Alias::new("sample"), Alias::new("id")).on_update(ForeignKeyAction::Cascade).on_delete(ForeignKeyAction::Cascade))
            .foreign_key(ForeignKey::create().from(Alias::new("regression_test"), Alias::new("last_passed_on_windows")).to(Alias::new("test"), Alias::new("id")).on_update(ForeignKeyAction::Cascade).on_delete(ForeignKeyAction::SetNull))
            .foreign_key(ForeignKey::create().from(Alias::new("regression_test"), Alias::new("last_passed_on_linux")).to(Alias::new("test"), Alias::new("id")).on_update(ForeignKeyAction::Cascade).on_delete(ForeignKeyAction::SetNull))
            .to_owned(),
        Table::create()
            .table(Alias::new("category"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("id")).integer().not_null().primary_key().auto_increment())
            .col(ColumnDef::new(Alias::new("name")).string_len(64).null().unique_key())
            .col(ColumnDef::new(Alias::new("description")).text().not_null())
            .to_owned(),
        Table::create()
            .table(Alias::new("regression_test_category"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("regression_id")).integer().null())
            .col(ColumnDef::new(Alias::new("category_id")).integer().null())
            .foreign_key(ForeignKey::create().from(Alias::new("regression_test_category"), Alias::new("regression_id")).to(Alias::new("regression_test"), Alias::new("id")).on_update(ForeignKeyAction::Cascade).on_delete(ForeignKeyAction::Restrict))
            .foreign_key(ForeignKey::create().from(Alias::new("regression_test_category"), Alias::new("category_id")).to(Alias::new("category"), Alias::new("id")).on_update(ForeignKeyAction::Cascade).on_delete(ForeignKeyAction::Restrict))
            .to_owned(),
        Table::create()
            .table(Alias::new("regression_test_output"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("id")).integer().not_null().primary_key().auto_increment())
            .col(ColumnDef::new(Alias::new("regression_id")).integer().null())
            .col(ColumnDef::new(Alias::new("correct")).text().null())
            .col(ColumnDef::new(Alias::new("correct_extension")).string_len(64).not_null())
            .col(ColumnDef::new(Alias::new("expected_filename")).text().null())
            .col(ColumnDef::new(Alias::new("ignore")).boolean().null())
            .foreign_key(ForeignKey::create().from(Alias::new("regression_test_output"), Alias::new("regression_id")).to(Alias::new("regression_test"), Alias::new("id")).on_update(ForeignKeyAction::Cascade).on_delete(ForeignKeyAction::Restrict))
            .to_owned(),
        Table::create()
            .table(Alias::new("regression_test_output_files"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("id")).integer().not_null().primary_key().auto_increment())
            .col(ColumnDef::new(Alias::new("file_hashes")).text().null())
            .col(ColumnDef::new(Alias::new("regression_test_output_id")).integer().null())
            .foreign_key(ForeignKey::create().from(Alias::new("regression_test_output_files"), Alias::new("regression_test_output_id")).to(Alias::new("regression_test_output"), Alias::new("id")).on_update(ForeignKeyAction::Cascade).on_delete(ForeignKeyAction::Restrict))
            .to_owned(),
        Table::create()
            .table(Alias::new("test_progress"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("id")).integer().not_null().primary_key().auto_increment())
            .col(ColumnDef::new(Alias::new("test_id")).integer().null())
            .col(ColumnDef::new(Alias::new("status")).string_len(50).not_null())
            .col(ColumnDef::new(Alias::new("timestamp")).date_time().not_null())
            .col(ColumnDef::new(Alias::new("message")).text().not_null())
            .foreign_key(ForeignKey::create().from(Alias::new("test_progress"), Alias::new("test_id")).to(Alias::new("test"), Alias::new("id")).on_update(ForeignKeyAction::Cascade).on_delete(ForeignKeyAction::Cascade))
            .to_owned(),
        Table::create()
            .table(Alias::new("test_result"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("test_id")).integer().not_null())
            .col(ColumnDef::new(Alias::new("regression_test_id")).integer().not_null())
            .col(ColumnDef::new(Alias::new("runtime")).integer().null())
            .col(ColumnDef::new(Alias::new("exit_code")).integer().null())
            .col(ColumnDef::new(Alias::new("expected_rc")).integer().null())
            .primary_key(Index::create().col(Alias::new("test_id")).col(Alias::new("regression_test_id")))
            .foreign_key(ForeignKey::create().from(Alias::new("test_result"), Alias::new("test_id")).to(Alias::new("test"), Alias::new("id")).on_update(ForeignKeyAction::Cascade).on_delete(ForeignKeyAction::Cascade))
            .foreign_key(ForeignKey::create().from(Alias::new("test_result"), Alias::new("regression_test_id")).to(Alias::new("regression_test"), Alias::new("id")).on_update(ForeignKeyAction::Cascade).on_delete(ForeignKeyAction::Cascade))
            .to_owned(),
        Table::create()
            .table(Alias::new("test_result_file"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("test_id")).integer().not_null())
            .col(ColumnDef::new(Alias::new("regression_test_id")).integer().not_null())
            .col(ColumnDef::new(Alias::new("regression_test_output_id")).integer().not_null())
            .col(ColumnDef::new(Alias::new("expected")).text().not_null())
            .col(ColumnDef::new(Alias::new("got")).text().null())
            .primary_key(Index::create().col(Alias::new("test_id")).col(Alias::new("regression_test_id")).col(Alias::new("regression_test_output_id")))
            .foreign_key(ForeignKey::create().from(Alias::new("test_result_file"), Alias::new("test_id")).to(Alias::new("test"), Alias::new("id")).on_update(ForeignKeyAction::Cascade).on_delete(ForeignKeyAction::Cascade))
            .foreign_key(ForeignKey::create().from(Alias::new("test_result_file"), Alias::new("regression_test_id")).to(Alias::new("regression_test"), Alias::new("id")).on_update(ForeignKeyAction::Cascade).on_delete(ForeignKeyAction::Cascade))
            .foreign_key(ForeignKey::create().from(Alias::new("test_result_file"), Alias::new("regression_test_output_id")).to(Alias::new("regression_test_output"), Alias::new("id")).on_update(ForeignKeyAction::Cascade).on_delete(ForeignKeyAction::Cascade))
            .to_owned(),
        Table::create()
            .table(Alias::new("sample_extra"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("id")).integer().not_null().primary_key().auto_increment())
            .col(ColumnDef::new(Alias::new("sample_id")).integer().null())
            .col(ColumnDef::new(Alias::new("original_name")).text().not_null())
            .col(ColumnDef::new(Alias::new("extension")).string_len(64).not_null())
            .foreign_key(ForeignKey::create().from(Alias::new("sample_extra"), Alias::new("sample_id")).to(Alias::new("sample"), Alias::new("id")).on_update(ForeignKeyAction::Cascade).on_delete(ForeignKeyAction::Cascade))
            .to_owned(),
        Table::create()
            .table(Alias::new("tag"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("id")).integer().not_null().primary_key().auto_increment())
            .col(ColumnDef::new(Alias::new("name")).string_len(64).not_null().unique_key())
            .col(ColumnDef::new(Alias::new("description")).string_len(1024).null())
            .to_owned(),
        Table::create()
            .table(Alias::new("sample_tag_association"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("sample_id")).integer().not_null())
            .col(ColumnDef::new(Alias::new("tag_id")).integer().not_null())
            .primary_key(Index::create().col(Alias::new("sample_id")).col(Alias::new("tag_id")))
            .foreign_key(ForeignKey::create().from(Alias::new("sample_tag_association"), Alias::new("sample_id")).to(Alias::new("sample"), Alias::new("id")))
            .foreign_key(ForeignKey::create().from(Alias::new("sample_tag_association"), Alias::new("tag_id")).to(Alias::new("tag"), Alias::new("id")))
            .to_owned(),
        Table::create()
            .table(Alias::new("upload"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("id")).integer().not_null().primary_key().auto_increment())
            .col(ColumnDef::new(Alias::new("user_id")).integer().null())
            .col(ColumnDef::new(Alias::new("sample_id")).integer().null())
            .col(ColumnDef::new(Alias::new("version_id")).integer().null())
            .col(ColumnDef::new(Alias::new("platform")).string_len(50).not_null())
            .col(ColumnDef::new(Alias::new("parameters")).text().not_null())
            .col(ColumnDef::new(Alias::new("notes")).text().not_null())
            .foreign_key(ForeignKey::create().from(Alias::new("upload"), Alias::new("user_id")).to(Alias::new("user"), Alias::new("id")).on_update(ForeignKeyAction::Cascade).on_delete(ForeignKeyAction::Restrict))
            .foreign_key(ForeignKey::create().from(Alias::new("upload"), Alias::new("sample_id")).to(Alias::new("sample"), Alias::new("id")).on_update(ForeignKeyAction::Cascade).on_delete(ForeignKeyAction::Cascade))
            .foreign_key(ForeignKey::create().from(Alias::new("upload"), Alias::new("version_id")).to(Alias::new("ccextractor_version"), Alias::new("id")).on_update(ForeignKeyAction::Cascade).on_delete(ForeignKeyAction::Restrict))
            .to_owned(),
        Table::create()
            .table(Alias::new("upload_queue"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("id")).integer().not_null().primary_key().auto_increment())
            .col(ColumnDef::new(Alias::new("sha")).string_len(128).null().unique_key())
            .col(ColumnDef::new(Alias::new("extension")).string_len(64).not_null())
            .col(ColumnDef::new(Alias::new("original_name")).text().not_null())
            .col(ColumnDef::new(Alias::new("user_id")).integer().null())
            .foreign_key(ForeignKey::create().from(Alias::new("upload_queue"), Alias::new("user_id")).to(Alias::new("user"), Alias::new("id")).on_update(ForeignKeyAction::Cascade).on_delete(ForeignKeyAction::Restrict))
            .to_owned(),
        Table::create()
            .table(Alias::new("extension_forbidden"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("extension")).string_len(32).not_null().primary_key())
            .to_owned(),
        Table::create()
            .table(Alias::new("mimetype_forbidden"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("mimetype")).string_len(64).not_null().primary_key())
            .to_owned(),
        Table::create()
            .table(Alias::new("general_data"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("id")).integer().not_null().primary_key().auto_increment())
            .col(ColumnDef::new(Alias::new("key")).string_len(64).null().unique_key())
            .col(ColumnDef::new(Alias::new("value")).text().not_null())
            .to_owned(),
        Table::create()
            .table(Alias::new("test_fork"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("id")).integer().not_null().primary_key().auto_increment())
            .col(ColumnDef::new(Alias::new("user_id")).integer().null())
            .col(ColumnDef::new(Alias::new("test_id")).integer().null())
            .foreign_key(ForeignKey::create().from(Alias::new("test_fork"), Alias::new("user_id")).to(Alias::new("user"), Alias::new("id")).on_update(ForeignKeyAction::Cascade).on_delete(ForeignKeyAction::Restrict))
            .foreign_key(ForeignKey::create().from(Alias::new("test_fork"), Alias::new("test_id")).to(Alias::new("test"), Alias::new("id")).on_update(ForeignKeyAction::Cascade).on_delete(ForeignKeyAction::Restrict))
            .to_owned(),
        Table::create()
            .table(Alias::new("customized_test"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("id")).integer().not_null().primary_key().auto_increment())
            .col(ColumnDef::new(Alias::new("test_id")).integer().null())
            .col(ColumnDef::new(Alias::new("regression_id")).integer().null())
            .foreign_key(ForeignKey::create().from(Alias::new("customized_test"), Alias::new("test_id")).to(Alias::new("test"), Alias::new("id")).on_update(ForeignKeyAction::Cascade).on_delete(ForeignKeyAction::Restrict))
            .foreign_key(ForeignKey::create().from(Alias::new("customized_test"), Alias::new("regression_id")).to(Alias::new("regression_test"), Alias::new("id")).on_update(ForeignKeyAction::Cascade).on_delete(ForeignKeyAction::Cascade))
            .to_owned(),
        Table::create()
            .table(Alias::new("blocked_users"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("user_id")).integer().not_null().primary_key().auto_increment())
            .col(ColumnDef::new(Alias::new("comment")).text().null())
            .to_owned(),
        Table::create()
            .table(Alias::new("gcp_instance"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("name")).string_len(64).not_null().primary_key())
            .col(ColumnDef::new(Alias::new("test_id")).integer().null())
            .col(ColumnDef::new(Alias::new("timestamp")).date_time().not_null())
            .col(ColumnDef::new(Alias::new("timestamp_prep_finished")).date_time().null())
            .foreign_key(ForeignKey::create().from(Alias::new("gcp_instance"), Alias::new("test_id")).to(Alias::new("test"), Alias::new("id")).on_update(ForeignKeyAction::Cascade).on_delete(ForeignKeyAction::Restrict))
            .to_owned(),
        Table::create()
            .table(Alias::new("maintenance_mode"))
            .if_not_exists()
            .col(ColumnDef::new(Alias::new("id")).integer().not_null().primary_key().auto_increment())
            .col(ColumnDef::new(Alias::new("platform")).string_len(50).not_null())
            .col(ColumnDef::new(Alias::new("disabled")).boolean().not_null())
            .to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in tables() {
            m.create_table(t).await?;
        }
        if !m.has_index("tag", "tag_name_index").await? {
            m.create_index(Index::create().name("tag_name_index").table(Alias::new("tag")).col(Alias::new("name")).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        // Never drop an upstream platform's tables.
        Ok(())
    }
}
