-- Historical scans (an as-of in the past, e.g. a backfill next to the live worker) are kept
-- for the record but never become the newest live scan: a column marks them, and the read
-- paths (get_latest_scan, the insert notice) skip them. Function signatures are unchanged, so
-- the grants of 0002 stay as they are.

ALTER TABLE cached_scan_results ADD COLUMN IF NOT EXISTS historical boolean NOT NULL DEFAULT false;

CREATE INDEX IF NOT EXISTS idx_cached_scans_live_mode_timestamp
    ON cached_scan_results (filter_mode, scan_timestamp DESC) WHERE NOT historical;

CREATE OR REPLACE FUNCTION get_latest_scan(p_filter_mode text DEFAULT 'strict')
RETURNS TABLE (
    id uuid, scan_id uuid, scan_timestamp timestamptz, filter_mode text, opportunities jsonb,
    total_evaluated bigint, symbols_scanned text[], scan_duration_seconds double precision,
    metadata jsonb, status text, age_minutes double precision
)
LANGUAGE sql STABLE
AS $$
    SELECT c.id, c.scan_id, c.scan_timestamp, c.filter_mode, c.opportunities, c.total_evaluated,
           c.symbols_scanned, c.scan_duration_seconds, c.metadata, c.status,
           extract(epoch FROM (now() - c.scan_timestamp)) / 60.0
    FROM cached_scan_results c
    WHERE c.filter_mode = p_filter_mode
      AND NOT c.historical
      AND (c.status = 'ok' OR NOT EXISTS (
            SELECT 1 FROM cached_scan_results g
            WHERE g.filter_mode = p_filter_mode AND g.status = 'ok' AND NOT g.historical))
    ORDER BY c.scan_timestamp DESC
    LIMIT 1
$$;

CREATE OR REPLACE FUNCTION notify_scan_saved()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NOT NEW.historical THEN
        PERFORM pg_notify('optscan_scans', json_build_object(
            'scan_id', NEW.scan_id,
            'filter_mode', NEW.filter_mode,
            'scan_timestamp', NEW.scan_timestamp
        )::text);
    END IF;
    RETURN NEW;
END
$$;
