//! GET /runs/{run_id}/artifacts: the binary, core dump, combined stdout and build log of a run,
//! then the expected and actual file of each reported output. The list is built from the
//! database alone; storage is asked about the page's entries only (at most `limit` HEAD
//! requests, a few at a time), so a run of thousands of outputs costs what one page costs.
use crate::api::{
    Artifact, ArtifactPage, ArtifactType, ArtifactTypeFilter, ListArtifactsInput,
    ListArtifactsResponse, StorageStatus,
};
use crate::data::catalog::Catalog;
use crate::data::lookup::JudgedRun;
use crate::domain::DomainError;
use crate::files::storage::result_file_name;
use crate::files::{Folder, Key};
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::views::page::{no_meta, slice};
use futures_util::{StreamExt, TryStreamExt};
use poem_openapi::payload::Json;
use std::collections::BTreeSet;

/// Storage requests in flight for one page.
const CONCURRENT_HEADS: usize = 8;

struct Entry {
    id: String,
    sample_id: Option<i32>,
    kind: ArtifactType,
    key: Option<Key>,
    filename: String,
    content_type: &'static str,
}

fn matches(filter: ArtifactTypeFilter, kind: ArtifactType) -> bool {
    // The filter's `sample_output` is what the list calls `actual_output`.
    match filter {
        ArtifactTypeFilter::SampleOutput => kind == ArtifactType::ActualOutput,
        f => f.as_str() == kind.as_str(),
    }
}

pub async fn handle(
    state: &AppState,
    req: ListArtifactsInput,
) -> Result<ListArtifactsResponse, ApiError> {
    let run_id = req.run_id;
    let j = JudgedRun::load(&state.db, run_id).await?;
    let binary = if j.run().platform == "windows" {
        "ccextractorwinfull.exe"
    } else {
        "ccextractor"
    };
    let fixed = |id: &str, kind, key: Option<Key>, filename: &str, content_type| Entry {
        id: format!("{id}_{run_id}"),
        sample_id: None,
        kind,
        key,
        filename: filename.to_string(),
        content_type,
    };
    let mut entries = vec![
        fixed(
            "binary",
            ArtifactType::Binary,
            Key::new(Folder::Artifacts(run_id), binary),
            binary,
            "application/octet-stream",
        ),
        fixed(
            "coredump",
            ArtifactType::Coredump,
            Key::new(Folder::Artifacts(run_id), "coredump"),
            "coredump",
            "application/octet-stream",
        ),
        fixed(
            "stdout",
            ArtifactType::CombinedStdout,
            Key::new(Folder::Artifacts(run_id), "combined_stdout.log"),
            "combined_stdout.log",
            "text/plain",
        ),
        fixed(
            "buildlog",
            ArtifactType::BuildLog,
            Key::run_log(run_id),
            &format!("{run_id}.txt"),
            "text/plain",
        ),
    ];
    let rts: BTreeSet<i32> = j.judging.tests_of(run_id).into_iter().collect();
    let cat = Catalog::load(&state.db, &rts).await?;
    for rt in rts {
        let sample_id = cat.sample_of(rt).map(|s| s.id);
        let mut files: Vec<_> = j
            .judging
            .files
            .get(&(run_id, rt))
            .into_iter()
            .flatten()
            .collect();
        files.sort_by_key(|f| f.regression_test_output_id);
        for f in files {
            let oid = f.regression_test_output_id;
            let ext = cat
                .output(rt, oid)
                .map(|o| o.correct_extension.clone())
                .unwrap_or_default();
            let mut push = |id: String, kind, hash: &str| {
                let filename = result_file_name(hash, &ext);
                entries.push(Entry {
                    id,
                    sample_id,
                    kind,
                    key: Key::result(hash, &ext),
                    filename,
                    content_type: "application/octet-stream",
                });
            };
            push(
                format!("expected_{run_id}_{rt}_{oid}"),
                ArtifactType::ExpectedOutput,
                &f.expected,
            );
            if let Some(got) = &f.got {
                push(
                    format!("actual_{run_id}_{rt}_{oid}"),
                    ArtifactType::ActualOutput,
                    got,
                );
            }
        }
    }
    entries.retain(|e| req.r#type.is_none_or(|t| matches(t, e.kind)));
    let (page, pagination) = slice(entries, req.limit, req.offset);
    let data: Vec<Artifact> = futures_util::stream::iter(page)
        .map(|e| describe(state, run_id, e))
        .buffered(CONCURRENT_HEADS)
        .try_collect()
        .await?;
    Ok(ListArtifactsResponse::Ok(Json(ArtifactPage {
        data,
        pagination,
        meta: no_meta(),
    })))
}

async fn describe(state: &AppState, run_id: i32, e: Entry) -> Result<Artifact, DomainError> {
    let size = match &e.key {
        Some(k) => state.storage.size(k).await?,
        None => None,
    };
    // The build log is read through the logs endpoint, never downloaded.
    let download_url = match (&e.key, size, e.kind) {
        (_, _, ArtifactType::BuildLog) | (None, _, _) | (_, None, _) => None,
        (Some(k), Some(_), _) => state.storage.download_url(k).await,
    };
    Ok(Artifact {
        artifact_id: e.id,
        run_id,
        sample_id: e.sample_id,
        r#type: e.kind,
        filename: e.filename,
        content_type: e.content_type.to_string(),
        size_bytes: size.map(|s| s as i64),
        storage_status: if size.is_some() {
            StorageStatus::Ok
        } else {
            StorageStatus::Missing
        },
        download_url,
    })
}
