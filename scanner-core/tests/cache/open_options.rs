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

/// A server that accepts TCP and never answers: every call must fail within its time limit.
#[tokio::test]
async fn a_frozen_database_fails_within_the_time_limit() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock); // accepted, never read, never answered
        }
    });
    let opts = scanner_core::cache::StoreOptions {
        acquire_timeout: std::time::Duration::from_millis(500),
        query_timeout: std::time::Duration::from_secs(1),
        ..Default::default()
    };
    let start = std::time::Instant::now();
    let err = scanner_core::cache::ScanStore::open(
        Some(&format!("postgres://u:frozenpw@127.0.0.1:{port}/db")),
        opts,
    )
    .await
    .unwrap_err();
    let took = start.elapsed();
    assert_eq!(err.kind(), scanner_core::ErrorKind::Timeout, "{err}");
    assert!(took < std::time::Duration::from_secs(5), "took {took:?}");
    assert!(!err.to_string().contains("frozenpw"), "{err}");
    hold.abort();
}
