-- Historical scans (an as-of in the past) are kept for the record but never become the
-- newest live scan: a column marks them and the store's live reads skip them.

ALTER TABLE cached_scan_results ADD COLUMN historical INTEGER NOT NULL DEFAULT 0
    CHECK (historical IN (0, 1));
