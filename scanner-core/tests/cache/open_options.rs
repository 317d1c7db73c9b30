//! Opening a store: options that could never work are refused with a clear error.

use scanner_core::cache::{ScanStore, StoreOptions};

#[tokio::test]
async fn zero_timeouts_are_rejected_on_open() {
    for opts in [
        StoreOptions {
            acquire_timeout: std::time::Duration::ZERO,
            ..StoreOptions::default()
        },
        StoreOptions {
            poll_interval: std::time::Duration::ZERO,
            ..StoreOptions::default()
        },
    ] {
        let err = ScanStore::open(Some("sqlite::memory:"), opts)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), scanner_core::ErrorKind::InvalidInput, "{err}");
    }
}
