//! Seeding: the demo dataset `spci demo` serves, and synthetic runs for load tests.
pub mod demo;
pub mod story;
pub mod synthetic;
