//! spci adds an index only where no existing index covers it. On MariaDB/MySQL a new index
//! whose leading column carries a foreign key silently replaces upstream's own index for that
//! key, and dropping spci's index later fails (error 1553); on every backend a duplicate
//! index is write cost for nothing. So before creating `(a, b)` on a table, spci reads the
//! table's indexes (primary key included) and skips when one already starts with `a, b`.
//! InnoDB appends the primary key to every secondary index, so there `(a)` on a table keyed by
//! `(b, …)` is `(a, b, …)` and covers `(a, b)`.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};
use std::collections::BTreeMap;

/// What `ensure_index` does with one wanted index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// An index of that name is there already.
    Exists,
    /// Another index serves the same lookups; nothing is added.
    Covered {
        by: String,
    },
    Create,
}

/// An index of a table: its name and columns in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    pub name: String,
    pub columns: Vec<String>,
    pub primary: bool,
}

/// The index among `existing` that covers `wanted`, if any. `innodb`: secondary indexes carry
/// the primary key's columns after their own.
pub fn covering<'a>(existing: &'a [Existing], wanted: &[&str], innodb: bool) -> Option<&'a str> {
    let primary: Vec<&str> = existing
        .iter()
        .find(|i| i.primary)
        .map(|p| p.columns.iter().map(String::as_str).collect())
        .unwrap_or_default();
    existing
        .iter()
        .find(|i| {
            let mut cols: Vec<&str> = i.columns.iter().map(String::as_str).collect();
            if innodb && !i.primary {
                for c in &primary {
                    if !cols.contains(c) {
                        cols.push(c);
                    }
                }
            }
            cols.len() >= wanted.len() && cols[..wanted.len()] == *wanted
        })
        .map(|i| i.name.as_str())
}

/// The indexes of `table`, primary key included, read from the database's catalog.
pub async fn existing(db: &impl ConnectionTrait, table: &str) -> Result<Vec<Existing>, DbErr> {
    let backend = db.get_database_backend();
    // (index, column, position, is primary)
    let sql = match backend {
        DbBackend::MySql => {
            "SELECT INDEX_NAME, COLUMN_NAME, CAST(SEQ_IN_INDEX AS SIGNED), \
             CAST(INDEX_NAME = 'PRIMARY' AS SIGNED) \
             FROM information_schema.STATISTICS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?"
        }
        DbBackend::Postgres => {
            "SELECT i.relname::text, a.attname::text, k.ord::int4, x.indisprimary \
             FROM pg_index x \
             JOIN pg_class t ON t.oid = x.indrelid \
             JOIN pg_class i ON i.oid = x.indexrelid \
             JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord) ON true \
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
             WHERE t.relname = $1 AND t.relnamespace = current_schema()::regnamespace"
        }
        _ => {
            "SELECT l.name, i.name, i.seqno, l.origin = 'pk' \
             FROM pragma_index_list(?1) AS l, pragma_index_info(l.name) AS i \
             UNION ALL \
             SELECT 'primary key', c.name, c.pk - 1, 1 FROM pragma_table_info(?1) AS c \
             WHERE c.pk > 0 AND NOT EXISTS \
               (SELECT 1 FROM pragma_index_list(?1) WHERE origin = 'pk')"
        }
    };
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, [table.into()]))
        .await?;
    let mut by_name: BTreeMap<String, (bool, Vec<(i64, String)>)> = BTreeMap::new();
    for r in rows {
        let name: String = r.try_get_by_index(0)?;
        let column: String = r.try_get_by_index(1)?;
        let position: i64 = match backend {
            DbBackend::Postgres => i64::from(r.try_get_by_index::<i32>(2)?),
            _ => r.try_get_by_index(2)?,
        };
        let primary: bool = match backend {
            DbBackend::Postgres => r.try_get_by_index(3)?,
            _ => r.try_get_by_index::<i64>(3)? != 0,
        };
        let entry = by_name.entry(name).or_default();
        entry.0 |= primary;
        entry.1.push((position, column));
    }
    Ok(by_name
        .into_iter()
        .map(|(name, (primary, mut cols))| {
            cols.sort();
            Existing {
                name,
                columns: cols.into_iter().map(|(_, c)| c).collect(),
                primary,
            }
        })
        .collect())
}

pub async fn plan(
    db: &impl ConnectionTrait,
    name: &str,
    table: &str,
    cols: &[&str],
) -> Result<Plan, DbErr> {
    let existing = existing(db, table).await?;
    if existing.iter().any(|i| i.name == name) {
        return Ok(Plan::Exists);
    }
    let innodb = db.get_database_backend() == DbBackend::MySql;
    Ok(match covering(&existing, cols, innodb) {
        Some(by) => Plan::Covered { by: by.to_string() },
        None => Plan::Create,
    })
}

/// Creates index `name` on `table(cols)` unless it is there or another index covers it, so
/// migrations stay safe to re-run and never duplicate an index upstream has.
pub(crate) async fn ensure_index(
    m: &SchemaManager<'_>,
    name: &str,
    table: &str,
    cols: &[&str],
) -> Result<(), DbErr> {
    if plan(m.get_connection(), name, table, cols).await? != Plan::Create {
        return Ok(());
    }
    let mut i = Index::create();
    i.name(name).table(Alias::new(table));
    for c in cols {
        i.col(Alias::new(*c));
    }
    m.create_index(i.to_owned()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ix(name: &str, cols: &[&str], primary: bool) -> Existing {
        Existing {
            name: name.into(),
            columns: cols.iter().map(|c| String::from(*c)).collect(),
            primary,
        }
    }

    #[test]
    fn coverage_table() {
        // test_result as upstream has it on MariaDB: PK (test_id, regression_test_id) and the
        // foreign key's index on regression_test_id.
        let test_result = [
            ix("PRIMARY", &["test_id", "regression_test_id"], true),
            ix("regression_test_id", &["regression_test_id"], false),
        ];
        // (existing indexes, wanted columns, InnoDB, covered by)
        type Case<'a> = (&'a [Existing], &'a [&'a str], bool, Option<&'a str>);
        let cases: [Case; 8] = [
            (&test_result, &["test_id"], true, Some("PRIMARY")),
            (&test_result, &["test_id"], false, Some("PRIMARY")),
            (
                &test_result,
                &["regression_test_id"],
                false,
                Some("regression_test_id"),
            ),
            // InnoDB: (regression_test_id) is stored as (regression_test_id, test_id).
            (
                &test_result,
                &["regression_test_id", "test_id"],
                true,
                Some("regression_test_id"),
            ),
            // Elsewhere the primary key is not part of a secondary index.
            (
                &test_result,
                &["regression_test_id", "test_id"],
                false,
                None,
            ),
            (&test_result, &["exit_code"], true, None),
            // A longer wanted index is not covered by a shorter existing one.
            (
                &test_result,
                &["test_id", "regression_test_id", "runtime"],
                true,
                None,
            ),
            (&[], &["test_id"], true, None),
        ];
        for (existing, wanted, innodb, want) in cases {
            assert_eq!(
                covering(existing, wanted, innodb),
                want,
                "{wanted:?} innodb={innodb}"
            );
        }
    }
}
