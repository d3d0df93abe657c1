//! The implementations of the generated traits: one folder per tag of the spec, holding the
//! `impl <Tag>Api for AppState` (in its `mod.rs`) and one file per operationId, named after it
//! (`getRunSummary` → `runs/get_run_summary.rs`); helpers shared by one tag's operations sit
//! beside them. Handlers never import each other across tags: what several tags share lives in
//! `views`, `data`, `files` or `domain`. Every operation has a handler: a missing one does not compile.
mod auth;
mod errors_and_logs;
mod files;
mod regression_tests;
mod results;
mod runs;
mod samples;
mod system;
mod uploads;
mod users;
mod webhooks;
