-- optscan scan cache (SQLite 3.35+). Same model as migrations/postgres: JSON as TEXT,
-- timestamps as fixed-width UTC text 'YYYY-MM-DDTHH:MM:SS.ffffffZ' (sorts by time), dates as
-- 'YYYY-MM-DD'. WAL mode and busy_timeout are set by the connection options (a journal mode
-- cannot change inside a migration transaction).

CREATE TABLE IF NOT EXISTS cached_scan_results (
    seq                   INTEGER PRIMARY KEY AUTOINCREMENT,
    scan_id               TEXT NOT NULL UNIQUE,
    scan_timestamp        TEXT NOT NULL,
    filter_mode           TEXT NOT NULL CHECK (filter_mode IN ('strict', 'relaxed')),
    opportunities         TEXT NOT NULL DEFAULT '[]' CHECK (json_type(opportunities) = 'array'),
    total_evaluated       INTEGER NOT NULL DEFAULT 0 CHECK (total_evaluated >= 0),
    symbols_scanned       TEXT NOT NULL DEFAULT '[]' CHECK (json_type(symbols_scanned) = 'array'),
    scan_duration_seconds REAL NOT NULL DEFAULT 0,
    metadata              TEXT NOT NULL DEFAULT '{}' CHECK (json_type(metadata) = 'object'),
    opportunity_count     INTEGER NOT NULL DEFAULT 0,
    status                TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'degraded')),
    created_at            TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at            TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE INDEX IF NOT EXISTS idx_cached_scans_mode_timestamp
    ON cached_scan_results (filter_mode, scan_timestamp DESC);
CREATE INDEX IF NOT EXISTS idx_cached_scans_mode_status_timestamp
    ON cached_scan_results (filter_mode, status, scan_timestamp DESC);

CREATE TABLE IF NOT EXISTS scanner_state (
    filter_mode   TEXT PRIMARY KEY CHECK (filter_mode IN ('strict', 'relaxed')),
    position      INTEGER NOT NULL CHECK (position >= 0),
    universe_size INTEGER NOT NULL CHECK (universe_size >= 0),
    updated_at    TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS iv_history (
    symbol      TEXT NOT NULL,
    date        TEXT NOT NULL,
    atm_iv_30d  REAL NOT NULL CHECK (atm_iv_30d >= 0),
    recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (symbol, date)
);

CREATE TABLE IF NOT EXISTS symbol_analysis_cache (
    symbol      TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    computed_at TEXT NOT NULL,
    payload     TEXT NOT NULL CHECK (json_valid(payload))
);

CREATE TABLE IF NOT EXISTS scanner_locks (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    acquired_at TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
