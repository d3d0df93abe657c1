//! Samples as the wire shows them.
use crate::api::Sample;
use crate::data::catalog;
use crate::data::entity::sample;
use crate::files::storage::sample_file_name;
use sea_orm::{ConnectionTrait, DbErr};
use std::collections::BTreeSet;

/// Samples with their tags and active-test counts: two queries for the whole page.
pub async fn samples(
    db: &impl ConnectionTrait,
    rows: Vec<sample::Model>,
) -> Result<Vec<Sample>, DbErr> {
    let ids: BTreeSet<i32> = rows.iter().map(|s| s.id).collect();
    let tags = catalog::tags_of(db, &ids).await?;
    let counts = catalog::active_test_counts(db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|s| {
            let count = counts.get(&s.id).copied().unwrap_or(0);
            let sha = s.sha.unwrap_or_default();
            Sample {
                sample_id: s.id,
                filename: sample_file_name(&sha, &s.extension),
                sha,
                extension: s.extension,
                original_name: s.original_name,
                tags: tags.get(&s.id).cloned().unwrap_or_default(),
                regression_test_count: count,
                active: count > 0,
            }
        })
        .collect())
}
