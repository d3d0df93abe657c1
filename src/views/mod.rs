//! Rows to wire types: the page envelope and the shapes several operations share.
pub mod categories;
pub mod events;
pub mod page;
pub mod quarantine;
pub mod regression_tests;
pub mod run_sample;
pub mod runs;
pub mod samples;
pub mod stored_file;
pub mod users;
pub mod webhooks;
