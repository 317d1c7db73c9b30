-- optscan: grant the Supabase roles exactly what they need, whatever the default privileges.
-- Supabase's default privileges give anon, authenticated and service_role ALL on every new
-- table, function and sequence in public, and PostgreSQL gives PUBLIC EXECUTE on every new
-- function. RLS does not stop TRUNCATE, TRIGGER or REFERENCES, nor anything on a table without
-- RLS such as _sqlx_migrations (a forged checksum there stops every optscan process at start).
-- So, on optscan's own objects only (never the project's other tables, never the default
-- privileges themselves, which belong to postgres/supabase_admin):
--   anon, authenticated: SELECT on cached_scan_results (under 0001's read policy) and EXECUTE on
--                        get_latest_scan; nothing else.
--   service_role:        SELECT, INSERT, UPDATE, DELETE on the five optscan tables, EXECUTE on
--                        get_latest_scan and cleanup_old_scans; no TRUNCATE, TRIGGER, REFERENCES.
--   _sqlx_migrations:    no privilege for PUBLIC or any of the three roles, and RLS with no policy
--                        for them; only its owner (the migrating role) touches it.
-- Roles that do not exist (plain PostgreSQL) are skipped. Re-running is harmless (REVOKE and
-- GRANT are idempotent). A later migration that creates an object must grant it the same way:
-- this file runs once and cannot see objects created after it.

DO $$
DECLARE
    r text;
    t text;
    optscan_tables constant text[] := ARRAY['cached_scan_results', 'scanner_state', 'iv_history',
                                            'symbol_analysis_cache', 'scanner_locks'];
BEGIN
    -- Every role is a member of PUBLIC, so a revoke from anon alone would leave these callable.
    -- get_latest_scan keeps PostgreSQL's default: it runs with the caller's rights, so it only
    -- returns rows the caller may already SELECT.
    REVOKE ALL ON FUNCTION cleanup_old_scans(integer) FROM PUBLIC;
    REVOKE ALL ON FUNCTION notify_scan_saved() FROM PUBLIC;

    FOREACH r IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
        CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r);
        -- Start from nothing (this also drops column-level grants), then grant what is needed.
        FOREACH t IN ARRAY optscan_tables LOOP
            EXECUTE format('REVOKE ALL ON TABLE %I FROM %I', t, r);
        END LOOP;
        EXECUTE format('REVOKE ALL ON FUNCTION get_latest_scan(text), cleanup_old_scans(integer), '
                       'notify_scan_saved() FROM %I', r);
        -- A trigger function runs when its trigger fires without an EXECUTE check, so inserts
        -- by service_role still notify; nobody needs to call notify_scan_saved() directly.
        EXECUTE format('GRANT EXECUTE ON FUNCTION get_latest_scan(text) TO %I', r);
        IF r = 'service_role' THEN
            FOREACH t IN ARRAY optscan_tables LOOP
                EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE %I TO %I', t, r);
            END LOOP;
            EXECUTE format('GRANT EXECUTE ON FUNCTION cleanup_old_scans(integer) TO %I', r);
        ELSE
            EXECUTE format('GRANT SELECT ON TABLE cached_scan_results TO %I', r);
        END IF;
    END LOOP;

    -- sqlx's bookkeeping table; absent when the files were applied with `supabase db push`.
    IF to_regclass('_sqlx_migrations') IS NOT NULL THEN
        REVOKE ALL ON TABLE _sqlx_migrations FROM PUBLIC;
        FOREACH r IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
            CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r);
            EXECUTE format('REVOKE ALL ON TABLE _sqlx_migrations FROM %I', r);
        END LOOP;
        -- RLS with no policy: even a later blanket GRANT shows these roles no row. The owner is
        -- not subject to it (no FORCE), so sqlx keeps reading and writing it.
        IF EXISTS (SELECT 1 FROM pg_roles
                   WHERE rolname IN ('anon', 'authenticated', 'service_role')) THEN
            ALTER TABLE _sqlx_migrations ENABLE ROW LEVEL SECURITY;
        END IF;
    END IF;
END
$$;
