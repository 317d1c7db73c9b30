-- Every contract a scan evaluated, for screening: one compact columnar blob per scan (see
-- migrations/postgres/0004), deleted with its scan (foreign keys are on for every connection).

CREATE TABLE IF NOT EXISTS scan_candidates (
    scan_id         TEXT PRIMARY KEY REFERENCES cached_scan_results (scan_id) ON DELETE CASCADE,
    format          INTEGER NOT NULL,
    candidate_count INTEGER NOT NULL CHECK (candidate_count >= 0),
    data            BLOB NOT NULL
);
