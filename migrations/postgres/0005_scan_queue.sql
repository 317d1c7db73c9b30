-- Scale-out cycles (README "Scale-out through queues"): a coordinator plans one cycle, splits its
-- symbols into shards and sends one pgmq message per shard; workers write each shard's partial
-- result here, keyed by (cycle, shard) so a redelivered shard overwrites its row instead of
-- counting twice; one worker merges the partials into one cached scan per mode.

CREATE TABLE IF NOT EXISTS scan_cycles (
    cycle_id           uuid PRIMARY KEY,
    queue_name         text NOT NULL,
    as_of              timestamptz NOT NULL,
    modes              text[] NOT NULL,
    config_fingerprint text NOT NULL,
    shard_count        integer NOT NULL CHECK (shard_count > 0),
    symbol_count       integer NOT NULL CHECK (symbol_count > 0),
    coordinator        text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    deadline           timestamptz NOT NULL,
    merged_by          text,
    merged_at          timestamptz,
    scan_ids           uuid[] NOT NULL DEFAULT '{}',
    UNIQUE (queue_name, as_of)
);

CREATE TABLE IF NOT EXISTS scan_cycle_shards (
    cycle_id    uuid NOT NULL REFERENCES scan_cycles (cycle_id) ON DELETE CASCADE,
    shard       integer NOT NULL CHECK (shard >= 0),
    symbols     text[] NOT NULL,
    worker      text,
    deliveries  integer NOT NULL DEFAULT 0,
    started_at  timestamptz,
    finished_at timestamptz,
    seconds     double precision,
    partial     jsonb,
    PRIMARY KEY (cycle_id, shard)
);

-- Cleanup also removes cycles (and, by the cascade, their partial rows): a merged cycle once
-- none of its scans is kept, an unmerged one a day after its deadline.
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
    DELETE FROM scan_cycles y
    WHERE (y.merged_at IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM cached_scan_results c WHERE c.scan_id = ANY (y.scan_ids)))
       OR (y.merged_at IS NULL AND y.deadline < now() - interval '1 day');
    RETURN deleted;
END
$$;

-- The same grants as 0004: service_role reads and writes rows (under RLS with its own policy);
-- anon and authenticated get nothing.
DO $$
DECLARE
    r text;
    t text;
BEGIN
    FOREACH r IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
        CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r);
        FOREACH t IN ARRAY ARRAY['scan_cycles', 'scan_cycle_shards'] LOOP
            EXECUTE format('REVOKE ALL ON TABLE %I FROM %I', t, r);
            IF r = 'service_role' THEN
                EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE %I TO %I', t, r);
            END IF;
        END LOOP;
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
        FOREACH t IN ARRAY ARRAY['scan_cycles', 'scan_cycle_shards'] LOOP
            EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
            EXECUTE format('DROP POLICY IF EXISTS optscan_service_all ON %I', t);
            EXECUTE format('CREATE POLICY optscan_service_all ON %I FOR ALL TO service_role '
                           'USING (true) WITH CHECK (true)', t);
        END LOOP;
    END IF;
END
$$;
