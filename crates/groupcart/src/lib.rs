//! The `groupcart` binary's library half: configuration, wiring of the drivers into a
//! running application, sandbox mode and benchmarks. `main.rs` only parses the command line.

pub mod app;
pub mod bench;
pub mod bench_analytics;
pub mod bench_crm;
pub mod bench_jobs;
pub mod catalog_cli;
pub mod config;
pub mod keys;
pub mod sandbox;
pub mod storage;
pub mod user_cli;
