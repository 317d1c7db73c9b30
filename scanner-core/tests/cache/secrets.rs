//! A connection string's password never shows in errors or Debug output.

use scanner_core::cache::{ScanStore, StoreOptions};

use crate::harness::{pg_admin_url, skip};

const PW: &str = "Sup3r-s3cret-PW";

#[tokio::test]
async fn password_not_in_connection_errors() {
    // Nothing listens on port 1: connecting fails after parsing the password.
    for url in [
        format!("postgres://app:{PW}@127.0.0.1:1/db"),
        format!("postgres://app:{PW}@127.0.0.1:1/db?pgbouncer=true"),
        format!("postgres://app:{PW}@127.0.0.1:notaport/db"),
        format!("mysql://app:{PW}@127.0.0.1/db"),
        // A reachable server (when there is one) refusing an unknown database.
        format!("postgres://postgres:{PW}@127.0.0.1:5432/optscan_no_such_db"),
    ] {
        let opts = StoreOptions {
            migrate: false,
            acquire_timeout: std::time::Duration::from_millis(500),
            ..Default::default()
        };
        let err = ScanStore::open(Some(&url), opts)
            .await
            .expect_err("must fail");
        let shown = format!("{err} | {err:?}");
        assert!(!shown.contains(PW), "password leaked: {shown}");
        assert!(
            err.to_string().contains(":***@"),
            "says which server, redacted: {err}"
        );
    }
}

#[tokio::test]
async fn password_not_in_debug_or_redacted_url() {
    // Trust auth accepts any password, so a real store can be opened with one.
    let mut url = url::Url::parse(&pg_admin_url()).unwrap();
    if url.set_password(Some(PW)).is_err() {
        return skip("admin URL cannot carry a password");
    }
    let store = match ScanStore::open(
        Some(url.as_str()),
        StoreOptions {
            migrate: false,
            ..Default::default()
        },
    )
    .await
    {
        Ok(s) => s,
        Err(e) => return skip(&format!("PostgreSQL not reachable: {e}")),
    };
    let shown = format!("{store:?} {}", store.redacted_url());
    assert!(!shown.contains(PW), "password leaked: {shown}");
    assert!(store.redacted_url().contains(":***@"));
}
