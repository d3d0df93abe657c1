//! spci: the CI results API, spec-first.
//!
//! `openapi-ci-api.yaml` → `build.rs` → `generated/api.rs` (types, response enums, one trait per
//! tag, poem-openapi adapters); `handlers/` implements the traits.
#[allow(
    clippy::all,
    clippy::pedantic,
    dead_code,
    unused_imports,
    unused_variables,
    non_camel_case_types
)]
pub mod api {
    include!("../generated/api.rs");
}
pub mod app;
pub mod auth;
pub mod body_schema;
pub mod catalog;
pub mod classify;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod diff;
pub mod error;
pub mod facts;
pub mod forks;
pub mod handlers;
pub mod logs;
pub mod middleware;
pub mod ratelimit;
pub mod routing;
pub mod storage;
pub mod synthetic;
#[cfg(test)]
mod tests;
pub mod types;
pub mod verdict;
pub mod verdict_cache;
