-- pg_stat_statements where the server preloads it (optional: counts queries per request in the reliability
-- scenarios). A server without it, or a user without the privilege, skips this step and records it as applied.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements')
      AND current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%' THEN
    CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  NULL;
END $$;
