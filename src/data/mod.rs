//! Data access: entities, the connection, batch loaders (a fixed number of queries whatever the
//! page size), the catalog, the materialised run verdicts and the database leases.
pub mod catalog;
pub mod connect;
pub mod entity;
pub mod error;
pub mod filters;
pub mod lease;
pub mod like;
pub mod loaders;
pub mod lookup;
pub mod snapshot;
pub mod union_page;
pub mod verdict_cache;

use chrono::{NaiveDateTime, Timelike, Utc};

/// Now, at the second resolution of upstream's DATETIME columns: what such a column would store.
pub fn db_now() -> NaiveDateTime {
    let now = Utc::now().naive_utc();
    now.with_nanosecond(0).unwrap_or(now)
}
