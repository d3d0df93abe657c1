//! spci's migrations. On an empty database they create upstream's schema; on an existing
//! sample-platform database they add only what is missing (api_token, user.github_login, indexes).
pub use sea_orm_migration::prelude::*;

mod m20261122_000001_upstream_schema;
mod m20261122_000002_api_tokens;
mod m20261122_000003_spci_indexes;
mod m20261122_000004_run_verdict;
mod m20261122_000005_history_index;
mod m20261122_000006_baseline_approval;
mod m20261202_000007_lease;
mod m20261202_000008_verdict_status_index;
mod m20261202_000009_result_verdict;

pub struct Migrator;

/// Creates index `name` on `table(cols)` unless an index of that name is there already, so
/// migrations stay safe to re-run and to run on a database that has some of spci's indexes.
pub(crate) async fn ensure_index(
    m: &SchemaManager<'_>,
    name: &str,
    table: &str,
    cols: &[&str],
) -> Result<(), DbErr> {
    if m.has_index(table, name).await? {
        return Ok(());
    }
    let mut i = Index::create();
    i.name(name).table(Alias::new(table));
    for c in cols {
        i.col(Alias::new(*c));
    }
    m.create_index(i.to_owned()).await
}

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_upstream_schema::Migration),
            Box::new(m20261122_000002_api_tokens::Migration),
            Box::new(m20261122_000003_spci_indexes::Migration),
            Box::new(m20261122_000004_run_verdict::Migration),
            Box::new(m20261122_000005_history_index::Migration),
            Box::new(m20261122_000006_baseline_approval::Migration),
            Box::new(m20261202_000007_lease::Migration),
            Box::new(m20261202_000008_verdict_status_index::Migration),
            Box::new(m20261202_000009_result_verdict::Migration),
        ]
    }
}

/// Every table spci expects after migrating.
pub const TABLES: &[&str] = &[
    "user",
    "api_token",
    "fork",
    "test",
    "test_progress",
    "test_result",
    "test_result_file",
    "category",
    "regression_test_category",
    "regression_test",
    "regression_test_output",
    "regression_test_output_files",
    "sample",
    "sample_extra",
    "tag",
    "sample_tag_association",
    "upload",
    "upload_queue",
    "extension_forbidden",
    "mimetype_forbidden",
    "ccextractor_version",
    "general_data",
    "test_fork",
    "customized_test",
    "blocked_users",
    "gcp_instance",
    "maintenance_mode",
    "spci_run_verdict",
    "spci_baseline_approval",
    "spci_lease",
    "spci_result_verdict",
];

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm_migration::sea_orm::{ConnectionTrait, Database, DatabaseConnection};

    async fn db() -> DatabaseConnection {
        Database::connect("sqlite::memory:").await.unwrap()
    }

    async fn assert_all_tables(db: &DatabaseConnection) {
        let m = SchemaManager::new(db);
        for t in TABLES {
            assert!(m.has_table(*t).await.unwrap(), "table {t} missing");
        }
    }

    #[tokio::test]
    async fn creates_every_table_on_an_empty_database() {
        let db = db().await;
        Migrator::up(&db, None).await.unwrap();
        assert_all_tables(&db).await;
        assert_eq!(TABLES.len(), 31);
    }

    #[tokio::test]
    async fn is_idempotent() {
        let db = db().await;
        Migrator::up(&db, None).await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        // Even re-running every migration body on a migrated database changes nothing.
        let m = SchemaManager::new(&db);
        for mig in Migrator::migrations() {
            mig.up(&m).await.unwrap();
        }
        assert_all_tables(&db).await;
    }

    #[tokio::test]
    async fn adds_only_what_is_missing_to_an_existing_upstream_database() {
        let db = db().await;
        // An upstream database from before migration d4f8e2a1b3c7: no github_login, no api_token.
        for sql in [
            "CREATE TABLE user (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(50) UNIQUE, email VARCHAR(255) UNIQUE, \
             github_token TEXT, password VARCHAR(255) NOT NULL, role VARCHAR(50))",
            "INSERT INTO user (name, email, password, role) VALUES ('old', 'old@example.com', '$6$rounds=5000$x$y', 'admin')",
            "CREATE TABLE sample (id INTEGER PRIMARY KEY AUTOINCREMENT, sha VARCHAR(128) UNIQUE, extension VARCHAR(64) NOT NULL, \
             original_name TEXT NOT NULL, legacy_extra_column TEXT)",
            "INSERT INTO sample (sha, extension, original_name, legacy_extra_column) VALUES ('abc', 'ts', 'a.ts', 'kept')",
        ] {
            db.execute_unprepared(sql).await.unwrap();
        }
        Migrator::up(&db, None).await.unwrap();
        assert_all_tables(&db).await;
        let m = SchemaManager::new(&db);
        assert!(m.has_column("user", "github_login").await.unwrap());
        assert!(
            m.has_column("sample", "legacy_extra_column").await.unwrap(),
            "existing columns are never touched"
        );
        let row = db
            .query_one_raw(sea_orm_migration::sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT email FROM user WHERE name = 'old'",
            ))
            .await
            .unwrap()
            .expect("the existing user survives");
        assert_eq!(
            row.try_get::<String>("", "email").unwrap(),
            "old@example.com"
        );
    }
}
