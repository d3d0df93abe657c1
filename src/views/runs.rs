//! Runs as the wire shows them.
use crate::api;
use crate::data::entity::{test, test_progress};
use crate::data::loaders::Runs;
use crate::types::UtcDateTime;

/// The wire form of a run; `(status, effective status)` come from the verdict rules.
pub fn run(
    runs: &Runs,
    run: &test::Model,
    (status, effective_status): (api::RunStatus, api::RunStatus),
) -> api::Run {
    let progress = runs.progress_of(run.id);
    let at = |p: &test_progress::Model| Some(UtcDateTime::from_naive_utc(p.timestamp));
    let first = progress.first().and_then(at);
    let repo = runs.repository_url(run).and_then(repository_slug);
    let web = runs.repository_url(run).map(repository_web_url);
    let pr_number = (run.pr_nr > 0).then_some(run.pr_nr);
    let github_link = web.map(|w| match pr_number {
        Some(n) => format!("{w}/pull/{n}"),
        None => format!("{w}/commit/{}", run.commit),
    });
    let platform = platform(&run.platform);
    let (attempt, rerun_of) = runs.lineage(run.id);
    api::Run {
        run_id: run.id,
        attempt,
        rerun_of,
        status,
        effective_status,
        platform,
        platform_in_maintenance: runs.in_maintenance(platform),
        test_type: if run.test_type == "pr" || pr_number.is_some() {
            api::TestType::Pr
        } else {
            api::TestType::Commit
        },
        repository: repo.unwrap_or_default(),
        branch: Some(run.branch.clone()).filter(|b| !b.is_empty()),
        commit_sha: run.commit.clone(),
        pr_number,
        created_at: first,
        queued_at: first,
        started_at: started_at(progress),
        completed_at: progress
            .iter()
            .rev()
            .find(|p| p.status == "completed" || p.status == "canceled")
            .and_then(at),
        github_link,
    }
}

/// When a run started: its first `testing` row (upstream's rule, on every endpoint).
pub fn started_at(progress: &[test_progress::Model]) -> Option<UtcDateTime> {
    progress
        .iter()
        .find(|p| p.status == "testing")
        .map(|p| UtcDateTime::from_naive_utc(p.timestamp))
}

pub fn platform(s: &str) -> api::Platform {
    api::Platform::parse(s).unwrap_or(api::Platform::Linux)
}

/// `https://github.com/owner/repo.git` → `owner/repo`.
pub fn repository_slug(url: &str) -> Option<String> {
    let path = url
        .trim_end_matches('/')
        .trim_end_matches(".git")
        .rsplitn(3, '/')
        .take(2)
        .collect::<Vec<_>>();
    match path.as_slice() {
        [repo, owner] if !repo.is_empty() && !owner.is_empty() && !owner.contains(':') => {
            Some(format!("{owner}/{repo}"))
        }
        _ => None,
    }
}

pub fn repository_web_url(url: &str) -> String {
    url.trim_end_matches('/')
        .trim_end_matches(".git")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::repository_slug;

    #[test]
    fn repository_slug_table() {
        let cases = [
            (
                "https://github.com/CCExtractor/ccextractor.git",
                Some("CCExtractor/ccextractor"),
            ),
            (
                "https://github.com/test_owner/test_repo.git",
                Some("test_owner/test_repo"),
            ),
            ("https://github.com/a/b/", Some("a/b")),
            ("https://github.com/a/b", Some("a/b")),
            ("nonsense", None),
            ("", None),
        ];
        for (url, want) in cases {
            assert_eq!(repository_slug(url).as_deref(), want, "{url}");
        }
    }
}
