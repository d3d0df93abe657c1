//! spci: the CI results API, spec-first.
//!
//! `openapi-ci-api.yaml` → `build.rs` (with `codegen/`) → `generated/api.rs`: types, one
//! response enum per operation, one trait per tag, poem-openapi adapters. A request goes through
//! `http` (the middleware stack) to the generated adapter, then to `handlers/<tag>/<operation>.rs`,
//! which uses `views` (rows to wire types), `data` (database), `files` (storage), `auth` and the
//! pure rules of `domain`. Dependencies point that way only.
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
pub mod auth;
pub mod cli;
pub mod config;
pub mod data;
pub mod domain;
pub mod files;
pub mod github;
pub mod handlers;
pub mod http;
pub mod live;
pub mod mail;
pub mod mcp;
pub mod metrics;
pub mod seed;
pub mod startup;
pub mod state;
#[cfg(test)]
mod tests;
pub mod types;
pub mod views;
