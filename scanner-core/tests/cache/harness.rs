//! Test databases: a SQLite temp file, a fresh PostgreSQL database per test, and the same
//! database reached through a PgBouncer in transaction mode started for the test.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use scanner_core::cache::{ScanStore, StoreOptions};
use sqlx::Connection;

/// Where a behaviour case runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Sqlite,
    Postgres,
    PgBouncer,
}

/// The server tests use; override with `OPTSCAN_TEST_PG`.
pub fn pg_admin_url() -> String {
    std::env::var("OPTSCAN_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn in_ci() -> bool {
    std::env::var_os("CI").is_some()
}

/// Print a skip message, or fail when running in CI.
pub fn skip(why: &str) {
    assert!(!in_ci(), "CI is set, so this may not be skipped: {why}");
    eprintln!("skipped: {why}");
}

/// A database for one test; dropped (and for Postgres, DROP DATABASE'd) at the end.
pub struct TestDb {
    pub target: Target,
    /// The URL the store under test uses.
    pub url: String,
    /// A direct URL to the same database (equal to `url` except through PgBouncer).
    pub direct_url: String,
    pub db_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
    _bouncer: Option<PgBouncer>,
}

impl TestDb {
    /// A fresh, migrated database for `target`, or `None` (after printing why) when that
    /// backend is unavailable here.
    pub async fn new(target: Target) -> Option<Self> {
        match target {
            Target::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("cache.db").display());
                Some(Self {
                    target,
                    direct_url: url.clone(),
                    url,
                    db_name: None,
                    _dir: Some(dir),
                    _bouncer: None,
                })
            }
            Target::Postgres | Target::PgBouncer => {
                let admin = pg_admin_url();
                let mut conn = match sqlx::PgConnection::connect(&admin).await {
                    Ok(c) => c,
                    Err(e) => {
                        skip(&format!("PostgreSQL not reachable at {admin}: {e}"));
                        return None;
                    }
                };
                let name = format!("optscan_t_{}", uuid::Uuid::new_v4().simple());
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let _ = conn.close().await;
                let direct_url = replace_db(&admin, &name);
                // Migrate directly: migrations need a session, never a transaction pooler.
                let store = ScanStore::open(Some(&direct_url), StoreOptions::default())
                    .await
                    .expect("migrate test database");
                drop(store);
                let mut db = Self {
                    target,
                    url: direct_url.clone(),
                    direct_url,
                    db_name: Some(name),
                    _dir: None,
                    _bouncer: None,
                };
                if target == Target::PgBouncer {
                    let b = PgBouncer::start(&admin)?;
                    // No `?pgbouncer=true` and not port 6543: the store must be pooler-safe
                    // with no hint at all.
                    db.url = b.url_for(&admin, db.db_name.as_deref().unwrap_or(""));
                    db._bouncer = Some(b);
                }
                Some(db)
            }
        }
    }

    /// Open the store under test (no migration: the harness already migrated).
    pub async fn store(&self) -> ScanStore {
        self.store_with(StoreOptions::default()).await
    }

    pub async fn store_with(&self, mut opts: StoreOptions) -> ScanStore {
        opts.migrate = self.target == Target::Sqlite;
        ScanStore::open(Some(&self.url), opts)
            .await
            .expect("open store")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.db_name.take() else {
            return;
        };
        self._bouncer.take();
        let admin = pg_admin_url();
        // Drop on a separate runtime: this may run inside (or after) the test's runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(rt) = rt {
                rt.block_on(async {
                    if let Ok(mut c) = sqlx::PgConnection::connect(&admin).await {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&mut c)
                                .await;
                    }
                });
            }
        })
        .join();
    }
}

/// `url` with its database name replaced.
pub fn replace_db(url: &str, db: &str) -> String {
    let mut u = url::Url::parse(url).expect("admin URL");
    u.set_path(&format!("/{db}"));
    u.to_string()
}

/// A PgBouncer in transaction mode on a free loopback port, killed on drop.
pub struct PgBouncer {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl PgBouncer {
    pub fn start(admin_url: &str) -> Option<Self> {
        let version = match Command::new("pgbouncer").arg("--version").output() {
            Ok(o) => String::from_utf8_lossy(&o.stdout).into_owned(),
            Err(_) => {
                skip("pgbouncer is not installed (apt-get install pgbouncer)");
                return None;
            }
        };
        let admin = url::Url::parse(admin_url).expect("admin URL");
        let host = admin.host_str().unwrap_or("127.0.0.1").to_owned();
        let pg_port = admin.port().unwrap_or(5432);
        let user = if admin.username().is_empty() {
            "postgres"
        } else {
            admin.username()
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        // max_prepared_statements exists from PgBouncer 1.21; older ones never forward them.
        let prepared = if version_at_least(&version, 1, 21) {
            "max_prepared_statements = 0\n"
        } else {
            ""
        };
        let ini = format!(
            "[databases]\n* = host={host} port={pg_port}\n\n[pgbouncer]\nlisten_addr = 127.0.0.1\n\
             listen_port = {port}\nunix_socket_dir =\nauth_type = trust\nauth_file = {auth}\n\
             pool_mode = transaction\n{prepared}default_pool_size = 4\nmax_client_conn = 200\n",
            auth = dir.path().join("userlist.txt").display()
        );
        let ini_path: PathBuf = dir.path().join("pgbouncer.ini");
        std::fs::write(
            dir.path().join("userlist.txt"),
            format!("\"{user}\" \"\"\n"),
        )
        .ok()?;
        std::fs::write(&ini_path, ini).ok()?;
        let mut cmd = Command::new("pgbouncer");
        if is_root() {
            // PgBouncer refuses to run as root; let it drop to an unprivileged user.
            make_readable(dir.path());
            cmd.args(["-u", "nobody"]);
        }
        let child = cmd
            .arg(&ini_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn pgbouncer");
        let mut b = Self {
            child,
            port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline || matches!(b.child.try_wait(), Ok(Some(_))) {
                panic!("pgbouncer did not start on port {port}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(b)
    }

    /// The admin URL pointed at this bouncer and `db`.
    pub fn url_for(&self, admin_url: &str, db: &str) -> String {
        let mut u = url::Url::parse(&replace_db(admin_url, db)).expect("admin URL");
        let _ = u.set_host(Some("127.0.0.1"));
        let _ = u.set_port(Some(self.port));
        u.to_string()
    }
}

impl Drop for PgBouncer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn version_at_least(text: &str, major: u32, minor: u32) -> bool {
    let v = text.split_whitespace().nth(1).unwrap_or("0.0");
    let mut parts = v.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (a, b) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (a, b) >= (major, minor)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn make_readable(dir: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755));
    for f in ["userlist.txt", "pgbouncer.ini"] {
        let _ = std::fs::set_permissions(dir.join(f), std::fs::Permissions::from_mode(0o644));
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}
