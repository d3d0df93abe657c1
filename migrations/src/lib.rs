//! spci's migrations. On an empty database they create upstream's schema; on an existing
//! sample-platform database they add only what is missing (api_token, user.github_login, indexes).
pub use sea_orm_migration::prelude::*;

pub mod indexes;

mod m20261122_000001_upstream_schema;
mod m20261122_000002_api_tokens;
mod m20261122_000003_spci_indexes;
mod m20261122_000004_run_verdict;
mod m20261122_000005_history_index;
mod m20261122_000006_baseline_approval;
mod m20261202_000007_lease;
mod m20261202_000008_verdict_status_index;
mod m20261202_000009_result_verdict;
mod m20261202_000010_upstream_tables;
mod m20261202_000011_result_count;
mod m20261203_000012_audit_log;
mod m20261203_000013_mail_outbox;
mod m20261203_000014_token_use;
mod m20261203_000015_file_removal;
mod m20261204_000016_rerun;
mod m20261207_000017_quarantine;
mod m20261207_000018_idempotency;
mod m20261207_000019_live;

pub struct Migrator;

pub(crate) use indexes::ensure_index;

/// Every index spci's migrations want on upstream's tables, as (name, table, columns).
pub fn upstream_table_indexes() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    let mut all: Vec<_> = m20261122_000003_spci_indexes::INDEXES
        .iter()
        .map(|(n, t, c)| (*n, *t, c.to_vec()))
        .collect();
    all.extend(
        m20261122_000005_history_index::INDEXES
            .iter()
            .map(|(n, t, c)| (*n, *t, c.to_vec())),
    );
    all
}

/// Every index spci's migrations want on its own `spci_` tables, as (name, table, columns).
pub fn spci_table_indexes() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    vec![
        (
            m20261202_000008_verdict_status_index::NEW,
            "spci_run_verdict",
            vec!["status", "test_id"],
        ),
        (
            m20261202_000009_result_verdict::INDEX,
            m20261202_000009_result_verdict::TABLE,
            vec!["regression_test_id", "status", "test_id"],
        ),
        (
            m20261207_000017_quarantine::EFFECTIVE_INDEX,
            "spci_run_verdict",
            vec!["effective_status", "test_id"],
        ),
    ]
}

