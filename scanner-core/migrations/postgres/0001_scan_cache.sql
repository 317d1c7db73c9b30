-- optscan scan cache (PostgreSQL 13+ / Supabase).
-- Keeps the original cached_scan_results columns so an existing reader still works, and fixes:
-- timestamptz always written in UTC by the writer, symbols_scanned filled, scan_id unique
-- (idempotent saves), a status column for scans in which every symbol failed, and
-- cleanup_old_scans per mode.

CREATE TABLE IF NOT EXISTS cached_scan_results (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    scan_id               uuid NOT NULL UNIQUE,
    scan_timestamp        timestamptz NOT NULL DEFAULT now(),
    filter_mode           text NOT NULL CHECK (filter_mode IN ('strict', 'relaxed')),
    opportunities         jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(opportunities) = 'array'),
    total_evaluated       bigint NOT NULL DEFAULT 0 CHECK (total_evaluated >= 0),
    symbols_scanned       text[] NOT NULL DEFAULT '{}',
    scan_duration_seconds double precision NOT NULL DEFAULT 0,
    metadata              jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    opportunity_count     integer NOT NULL DEFAULT 0,
    status                text NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'degraded')),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS idx_cached_scans_mode_timestamp
    ON cached_scan_results (filter_mode, scan_timestamp DESC);
CREATE INDEX IF NOT EXISTS idx_cached_scans_mode_status_timestamp
    ON cached_scan_results (filter_mode, status, scan_timestamp DESC);

-- Newest row of a mode plus its age; what the original route called over RPC.
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
      AND (c.status = 'ok' OR NOT EXISTS (
            SELECT 1 FROM cached_scan_results g
            WHERE g.filter_mode = p_filter_mode AND g.status = 'ok'))
    ORDER BY c.scan_timestamp DESC
    LIMIT 1
$$;

-- Keep the newest p_keep rows of EACH mode; returns how many rows were deleted.
CREATE OR REPLACE FUNCTION cleanup_old_scans(p_keep integer DEFAULT 100)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    deleted integer;
BEGIN
    IF p_keep < 0 THEN
        RAISE EXCEPTION 'p_keep must be >= 0, got %', p_keep;
    END IF;
    DELETE FROM cached_scan_results
    WHERE id IN (
        SELECT r.id FROM (
            SELECT c.id, row_number() OVER (
                PARTITION BY c.filter_mode ORDER BY c.scan_timestamp DESC, c.created_at DESC
            ) AS rn
            FROM cached_scan_results c
        ) r
        WHERE r.rn > p_keep
    );
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END
$$;

-- Push: one notice per inserted scan, delivered when the saving transaction commits.
CREATE OR REPLACE FUNCTION notify_scan_saved()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pg_notify('optscan_scans', json_build_object(
        'scan_id', NEW.scan_id,
        'filter_mode', NEW.filter_mode,
        'scan_timestamp', NEW.scan_timestamp
    )::text);
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS cached_scan_results_notify ON cached_scan_results;
CREATE TRIGGER cached_scan_results_notify
    AFTER INSERT ON cached_scan_results
    FOR EACH ROW EXECUTE FUNCTION notify_scan_saved();

-- Symbol rotation position per mode (survives ephemeral runners).
CREATE TABLE IF NOT EXISTS scanner_state (
    filter_mode   text PRIMARY KEY CHECK (filter_mode IN ('strict', 'relaxed')),
    position      bigint NOT NULL CHECK (position >= 0),
    universe_size bigint NOT NULL CHECK (universe_size >= 0),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- One ATM 30-day implied volatility per symbol and day, for IV rank.
CREATE TABLE IF NOT EXISTS iv_history (
    symbol      text NOT NULL,
    date        date NOT NULL,
    atm_iv_30d  double precision NOT NULL CHECK (atm_iv_30d >= 0),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (symbol, date)
);

-- Per-symbol analysis results, valid while the input fingerprint matches and within a TTL.
CREATE TABLE IF NOT EXISTS symbol_analysis_cache (
    symbol      text PRIMARY KEY,
    fingerprint text NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now(),
    payload     jsonb NOT NULL
);

-- Writer leases: at most one scan per mode at a time, across processes and poolers.
CREATE TABLE IF NOT EXISTS scanner_locks (
    name        text PRIMARY KEY,
    holder      text NOT NULL,
    acquired_at timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);

-- Supabase roles: anon/authenticated read the cache, service_role writes. Skipped on plain
-- PostgreSQL, where those roles don't exist.
DO $$
DECLARE
    t text;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
        FOREACH t IN ARRAY ARRAY['cached_scan_results', 'scanner_state', 'iv_history',
                                 'symbol_analysis_cache', 'scanner_locks'] LOOP
            EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
            EXECUTE format('GRANT ALL ON %I TO service_role', t);
            EXECUTE format('DROP POLICY IF EXISTS optscan_service_all ON %I', t);
            EXECUTE format('CREATE POLICY optscan_service_all ON %I FOR ALL TO service_role USING (true) WITH CHECK (true)', t);
        END LOOP;
        GRANT EXECUTE ON FUNCTION cleanup_old_scans(integer) TO service_role;
    END IF;
    FOREACH t IN ARRAY ARRAY['anon', 'authenticated'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = t) THEN
            EXECUTE 'ALTER TABLE cached_scan_results ENABLE ROW LEVEL SECURITY';
            EXECUTE format('GRANT SELECT ON cached_scan_results TO %I', t);
            EXECUTE format('DROP POLICY IF EXISTS optscan_read_%s ON cached_scan_results', t);
            EXECUTE format('CREATE POLICY optscan_read_%s ON cached_scan_results FOR SELECT TO %I USING (true)', t, t);
            EXECUTE format('GRANT EXECUTE ON FUNCTION get_latest_scan(text) TO %I', t);
        END IF;
    END LOOP;
    REVOKE EXECUTE ON FUNCTION cleanup_old_scans(integer) FROM PUBLIC;
END
$$;
