//! GET /runs/{run_id}/failure-groups: the run's failing tests grouped by cause
//! (`domain::grouping`). A fixed number of statements; the first differing lines are read
//! from storage, a bounded head of each file, a few files at a time.
use crate::api::{
    FailureCause, FailureGroup, FailureGroupMeta, FailureGroupPage, ListFailureGroupsInput,
    ListFailureGroupsResponse, RunSampleStatus,
};
use crate::data::catalog::Catalog;
use crate::data::lookup::JudgedRun;
use crate::domain::DomainError;
use crate::domain::grouping::{Cause, Reason, first_difference, group, reason};
use crate::domain::verdict;
use crate::files::{Key, Storage};
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::page::slice;
use futures_util::{StreamExt, TryStreamExt};
use poem_openapi::payload::Json;
use std::collections::BTreeSet;

/// How much of each file is read to find the first differing line.
const HEAD_BYTES: u64 = 256 * 1024;
/// Files read at once.
const CONCURRENT_READS: usize = 8;

/// A failing test whose cause needs its files read: the baseline and the produced file.
struct ToRead {
    rt: i32,
    output_id: i32,
    expected: Option<Key>,
    actual: Option<Key>,
    got: String,
}

pub async fn handle(
    state: &AppState,
    req: ListFailureGroupsInput,
) -> Result<ListFailureGroupsResponse, ApiError> {
    let run_id = req.run_id;
    let j = JudgedRun::load(&state.db, run_id).await?;
    let failing: Vec<(i32, RunSampleStatus)> = j
        .judging
        .sample_statuses(run_id, j.phase)
        .into_iter()
        .filter(|(_, s)| matches!(s, RunSampleStatus::Fail | RunSampleStatus::MissingOutput))
        .collect();
    let rts: BTreeSet<i32> = failing.iter().map(|(rt, _)| *rt).collect();
    let cat = Catalog::load(&state.db, &rts).await?;

    let mut causes: Vec<(i32, Cause)> = vec![];
    let mut to_read: Vec<ToRead> = vec![];
    for (rt, status) in &failing {
        let facts = j.judging.facts(run_id, *rt, j.phase);
        match reason(*status, &verdict::test_errors(&facts)) {
            Some(Reason::Missing(outputs)) => {
                let mut kinds: Vec<String> = outputs
                    .iter()
                    .map(|o| match cat.output(*rt, *o) {
                        Some(o) => format!(
                            "{}{}",
                            o.correct_extension,
                            o.expected_filename
                                .as_deref()
                                .filter(|f| !f.is_empty())
                                .map(|f| format!(" {f}"))
                                .unwrap_or_default()
                        ),
                        None => "unknown".to_string(),
                    })
                    .collect();
                kinds.sort();
                causes.push((*rt, Cause::MissingOutputs(kinds)));
            }
            Some(Reason::ExitCode { actual }) => {
                let expected = facts.outcome.and_then(|o| o.expected_rc);
                causes.push((*rt, Cause::ExitCode { expected, actual }));
            }
            Some(Reason::Differs { output_id }) => {
                let file =
                    j.judging.files.get(&(run_id, *rt)).and_then(|fs| {
                        fs.iter().find(|f| f.regression_test_output_id == output_id)
                    });
                let ext = cat
                    .output(*rt, output_id)
                    .map(|o| o.correct_extension.clone())
                    .unwrap_or_default();
                let got = file.and_then(|f| f.got.clone()).unwrap_or_default();
                to_read.push(ToRead {
                    rt: *rt,
                    output_id,
                    expected: file.and_then(|f| Key::result(&f.expected, &ext)),
                    actual: Key::result(&got, &ext),
                    got,
                });
            }
            None => {}
        }
    }
    let read: Vec<(i32, Cause)> = futures_util::stream::iter(to_read)
        .map(|t| difference(&state.storage, t))
        .buffered(CONCURRENT_READS)
        .try_collect()
        .await?;
    causes.extend(read);

    let groups: Vec<FailureGroup> = group(causes).into_iter().map(wire).collect();
    let (data, pagination) = slice(groups, req.limit, req.offset);
    Ok(ListFailureGroupsResponse::Ok(Json(FailureGroupPage {
        data,
        pagination,
        meta: FailureGroupMeta {
            run_id,
            failing_tests: failing.len() as i32,
        },
    })))
}

/// The first differing line of the two files, else the produced hash.
async fn difference(storage: &Storage, t: ToRead) -> Result<(i32, Cause), DomainError> {
    let fallback = Cause::ProducedHash {
        output_id: t.output_id,
        got: t.got.clone(),
    };
    let (Some(e), Some(a)) = (&t.expected, &t.actual) else {
        return Ok((t.rt, fallback));
    };
    let (expected, actual) =
        tokio::try_join!(storage.head(e, HEAD_BYTES), storage.head(a, HEAD_BYTES))?;
    let (Some(expected), Some(actual)) = (expected, actual) else {
        return Ok((t.rt, fallback));
    };
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    Ok(
        match first_difference(&text(&expected.bytes), &text(&actual.bytes)) {
            Some((_, expected, actual)) => (t.rt, Cause::FirstDifference { expected, actual }),
            None => (t.rt, fallback),
        },
    )
}

fn wire(g: crate::domain::grouping::Group) -> FailureGroup {
    let mut out = FailureGroup {
        group_key: g.cause.key(),
        cause: FailureCause::ExitCode,
        size: g.tests.len() as i32,
        regression_test_ids: g.tests,
        missing: vec![],
        expected_rc: None,
        exit_code: None,
        expected_line: None,
        actual_line: None,
        output_id: None,
        got: None,
    };
    match g.cause {
        Cause::MissingOutputs(kinds) => {
            out.cause = FailureCause::MissingOutput;
            out.missing = kinds;
        }
        Cause::ExitCode { expected, actual } => {
            out.expected_rc = expected;
            out.exit_code = actual;
        }
        Cause::FirstDifference { expected, actual } => {
            out.cause = FailureCause::FirstDifference;
            out.expected_line = expected;
            out.actual_line = actual;
        }
        Cause::ProducedHash { output_id, got } => {
            out.cause = FailureCause::ProducedHash;
            out.output_id = Some(output_id);
            out.got = Some(got);
        }
    }
    out
}
