//! SDKs generated from upstream's spec call the same methods on the same API classes against
//! spci: the spec's operationIds and tags are upstream's, and every schema upstream names is
//! named the same here (spci may name schemas upstream left inline). The table is upstream's
//! (sample-platform openapi-ci-api.yaml v1.2.0).
use super::spec_drift::yaml_spec;
use std::collections::BTreeSet;

/// (method, path, operationId, tag) of every upstream operation.
const UPSTREAM_OPERATIONS: &[(&str, &str, &str, &str)] = &[
    ("GET", "/auth/tokens", "listTokens", "Auth"),
    ("POST", "/auth/tokens", "createToken", "Auth"),
    (
        "DELETE",
        "/auth/tokens/current",
        "revokeCurrentToken",
        "Auth",
    ),
    ("DELETE", "/auth/tokens/{token_id}", "revokeToken", "Auth"),
    ("POST", "/auth/signup", "signup", "Auth"),
    (
        "POST",
        "/auth/password-reset",
        "requestPasswordReset",
        "Auth",
    ),
    (
        "POST",
        "/auth/password-reset/complete",
        "completePasswordReset",
        "Auth",
    ),
    ("GET", "/auth/me", "getCurrentUser", "Auth"),
    ("PATCH", "/auth/me", "updateAccount", "Auth"),
    ("GET", "/runs", "listRuns", "Runs"),
    ("POST", "/runs", "createRun", "Runs"),
    ("GET", "/runs/{run_id}", "getRun", "Runs"),
    ("GET", "/runs/{run_id}/summary", "getRunSummary", "Runs"),
    ("GET", "/runs/{run_id}/progress", "getRunProgress", "Runs"),
    ("POST", "/runs/{run_id}/restart", "restartRun", "Runs"),
    ("POST", "/runs/{run_id}/cancel", "cancelRun", "Runs"),
    ("GET", "/runs/{run_id}/config", "getRunConfig", "Runs"),
    ("GET", "/runs/{run_id}/samples", "listRunSamples", "Samples"),
    (
        "GET",
        "/runs/{run_id}/samples/{regression_test_id}",
        "getRunSample",
        "Samples",
    ),
    ("GET", "/samples", "listSamples", "Samples"),
    ("GET", "/samples/{sample_id}", "getSample", "Samples"),
    ("PATCH", "/samples/{sample_id}", "updateSample", "Samples"),
    ("DELETE", "/samples/{sample_id}", "deleteSample", "Samples"),
    (
        "GET",
        "/samples/{sample_id}/details",
        "getSampleDetails",
        "Samples",
    ),
    (
        "GET",
        "/samples/{sample_id}/download",
        "downloadSample",
        "Samples",
    ),
    (
        "GET",
        "/samples/{sample_id}/history",
        "getSampleHistory",
        "Samples",
    ),
    ("GET", "/regression-tests", "listRegressionTests", "Samples"),
    (
        "POST",
        "/regression-tests",
        "createRegressionTest",
        "Samples",
    ),
    ("GET", "/categories", "listCategories", "Samples"),
    ("POST", "/categories", "createCategory", "Samples"),
    (
        "PATCH",
        "/categories/{category_id}",
        "updateCategory",
        "Samples",
    ),
    (
        "DELETE",
        "/categories/{category_id}",
        "deleteCategory",
        "Samples",
    ),
    (
        "GET",
        "/regression-tests/{regression_test_id}",
        "getRegressionTest",
        "Samples",
    ),
    (
        "DELETE",
        "/regression-tests/{regression_test_id}",
        "deleteRegressionTest",
        "Samples",
    ),
    (
        "PATCH",
        "/regression-tests/{regression_test_id}",
        "updateRegressionTest",
        "Samples",
    ),
    (
        "GET",
        "/regression-tests/{regression_test_id}/outputs/{output_id}/download",
        "downloadRegressionTestOutput",
        "Regression Tests",
    ),
    (
        "GET",
        "/regression-tests/{regression_test_id}/outputs/{output_id}/variants/{variant_id}/download",
        "downloadRegressionTestVariant",
        "Regression Tests",
    ),
    (
        "POST",
        "/regression-tests/{regression_test_id}/outputs/{output_id}/variants",
        "createRegressionTestVariant",
        "Regression Tests",
    ),
    (
        "DELETE",
        "/regression-tests/{regression_test_id}/outputs/{output_id}/variants/{variant_id}",
        "deleteRegressionTestVariant",
        "Regression Tests",
    ),
    (
        "GET",
        "/samples/{sample_id}/media-info/download",
        "downloadSampleMediaInfo",
        "Samples",
    ),
    (
        "GET",
        "/samples/{sample_id}/extra-files/{extra_id}/download",
        "downloadSampleExtraFile",
        "Samples",
    ),
    (
        "DELETE",
        "/samples/{sample_id}/extra-files/{extra_id}",
        "deleteSampleExtraFile",
        "Samples",
    ),
    ("GET", "/tags", "listTags", "Samples"),
    ("POST", "/tags", "createTag", "Samples"),
    ("GET", "/system/about", "systemAbout", "System"),
    (
        "POST",
        "/users/{user_id}/deactivate",
        "deactivateUser",
        "Auth",
    ),
    ("POST", "/samples/upload", "uploadSample", "Uploads"),
    ("GET", "/queued-samples", "listQueuedSamples", "Uploads"),
    (
        "GET",
        "/queued-samples/{queued_id}",
        "getQueuedSample",
        "Uploads",
    ),
    (
        "DELETE",
        "/queued-samples/{queued_id}",
        "deleteQueuedSample",
        "Uploads",
    ),
    (
        "POST",
        "/queued-samples/{queued_id}/finalize",
        "finalizeQueuedSample",
        "Uploads",
    ),
    (
        "POST",
        "/users/{user_id}/password-reset",
        "sendUserPasswordReset",
        "Auth",
    ),
    ("GET", "/auth/me/github", "getGithubLink", "Auth"),
    ("DELETE", "/auth/me/github", "unlinkGithub", "Auth"),
    (
        "GET",
        "/auth/me/ftp-credentials",
        "getFtpCredentials",
        "Uploads",
    ),
    (
        "POST",
        "/queued-samples/{queued_id}/link",
        "linkQueuedSample",
        "Uploads",
    ),
    ("GET", "/system/maintenance", "getMaintenance", "System"),
    (
        "PATCH",
        "/system/maintenance/{platform}",
        "updateMaintenance",
        "System",
    ),
    ("GET", "/system/blocked-users", "listBlockedUsers", "System"),
    (
        "POST",
        "/system/blocked-users",
        "createBlockedUser",
        "System",
    ),
    (
        "DELETE",
        "/system/blocked-users/{user_id}",
        "deleteBlockedUser",
        "System",
    ),
    (
        "GET",
        "/system/forbidden-extensions",
        "listForbiddenExtensions",
        "System",
    ),
    (
        "POST",
        "/system/forbidden-extensions",
        "createForbiddenExtension",
        "System",
    ),
    (
        "DELETE",
        "/system/forbidden-extensions/{extension}",
        "deleteForbiddenExtension",
        "System",
    ),
    ("GET", "/users", "listUsers", "Users"),
    ("GET", "/users/{user_id}", "getUser", "Auth"),
    ("PATCH", "/users/{user_id}", "updateUserRole", "Users"),
    (
        "GET",
        "/runs/{run_id}/samples/{sample_id}/regression-tests/{regression_id}/outputs/{output_id}/expected",
        "getExpectedOutput",
        "Results",
    ),
    (
        "GET",
        "/runs/{run_id}/samples/{sample_id}/regression-tests/{regression_id}/outputs/{output_id}/actual",
        "getActualOutput",
        "Results",
    ),
    (
        "GET",
        "/runs/{run_id}/samples/{sample_id}/regression-tests/{regression_id}/outputs/{output_id}/diff",
        "getDiff",
        "Results",
    ),
    (
        "POST",
        "/runs/{run_id}/samples/{sample_id}/baseline-approval",
        "approveBaseline",
        "Results",
    ),
    (
        "GET",
        "/runs/{run_id}/errors",
        "listRunErrors",
        "Errors and Logs",
    ),
    (
        "GET",
        "/runs/{run_id}/infrastructure-errors",
        "listInfraErrors",
        "Errors and Logs",
    ),
    (
        "GET",
        "/runs/{run_id}/logs",
        "getRunLogs",
        "Errors and Logs",
    ),
    (
        "GET",
        "/runs/{run_id}/samples/{sample_id}/logs",
        "getSampleLogs",
        "Errors and Logs",
    ),
    (
        "GET",
        "/runs/{run_id}/error-summary",
        "getErrorSummary",
        "Errors and Logs",
    ),
    ("GET", "/system/health", "getHealth", "System"),
    ("GET", "/system/queue", "getQueue", "System"),
    ("GET", "/runs/{run_id}/artifacts", "listArtifacts", "System"),
];

