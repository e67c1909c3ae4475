-- Fixture: the hand-written migrations vtp-app ran before Flyway (io.vtp.app.db.Migrations up to commit b7215d4),
-- copied statement for statement: the bookkeeping table, then steps 1 to 3. The old code ran each step and its
-- INSERT INTO schema_migrations (version) VALUES (n) in one transaction. MigrationsIT builds pre-Flyway databases
-- from this file; it records history, so never edit it.
-- table
CREATE TABLE IF NOT EXISTS schema_migrations (version INT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
-- step 1
CREATE TABLE IF NOT EXISTS users ( id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email TEXT NOT NULL, password_hash TEXT NOT NULL, full_name TEXT NOT NULL, role TEXT NOT NULL CHECK (role IN ('student', 'teacher', 'admin')), created_at TIMESTAMPTZ NOT NULL DEFAULT now()); CREATE UNIQUE INDEX IF NOT EXISTS users_email_lower ON users (lower(email));
-- step 2
CREATE TABLE IF NOT EXISTS course ( id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, title TEXT NOT NULL, description TEXT NOT NULL, instructor_id BIGINT NOT NULL, version BIGINT NOT NULL DEFAULT 1);
-- step 3
DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements') AND current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%' THEN CREATE EXTENSION IF NOT EXISTS pg_stat_statements; END IF; EXCEPTION WHEN insufficient_privilege THEN NULL; END $$;
