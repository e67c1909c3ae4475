package io.vtp.app;

import static io.vtp.app.TestApps.get;
import static io.vtp.app.TestApps.json;
import static io.vtp.app.TestApps.login;
import static io.vtp.app.TestApps.registerAndLogin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vtp.app.auth.Passwords;
import io.vtp.app.db.LegacySchema;
import io.vtp.app.db.Migrations;
import io.vtp.app.db.SchemaValidationException;
import io.vtp.testkit.Dedicated;
import io.vtp.testkit.PostgresDatabase;
import io.vtp.testkit.PostgresServer;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The app's start-up migration end to end: upgrading a pre-Flyway database in place, refusing an edited one. */
@ExtendWith(VtpServers.class)
class AppMigrationIT {

  @Test
  void start_databaseOfTheHandWrittenMigrations_upgradesInPlaceAndServesItsRows(PostgresServer pg,
      @Dedicated RedisServer redis) throws Exception {
    // A Redis of its own: course ids restart at 1 in every test database, and the shared Redis may cache another
    // class's course 1.
    try (PostgresDatabase db = pg.createDatabase("app_legacy")) {
      long courseId;
      try (Connection c = db.connect()) {
        LegacySchema.create(c, 3);
        long teacher;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO users (email, password_hash, full_name, role)"
            + " VALUES ('old@example.com', ?, 'Old Teacher', 'teacher') RETURNING id")) {
          ps.setString(1, new Passwords(1000).hash("correct horse battery"));
          teacher = single(ps);
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO course (title, description, instructor_id)"
            + " VALUES ('Kept course', 'from before Flyway', ?) RETURNING id")) {
          ps.setLong(1, teacher);
          courseId = single(ps);
        }
      }

      App app = TestApps.start(TestApps.env(db, redis, "legacy-a"));
      try {
        String token = login(app, "old@example.com", "correct horse battery");
        assertThat(json(get(app, "/api/v1/auth/me", token)).toString()).contains("old@example.com");
        HttpResponse<String> course = get(app, "/api/v1/courses/" + courseId, null);
        assertThat(course.statusCode()).as(course.body()).isEqualTo(200);
        assertThat(course.body()).contains("Kept course");
        registerAndLogin(app, "new@example.com", "student");
      } finally {
        app.shutdown();
      }
      try (Connection c = db.connect(); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT string_agg(version || ' ' || type, ', ' ORDER BY installed_rank)"
               + " FROM flyway_schema_history")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("3 BASELINE, 4 SQL");
      }
    }
  }

  @Test
  void start_editedAppliedMigration_failsWithWhatDiffersAndHowToFixIt(PostgresServer pg, RedisServer redis)
      throws Exception {
    try (PostgresDatabase db = pg.createDatabase("app_edited")) {
      Migrations.migrate(db.dataSource());
      try (Connection c = db.connect(); Statement s = c.createStatement()) {
        s.execute("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '1'");
      }

      assertThatThrownBy(() -> TestApps.start(TestApps.env(db, redis, "edited-a")))
          .isInstanceOf(SchemaValidationException.class)
          .hasMessageStartingWith("database schema validation failed, not starting")
          .hasMessageContaining("Migration checksum mismatch for migration version 1");
    }
  }

  private static long single(PreparedStatement ps) throws java.sql.SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