/// Upstream's declared tags, in its order; `Regression Tests` and `Uploads` are tags its
/// operations use without declaring them, declared here after the seven.
/// Operations upstream does not have, each for a reason a switching client can read in its
/// description; none renames or replaces one of upstream's.
const SPCI_ONLY_OPERATIONS: &[(&str, &str, &str, &str)] = &[
    // Liveness apart from readiness, so an orchestrator does not restart for an outage.
    ("GET", "/system/health/live", "getLiveness", "System"),
    // Upstream records no administrative change; admins read spci's audit trail here.
    ("GET", "/audit-log", "listAuditLog", "System"),
    // Upstream completes a sign-up on a web page; an API-only deployment needs the operation.
    ("POST", "/auth/signup/complete", "completeSignup", "Auth"),
    // GitHub's OAuth redirect back, which carries no bearer token (upstream: a web route).
    ("GET", "/auth/github/callback", "completeGithubLink", "Auth"),
    // Upstream's local store serves no file at all; spci signs links to it as S3 and GCS do.
    ("GET", "/files/{file_token}", "downloadFile", "Files"),
    // Upstream compares runs only inside its pull-request comment; spci serves the comparison.
    (
        "GET",
        "/runs/{run_id}/comparison",
        "getRunComparison",
        "Runs",
    ),
    // Upstream lists failures one by one; grouped by cause, one root cause is read once.
    (
        "GET",
        "/runs/{run_id}/failure-groups",
        "listFailureGroups",
        "Runs",
    ),
    // Upstream restarts a run in place, erasing its results; a rerun keeps them and links.
    ("POST", "/runs/{run_id}/rerun", "rerunRun", "Runs"),
    // Flakiness is nowhere upstream: which tests flip between pass and fail across runs.
    (
        "GET",
        "/regression-tests/flaky",
        "listFlakyTests",
        "Regression Tests",
    ),
    (
        "GET",
        "/regression-tests/{regression_test_id}/stability",
        "getRegressionTestStability",
        "Regression Tests",
    ),
    // Quarantine is nowhere upstream: a known-flaky test's failures stop failing runs for a
    // while, without changing any status upstream reports.
    (
        "GET",
        "/regression-tests/quarantined",
        "listQuarantines",
        "Regression Tests",
    ),
    (
        "POST",
        "/regression-tests/{regression_test_id}/quarantine",
        "quarantineRegressionTest",
        "Regression Tests",
    ),
    (
        "DELETE",
        "/regression-tests/{regression_test_id}/quarantine",
        "liftQuarantine",
        "Regression Tests",
    ),
    // Following a run as it happens, instead of polling.
    ("GET", "/runs/{run_id}/events", "streamRunEvents", "Runs"),
    (
        "GET",
        "/runs/{run_id}/logs/stream",
        "streamRunLog",
        "Errors and Logs",
    ),
    ("GET", "/rate-limit", "getRateLimit", "System"),
    ("GET", "/webhooks", "listWebhooks", "Webhooks"),
    ("POST", "/webhooks", "createWebhook", "Webhooks"),
    (
        "DELETE",
        "/webhooks/{webhook_id}",
        "deleteWebhook",
        "Webhooks",
    ),
    (
        "GET",
        "/webhooks/{webhook_id}/deliveries",
        "listWebhookDeliveries",
        "Webhooks",
    ),
    (
        "POST",
        "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
        "redeliverWebhookDelivery",
        "Webhooks",
    ),
];

