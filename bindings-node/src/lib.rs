//! # optscan for Node.js
//!
//! The npm package `optscan`: napi-rs glue that converts JS values to `scanner_core` types
//! and back. It exists so a Next.js route can serve cached scans in-process and run live
//! scans without spawning Python or blocking the event loop. No scanning logic lives here;
//! module files mirror the core's (`pricing`, `market`, `scan`, `cache`), with errors mapped
//! once in [`error`] and the one async runtime in [`runtime`].
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod cache;
pub mod cache_json;
pub mod error;
pub mod host;
pub mod http;
pub mod js_json;
pub mod js_source;
pub mod market;
pub mod pricing;
pub mod runtime;
pub mod scan;
pub mod scheduled;
pub mod screen;
pub mod store_options;
pub mod subscription;
