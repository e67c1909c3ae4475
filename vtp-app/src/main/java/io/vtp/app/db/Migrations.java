package io.vtp.app.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schema migrations, run at start-up by every instance. A PostgreSQL advisory lock makes them safe when all
 * instances start at once: one applies, the others wait for the lock and find nothing left to do. Each migration
 * runs in its own transaction together with its bookkeeping row.
 */
public final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
  /** Arbitrary, fixed: the advisory lock every instance takes while migrating. */
  private static final long LOCK_ID = 0x767470_6d696772L;

  private static final List<String> STEPS = List.of(
      // 1: users
      "CREATE TABLE IF NOT EXISTS users ("
          + " id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
          + " email TEXT NOT NULL,"
          + " password_hash TEXT NOT NULL,"
          + " full_name TEXT NOT NULL,"
          + " role TEXT NOT NULL CHECK (role IN ('student', 'teacher', 'admin')),"
          + " created_at TIMESTAMPTZ NOT NULL DEFAULT now());"
          + " CREATE UNIQUE INDEX IF NOT EXISTS users_email_lower ON users (lower(email));",
      // 2: courses (the shape JdbcCourseService reads and writes)
      "CREATE TABLE IF NOT EXISTS course ("
          + " id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
          + " title TEXT NOT NULL,"
          + " description TEXT NOT NULL,"
          + " instructor_id BIGINT NOT NULL,"
          + " version BIGINT NOT NULL DEFAULT 1);",
      // 3: pg_stat_statements where the server has it preloaded (optional; counting queries per request)
      "DO $$ BEGIN"
          + " IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements')"
          + " AND current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%' THEN"
          + " CREATE EXTENSION IF NOT EXISTS pg_stat_statements; END IF;"
          + " EXCEPTION WHEN insufficient_privilege THEN NULL; END $$;");

  private Migrations() {}

  /**
   * Applies every migration not applied yet.
   *
   * @param dataSource the primary database
   * @return how many migrations this call applied
   * @throws SQLException when the database refuses
   */
  public static int migrate(DataSource dataSource) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_lock(" + LOCK_ID + ")");
      }
      try {
        try (Statement s = c.createStatement()) {
          s.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INT PRIMARY KEY, "
              + "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
        }
        int current = 0;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
            "SELECT coalesce(max(version), 0) FROM schema_migrations")) {
          rs.next();
          current = rs.getInt(1);
        }
        int applied = 0;
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
          for (int v = current + 1; v <= STEPS.size(); v++) {
            try (Statement s = c.createStatement()) {
              s.execute(STEPS.get(v - 1));
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO schema_migrations (version) VALUES (?)")) {
              ps.setInt(1, v);
              ps.executeUpdate();
            }
            c.commit();
            applied++;
            LOG.info("database migration {} applied", v);
          }
        } catch (SQLException e) {
          c.rollback();
          throw e;
        } finally {
          c.setAutoCommit(auto);
        }
        return applied;
      } finally {
        try (Statement s = c.createStatement()) {
          s.execute("SELECT pg_advisory_unlock(" + LOCK_ID + ")");
        }
      }
    }
  }

  /** Returns the number of migrations this version knows. */
  public static int latestVersion() {
    return STEPS.size();
  }
}
