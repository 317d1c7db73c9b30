-- Every contract a scan evaluated, for screening (README "Screening"): one compact columnar
-- blob per scan (optscan's versioned format, deflated; about 40 bytes per candidate), in its
-- own table so that reading or listing scans never touches it. Deleted with its scan
-- (cleanup_old_scans deletes scans; the cascade takes the blob).

CREATE TABLE IF NOT EXISTS scan_candidates (
    scan_id         uuid PRIMARY KEY REFERENCES cached_scan_results (scan_id) ON DELETE CASCADE,
    format          smallint NOT NULL,
    candidate_count integer NOT NULL CHECK (candidate_count >= 0),
    data            bytea NOT NULL
);

-- The same grants as 0002's worker tables: service_role reads and writes rows (under RLS with
-- its own policy); anon and authenticated get nothing.
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
        CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r);
        EXECUTE format('REVOKE ALL ON TABLE scan_candidates FROM %I', r);
        IF r = 'service_role' THEN
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE scan_candidates TO %I', r);
        END IF;
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
        ALTER TABLE scan_candidates ENABLE ROW LEVEL SECURITY;
        DROP POLICY IF EXISTS optscan_service_all ON scan_candidates;
        CREATE POLICY optscan_service_all ON scan_candidates FOR ALL TO service_role
            USING (true) WITH CHECK (true);
    END IF;
END
$$;