/// What `spci migrate` would change, one line each, without changing anything: the pending
/// migrations, the tables they would create, and for each index on upstream's tables whether it
/// is there, covered by an existing index (not added) or would be created.
pub async fn dry_run(
    db: &sea_orm_migration::sea_orm::DatabaseConnection,
) -> Result<Vec<String>, DbErr> {
    let m = SchemaManager::new(db);
    let mut lines = vec![];
    let pending = if m.has_table("seaql_migrations").await? {
        Migrator::get_pending_migrations(db)
            .await?
            .iter()
            .map(|p| p.name().to_string())
            .collect()
    } else {
        Migrator::migrations()
            .iter()
            .map(|p| p.name().to_string())
            .collect::<Vec<_>>()
    };
    for name in &pending {
        lines.push(format!("apply migration {name}"));
    }
    for t in TABLES {
        if !m.has_table(*t).await? {
            lines.push(format!("create table {t}"));
        }
    }
    for (name, table, cols) in upstream_table_indexes() {
        if !m.has_table(table).await? {
            lines.push(format!(
                "create index {name} on {table}({}) with the table",
                cols.join(", ")
            ));
            continue;
        }
        let line = match indexes::plan(db, name, table, &cols).await? {
            indexes::Plan::Exists => format!("keep index {name} on {table}: already there"),
            indexes::Plan::Covered { by } => {
                format!(
                    "skip index {name} on {table}({}): covered by {by}",
                    cols.join(", ")
                )
            }
            indexes::Plan::Create => format!("create index {name} on {table}({})", cols.join(", ")),
        };
        lines.push(line);
    }
    if pending.is_empty() {
        lines.push("nothing to apply".to_string());
    }
    Ok(lines)
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
            Box::new(m20261202_000010_upstream_tables::Migration),
            Box::new(m20261202_000011_result_count::Migration),
            Box::new(m20261203_000012_audit_log::Migration),
            Box::new(m20261203_000013_mail_outbox::Migration),
            Box::new(m20261203_000014_token_use::Migration),
            Box::new(m20261203_000015_file_removal::Migration),
            Box::new(m20261204_000016_rerun::Migration),
            Box::new(m20261207_000017_quarantine::Migration),
            Box::new(m20261207_000018_idempotency::Migration),
            Box::new(m20261207_000019_live::Migration),
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
    "ftpd",
    "upload_log",
    "sample_issue",
    "pending_deletion",
    "spci_result_count",
    "spci_audit_log",
    "spci_mail_outbox",
    "spci_token_use",
    "spci_file_removal",
    "spci_rerun",
    "spci_quarantine",
    "spci_idempotency",
    "spci_event",
    "spci_event_cursor",
    "spci_webhook",
    "spci_webhook_delivery",
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
        assert_eq!(TABLES.len(), 47);
    }

    #[tokio::test]
    async fn the_dry_run_says_what_would_be_added_and_changes_nothing() {
        let db = db().await;
        let before = dry_run(&db).await.unwrap();
        assert!(
            before.contains(&"create table spci_result_verdict".to_string()),
            "{before:?}"
        );
        assert!(
            before
                .iter()
                .any(|l| l.starts_with("apply migration m20261122_000001"))
        );
        assert!(
            !SchemaManager::new(&db)
                .has_table("spci_run_verdict")
                .await
                .unwrap()
        );
        Migrator::up(&db, None).await.unwrap();
        let after = dry_run(&db).await.unwrap();
        assert!(after.contains(&"nothing to apply".to_string()), "{after:?}");
        // test_result(test_id) is the leading column of its primary key: never added.
        assert!(
            after
                .iter()
                .any(|l| l.starts_with("skip index ix_spci_test_result_test")),
            "{after:?}"
        );
        assert!(!after.iter().any(|l| l.starts_with("create ")), "{after:?}");
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

/// Upstream's schema as its own code creates it on MariaDB 10.11 (SHOW CREATE TABLE of every
/// table): what spci's migrations must reproduce table for table, and what CI loads into an
/// empty MariaDB database to run spci beside upstream.
pub const UPSTREAM_MARIADB_SCHEMA: &str = include_str!("../upstream/mariadb-schema.sql");

#[cfg(test)]
mod upstream_schema_tests {
    use super::*;
    use sea_orm_migration::sea_orm::{ConnectionTrait, Database, Statement};
    use std::collections::BTreeMap;

    /// table → column → NOT NULL, from upstream's SHOW CREATE TABLE output.
    fn upstream_columns() -> BTreeMap<String, BTreeMap<String, bool>> {
        let mut tables = BTreeMap::new();
        let mut current: Option<String> = None;
        for line in UPSTREAM_MARIADB_SCHEMA.lines() {
            if let Some(rest) = line.strip_prefix("CREATE TABLE `") {
                let name = rest.split('`').next().unwrap().to_string();
                tables.insert(name.clone(), BTreeMap::new());
                current = Some(name);
            } else if let (Some(t), Some(rest)) = (&current, line.strip_prefix("  `")) {
                let column = rest.split('`').next().unwrap().to_string();
                let not_null = line.contains(" NOT NULL");
                tables.get_mut(t).unwrap().insert(column, not_null);
            } else if line.starts_with(')') {
                current = None;
            }
        }
        tables
    }

    #[tokio::test]
    async fn an_empty_database_gets_upstreams_schema_table_for_table() {
        let upstream = upstream_columns();
        assert_eq!(upstream.len(), 31, "the reference holds 31 tables");
        let db = Database::connect("sqlite::memory:").await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        let ours: Vec<&str> = TABLES
            .iter()
            .copied()
            .filter(|t| !t.starts_with("spci_"))
            .collect();
        assert_eq!(
            ours.iter()
                .copied()
                .collect::<std::collections::BTreeSet<_>>(),
            upstream.keys().map(String::as_str).collect(),
            "spci's upstream tables are upstream's"
        );
        for (table, columns) in &upstream {
            let rows = db
                .query_all_raw(Statement::from_string(
                    db.get_database_backend(),
                    format!("SELECT name, \"notnull\" FROM pragma_table_info('{table}')"),
                ))
                .await
                .unwrap();
            let got: BTreeMap<String, bool> = rows
                .iter()
                .map(|r| {
                    (
                        r.try_get_by_index::<String>(0).unwrap(),
                        r.try_get_by_index::<i64>(1).unwrap() != 0,
                    )
                })
                .collect();
            assert_eq!(&got, columns, "table {table}: columns and NOT NULL");
        }
    }
}
