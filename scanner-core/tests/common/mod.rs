//! Helpers shared by the integration tests: where the real public-domain data lives.
#![allow(dead_code)]

use std::path::PathBuf;

/// The shared data folder (`$OPTSCAN_SHARED_DATA`, else `../../shared/data` beside the
/// repository), or `None` with a printed "skipped" note when it is absent.
pub fn shared_data(sub: &str, test: &str) -> Option<PathBuf> {
    let base = std::env::var_os("OPTSCAN_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data"));
    let dir = base.join(sub);
    if dir.exists() {
        Some(dir)
    } else {
        eprintln!("skipped: {test}: real data not found at {}", dir.display());
        None
    }
}
