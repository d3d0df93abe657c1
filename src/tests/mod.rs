//! HTTP-level tests against the real application (a fresh database per test) and the spec drift
//! test. Compiled only for `cargo test`.
mod auth;
mod category_admin;
mod coexistence;
mod common;
mod errors;
mod fixtures;
mod github_standin;
mod hardening;
mod health;
mod library;
mod no_n_plus_one;
mod outputs;
mod run_actions;
mod run_errors;
mod runs;
mod snapshots;
mod spec_drift;
mod stored_files;
mod system_admin;
mod upstream_names;
mod user_admin;
mod verdicts;
mod wire;
mod world;