/// Tags upstream has no operation for, declared after its own.
const SPCI_ONLY_TAGS: &[&str] = &["Files", "Webhooks"];

const UPSTREAM_TAGS: &[&str] = &[
    "Auth",
    "Runs",
    "Samples",
    "Results",
    "Errors and Logs",
    "System",
    "Users",
    "Regression Tests",
    "Uploads",
];

const UPSTREAM_SCHEMAS: &[&str] = &[
    "Page",
    "CursorPage",
    "ErrorResponse",
    "ApiTokenItem",
    "TokenCreateRequest",
    "AuthToken",
    "RunCreateRequest",
    "Run",
    "RunSummary",
    "ProgressEvent",
    "RunActionResult",
    "RunConfig",
    "Sample",
    "DeletedResource",
    "Category",
    "CategoryCreateRequest",
    "CategoryUpdateRequest",
    "RegressionTestDetail",
    "StoredFile",
    "MaintenanceState",
    "MaintenanceUpdateRequest",
    "BlockedUser",
    "BlockedUserCreateRequest",
    "ForbiddenExtensionCreateRequest",
    "CurrentUser",
    "PlatformUser",
    "RoleUpdateRequest",
    "SampleDetails",
    "RegressionTestCreateRequest",
    "RegressionTestUpdateRequest",
    "RegressionTest",
    "RunSample",
    "SampleHistoryEntry",
    "OutputFile",
    "Diff",
    "UnifiedDiff",
    "BaselineApprovalRequest",
    "BaselineApproval",
    "ErrorItem",
    "LogLine",
    "ErrorSummaryBucket",
    "SystemHealth",
    "QueueJob",
    "Artifact",
];

