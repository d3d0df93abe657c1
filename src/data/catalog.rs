//! The library side of the data (regression tests, their samples, categories, outputs, sample
//! tags), loaded for many ids at once in a fixed number of queries.
use super::entity::{
    category, regression_test, regression_test_category, regression_test_output, sample,
    sample_tag_association, tag,
};
use super::filters::same_text;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::{BTreeSet, HashMap};

/// The ids of the active regression tests: a run without `customized_test` rows runs them all.
pub async fn active_test_ids(db: &impl ConnectionTrait) -> Result<Vec<i32>, DbErr> {
    regression_test::Entity::find()
        .select_only()
        .column(regression_test::Column::Id)
        .filter(regression_test::Column::Active.eq(true))
        .into_tuple()
        .all(db)
        .await
}

/// `SELECT sample_id` of the samples carrying tag `name` (case-insensitive), for `IN (…)`.
pub fn samples_tagged(name: &str) -> SelectStatement {
    Query::select()
        .column((
            sample_tag_association::Entity,
            sample_tag_association::Column::SampleId,
        ))
        .from(sample_tag_association::Entity)
        .inner_join(
            tag::Entity,
            Expr::col((tag::Entity, tag::Column::Id)).equals((
                sample_tag_association::Entity,
                sample_tag_association::Column::TagId,
            )),
        )
        .and_where(same_text(Expr::col((tag::Entity, tag::Column::Name)), name))
        .to_owned()
}

#[derive(Default)]
pub struct Catalog {
    pub tests: HashMap<i32, regression_test::Model>,
    pub samples: HashMap<i32, sample::Model>,
    pub categories: HashMap<i32, Vec<String>>,
    pub outputs: HashMap<i32, Vec<regression_test_output::Model>>,
}

impl Catalog {
    /// Four queries whatever the number of tests.
    pub async fn load(db: &impl ConnectionTrait, rts: &BTreeSet<i32>) -> Result<Self, DbErr> {
        if rts.is_empty() {
            return Ok(Self::default());
        }
        let tests: HashMap<i32, regression_test::Model> = regression_test::Entity::find()
            .filter(regression_test::Column::Id.is_in(rts.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect();
        let sample_ids: BTreeSet<i32> = tests.values().filter_map(|t| t.sample_id).collect();
        let samples = samples_by_id(db, &sample_ids).await?;
        let categories = categories_of(db, rts).await?;
        let mut outputs: HashMap<i32, Vec<regression_test_output::Model>> = HashMap::new();
        for o in regression_test_output::Entity::find()
            .filter(regression_test_output::Column::RegressionId.is_in(rts.iter().copied()))
            .order_by_asc(regression_test_output::Column::Id)
            .all(db)
            .await?
        {
            if let Some(rt) = o.regression_id {
                outputs.entry(rt).or_default().push(o);
            }
        }
        Ok(Self {
            tests,
            samples,
            categories,
            outputs,
        })
    }

    pub fn sample_of(&self, rt: i32) -> Option<&sample::Model> {
        self.tests
            .get(&rt)
            .and_then(|t| t.sample_id)
            .and_then(|s| self.samples.get(&s))
    }

    pub fn categories_of(&self, rt: i32) -> Vec<String> {
        self.categories.get(&rt).cloned().unwrap_or_default()
    }

    pub fn output(&self, rt: i32, output_id: i32) -> Option<&regression_test_output::Model> {
        self.outputs.get(&rt)?.iter().find(|o| o.id == output_id)
    }
}

/// The sample of each of these regression tests (None for a test without one). One query.
pub async fn sample_ids_of(
    db: &impl ConnectionTrait,
    tests: impl IntoIterator<Item = i32>,
) -> Result<HashMap<i32, Option<i32>>, DbErr> {
    Ok(regression_test::Entity::find()
        .filter(regression_test::Column::Id.is_in(tests))
        .select_only()
        .column(regression_test::Column::Id)
        .column(regression_test::Column::SampleId)
        .into_tuple::<(i32, Option<i32>)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

pub async fn samples_by_id(
    db: &impl ConnectionTrait,
    ids: &BTreeSet<i32>,
) -> Result<HashMap<i32, sample::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(sample::Entity::find()
        .filter(sample::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect())
}

/// Category names of each regression test, sorted. One query.
pub async fn categories_of(
    db: &impl ConnectionTrait,
    rts: &BTreeSet<i32>,
) -> Result<HashMap<i32, Vec<String>>, DbErr> {
    let mut out: HashMap<i32, Vec<String>> = HashMap::new();
    if rts.is_empty() {
        return Ok(out);
    }
    for (link, cat) in regression_test_category::Entity::find()
        .filter(regression_test_category::Column::RegressionId.is_in(rts.iter().copied()))
        .find_also_related(category::Entity)
        .all(db)
        .await?
    {
        if let Some(name) = cat.and_then(|c| c.name) {
            out.entry(link.regression_id).or_default().push(name);
        }
    }
    for names in out.values_mut() {
        names.sort();
        names.dedup();
    }
    Ok(out)
}

/// Tag names of each sample, sorted. One query.
pub async fn tags_of(
    db: &impl ConnectionTrait,
    samples: &BTreeSet<i32>,
) -> Result<HashMap<i32, Vec<String>>, DbErr> {
    let mut out: HashMap<i32, Vec<String>> = HashMap::new();
    if samples.is_empty() {
        return Ok(out);
    }
    for (link, t) in sample_tag_association::Entity::find()
        .filter(sample_tag_association::Column::SampleId.is_in(samples.iter().copied()))
        .find_also_related(tag::Entity)
        .all(db)
        .await?
    {
        if let Some(t) = t {
            out.entry(link.sample_id).or_default().push(t.name);
        }
    }
    for names in out.values_mut() {
        names.sort();
    }
    Ok(out)
}

/// Active regression tests per sample, in one query.
pub async fn active_test_counts(
    db: &impl ConnectionTrait,
    ids: &BTreeSet<i32>,
) -> Result<HashMap<i32, i64>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Option<i32>, i64)> = regression_test::Entity::find()
        .select_only()
        .column(regression_test::Column::SampleId)
        .column_as(regression_test::Column::Id.count(), "n")
        .filter(regression_test::Column::SampleId.is_in(ids.iter().copied()))
        .filter(regression_test::Column::Active.eq(true))
        .group_by(regression_test::Column::SampleId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(s, n)| Some((s?, n)))
        .collect())
}
