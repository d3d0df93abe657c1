//! The base runs a comparison can use, found as upstream finds them: a run counts as completed
//! when it has a `completed` progress row, and the most recently completed comes first. A rerun
//! is never a base: it repeats some of an earlier run's tests (often one), and the run it
//! repeats stands for its commit.
use super::entity::{spci_rerun, test, test_progress};
use super::loaders::{Judging, Runs};
use crate::api::ComparisonClass;
use crate::domain::comparison::{TestState, classify, signature};
use crate::domain::verdict;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait,
};
use std::collections::BTreeMap;

fn completed_on(platform: &str, except: i32) -> sea_orm::Select<test::Entity> {
    test::Entity::find()
        .join(JoinType::InnerJoin, test::Relation::TestProgress.def())
        .filter(test_progress::Column::Status.eq("completed"))
        .filter(test::Column::Platform.eq(platform))
        .filter(test::Column::Id.ne(except))
        .filter(
            Expr::col((test::Entity, test::Column::Id)).not_in_subquery(
                Query::select()
                    .column(spci_rerun::Column::RunId)
                    .from(spci_rerun::Entity)
                    .to_owned(),
            ),
        )
        .order_by_desc(test_progress::Column::Id)
}

/// The latest completed run of a master commit on `platform`, other than `except`.
pub async fn latest_master(
    db: &impl ConnectionTrait,
    platform: &str,
    except: i32,
) -> Result<Option<test::Model>, DbErr> {
    completed_on(platform, except)
        .filter(test::Column::Branch.eq("master"))
        .filter(test::Column::TestType.eq("commit"))
        .one(db)
        .await
}

/// The completed runs of these commits on `platform`, other than `except`, most recently
/// completed first (a run may repeat, once per completed row).
pub async fn completed_runs_of(
    db: &impl ConnectionTrait,
    platform: &str,
    commits: &[String],
    except: i32,
) -> Result<Vec<test::Model>, DbErr> {
    if commits.is_empty() {
        return Ok(vec![]);
    }
    completed_on(platform, except)
        .filter(test::Column::Commit.is_in(commits.iter().cloned()))
        .all(db)
        .await
}

/// Each test of a run with its status (the verdict module's) and signature.
pub fn states_of(j: &Judging, run: i32, phase: verdict::Phase) -> BTreeMap<i32, TestState> {
    j.tests_of(run)
        .into_iter()
        .map(|rt| {
            let facts = j.facts(run, rt, phase);
            let state = TestState {
                status: verdict::sample_status(&facts),
                signature: signature(facts.produced),
            };
            (rt, state)
        })
        .collect()
}

/// The tests a completed run breaks against the latest other completed master run of its
/// platform (`broken_here`: failing here, passing there), with that run; `None` without a base.
pub async fn broken_against_master(
    db: &impl ConnectionTrait,
    run: &test::Model,
) -> Result<Option<(i32, Vec<i32>)>, DbErr> {
    let Some(base) = latest_master(db, &run.platform, run.id).await? else {
        return Ok(None);
    };
    let ids = [run.id, base.id];
    let (runs, judging) = (Runs::load(db, &ids).await?, Judging::load(db, &ids).await?);
    let here = states_of(&judging, run.id, runs.phase(run.id));
    let there = states_of(&judging, base.id, runs.phase(base.id));
    let broken = here
        .iter()
        .filter(|(rt, s)| classify(Some(s), there.get(rt)) == ComparisonClass::BrokenHere)
        .map(|(rt, _)| *rt)
        .collect();
    Ok(Some((base.id, broken)))
}
