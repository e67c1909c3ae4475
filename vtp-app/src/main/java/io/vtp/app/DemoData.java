package io.vtp.app;

import io.vtp.app.auth.AuthService;
import io.vtp.cache.course.CourseService;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Demo data for the local deployment ({@code SEED_DEMO_DATA=true}): a teacher, a student and a few courses.
 * Idempotent and safe when every instance seeds at once (unique emails; courses only into an empty table, under
 * an advisory lock).
 */
final class DemoData {
  private static final Logger LOG = LoggerFactory.getLogger(DemoData.class);
  /** Demo password of both demo accounts (development data only). */
  static final String PASSWORD = "demo-password-123";
  /** The demo accounts, as the web page shows them in a demo deployment. */
  static final java.util.List<io.vtp.app.web.WebPage.DemoAccount> ACCOUNTS = java.util.List.of(
      new io.vtp.app.web.WebPage.DemoAccount("teacher@vtp.local", PASSWORD, "teacher"),
      new io.vtp.app.web.WebPage.DemoAccount("student@vtp.local", PASSWORD, "student"));

  private DemoData() {}

  static void seed(AuthService auth, CourseService courses, javax.sql.DataSource db) {
    try {
      long teacher = auth.ensureUser("teacher@vtp.local", PASSWORD, "Tess Teacher", "teacher");
      auth.ensureUser("student@vtp.local", PASSWORD, "Sam Student", "student");
      try (java.sql.Connection c = db.getConnection(); java.sql.Statement s = c.createStatement()) {
        c.setAutoCommit(false);
        s.execute("LOCK TABLE course IN SHARE ROW EXCLUSIVE MODE");
        try (java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM course")) {
          rs.next();
          if (rs.getLong(1) == 0) {
            try (java.sql.PreparedStatement ps = c.prepareStatement(
                "INSERT INTO course (title, description, instructor_id) VALUES (?, ?, ?)")) {
              String[][] demo = {
                  {"Scaling Java backends", "Stateless instances behind nginx, state in PostgreSQL and Redis."},
                  {"Redis in practice", "Sessions, caching and rate limiting that survive failures."},
                  {"PostgreSQL for developers", "Schemas, indexes, pools and replicas."},
                  {"Observability", "Metrics, health checks and dashboards that tell the truth."},
                  {"WebSockets at scale", "Rooms that span instances through Redis pub/sub."}};
              for (String[] d : demo) {
                ps.setString(1, d[0]);
                ps.setString(2, d[1]);
                ps.setLong(3, teacher);
                ps.addBatch();
              }
              ps.executeBatch();
            }
            LOG.info("demo data: 5 courses created");
          }
        }
        c.commit();
      }
    } catch (SQLException | RuntimeException e) {
      LOG.warn("demo data not seeded: {}", e.toString());
    }
  }
}
