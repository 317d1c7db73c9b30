//! Bad input never panics, never leaks a secret, never leaves a lease behind and never
//! replaces the good cached scan: each case exits 1 or 2 with a clear message.

mod common;

use common::{optscan, stderr};

use sqlx::Connection;

fn latest_id(db: &str) -> String {
    let out = optscan(&["latest", "--db", db, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("latest JSON");
    v["scanId"].as_str().expect("scanId").to_owned()
}

fn leases_left(path: &std::path::Path) -> i64 {
    let rt = tokio_rt();
    rt.block_on(async {
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
            .await
            .expect("open the cache");
        sqlx::query_scalar("SELECT count(*) FROM scanner_locks")
            .fetch_one(&mut c)
            .await
            .expect("count leases")
    })
}

fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn bad_input_keeps_the_good_scan_and_leaves_no_lease() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cache.db");
    let db = format!("sqlite://{}", file.display());
    let good = optscan(&[
        "scan",
        "--db",
        &db,
        "--universe",
        "8",
        "--max-symbols",
        "4",
        "--no-backtest",
    ]);
    assert!(good.status.success(), "{}", stderr(&good));
    let good_id = latest_id(&db);

    let write = |name: &str, text: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let huge_concurrency = write("c1.json", br#"{"fetchConcurrency": 18446744073709551615}"#);
    let huge_deadline = write("c2.json", br#"{"symbolDeadlineSecs": 1e300}"#);
    let junk = dir.path().join("junk");
    std::fs::create_dir_all(&junk).unwrap();
    std::fs::write(junk.join("empty.csv"), b"").unwrap();
    std::fs::write(junk.join("binary.csv"), [0u8, 159, 146, 150, 255, 0, 1]).unwrap();
    std::fs::write(junk.join("garbage.csv"), b"this,is\nnot,prices\n").unwrap();
    let short = dir.path().join("short");
    std::fs::create_dir_all(&short).unwrap();
    let mut bars = String::from("Date,Open,High,Low,Close,Volume,OpenInt\n");
    for d in 1..=20 {
        bars.push_str(&format!("2017-10-{d:02},10,11,9,10.5,100000,0\n"));
    }
    std::fs::write(short.join("tiny.us.txt"), bars).unwrap();
    let junk_src = format!("csv:{}", junk.display());
    let short_src = format!("csv:{}", short.display());

    let cases: Vec<(&str, Vec<&str>)> = vec![
        (
            "huge --every",
            vec!["worker", "--once", "--every", "1000000000000000000000h"],
        ),
        (
            "negative --every",
            vec!["worker", "--once", "--every", "-5m"],
        ),
        ("huge --lease-ttl", vec!["scan", "--lease-ttl", "99999h"]),
        (
            "fetchConcurrency 2^64-1",
            vec!["scan", "--config", &huge_concurrency],
        ),
        (
            "symbolDeadlineSecs 1e300",
            vec!["scan", "--config", &huge_deadline],
        ),
        ("--as-of garbage", vec!["scan", "--as-of", "garbage"]),
        ("--universe 0", vec!["scan", "--universe", "0"]),
        ("--universe 4e9", vec!["scan", "--universe", "4000000000"]),
        (
            "both modes, junk csv",
            vec!["scan", "--filter-mode", "both", "--source", &junk_src],
        ),
        ("every symbol fails", vec!["scan", "--source", &short_src]),
    ];
    for (what, mut args) in cases {
        args.extend(["--db", &db]);
        let out = optscan(&args);
        let err = stderr(&out);
        let code = out.status.code();
        assert!(
            matches!(code, Some(1) | Some(2)),
            "{what}: exit {code:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{what}: {err}");
        assert!(err.starts_with("error: "), "{what}: a clear error: {err}");
        assert_eq!(
            latest_id(&db),
            good_id,
            "{what}: the good scan is still served"
        );
        assert_eq!(leases_left(&file), 0, "{what}: a lease was left behind");
    }
}

#[test]
fn malformed_urls_never_echo_the_password() {
    for url in [
        "postgres://u:sec/retpw@127.0.0.1:1/db",
        "postgres://u:sec#retpw@127.0.0.1:1/db",
        "postgres://u:sec?retpw@127.0.0.1:1/db",
    ] {
        for cmd in ["scan", "latest", "migrate"] {
            let out = optscan(&[cmd, "--db", url]);
            let err = stderr(&out);
            assert!(
                matches!(out.status.code(), Some(1) | Some(2)),
                "{cmd} {url}: {err}"
            );
            assert!(!err.contains("retpw"), "{cmd}: password leaked: {err}");
        }
    }
}

#[test]
fn unknown_config_keys_fail_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("typo.toml", "maxResultz = 5\n"),
        ("typo.json", r#"{"maxResultz": 5}"#),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let out = optscan(&["scan", "--no-save", "--config", &path.display().to_string()]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("did you mean `maxResults`"), "{err}");
    }
    // snake_case keys (the TOML and Python convention) are read as well.
    let path = dir.path().join("snake.toml");
    std::fs::write(
        &path,
        "max_results = 3\nmax_symbols = 4\nbacktest = false\n",
    )
    .unwrap();
    let out = optscan(&[
        "scan",
        "--no-save",
        "--json",
        "--config",
        &path.display().to_string(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["opportunities"].as_array().unwrap().len() <= 3);
    assert_eq!(v["symbolsScanned"].as_array().unwrap().len(), 4);
}

#[test]
fn a_frozen_database_fails_every_command_within_its_time_limit() {
    // Accepts TCP, never answers (a hung server or a black-holed proxy).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    let db = format!("postgres://u:frozenpw@127.0.0.1:{port}/db");
    for cmd in [
        &["latest"][..],
        &["history"],
        &["cleanup"],
        &["migrate"],
        &["scan", "--universe", "3"],
    ] {
        let start = std::time::Instant::now();
        let out = optscan(&[cmd, &["--db", &db, "--db-timeout", "2s"]].concat());
        let took = start.elapsed();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{cmd:?}: {err}");
        assert!(err.contains("Timeout"), "{cmd:?}: {err}");
        assert!(!err.contains("frozenpw"), "{cmd:?}: {err}");
        assert!(
            took < std::time::Duration::from_secs(8),
            "{cmd:?} took {took:?}"
        );
    }
}