#[test]
fn operation_ids_and_tags_are_upstreams() {
    let yaml = yaml_spec();
    let mut ours = BTreeSet::new();
    for (path, item) in yaml["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let tags = op["tags"].as_array().unwrap();
            assert_eq!(tags.len(), 1, "{method} {path}");
            ours.insert((
                method.to_uppercase(),
                path.clone(),
                op["operationId"].as_str().unwrap().to_string(),
                tags[0].as_str().unwrap().to_string(),
            ));
        }
    }
    let upstream: BTreeSet<(String, String, String, String)> = UPSTREAM_OPERATIONS
        .iter()
        .map(|(m, p, id, t)| (m.to_string(), p.to_string(), id.to_string(), t.to_string()))
        .collect();
    let missing: Vec<_> = upstream.difference(&ours).collect();
    let spci_only: BTreeSet<(String, String, String, String)> = SPCI_ONLY_OPERATIONS
        .iter()
        .map(|(m, p, id, t)| (m.to_string(), p.to_string(), id.to_string(), t.to_string()))
        .collect();
    let extra: Vec<_> = ours
        .difference(&upstream)
        .filter(|o| !spci_only.contains(*o))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "upstream only: {missing:#?}\nspci only: {extra:#?}"
    );
}

#[test]
fn declared_tags_are_upstreams_in_its_order_then_spcis() {
    let yaml = yaml_spec();
    let tags: Vec<&str> = yaml["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let want: Vec<&str> = UPSTREAM_TAGS
        .iter()
        .chain(SPCI_ONLY_TAGS)
        .copied()
        .collect();
    assert_eq!(tags, want);
}

#[test]
fn every_schema_upstream_names_has_its_name() {
    let yaml = yaml_spec();
    let schemas = yaml["components"]["schemas"].as_object().unwrap();
    let missing: Vec<&&str> = UPSTREAM_SCHEMAS
        .iter()
        .filter(|s| !schemas.contains_key(**s))
        .collect();
    assert!(missing.is_empty(), "{missing:?}");
}
