package io.vtp.app.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vtp.cache.course.JdbcCourseService;
import io.vtp.testkit.PostgresDatabase;
import io.vtp.testkit.PostgresServer;
import io.vtp.testkit.VtpServers;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Flyway migrations against real PostgreSQL: from an empty database, from a database created by the hand-written
 * migrations before Flyway ({@link LegacySchema}), concurrently, and with edited applied migrations. Each test
 * uses databases of its own on the shared server.
 */
@ExtendWith(VtpServers.class)
class MigrationsIT {
  private static final int INSTANCES = 6;

  @Test
  void migrate_emptyDatabase_appliesEveryMigrationOnceAndRecordsChecksums(PostgresServer pg) throws Exception {
    try (PostgresDatabase db = pg.createDatabase("mig_empty")) {
      assertThat(Migrations.migrate(db.dataSource())).isEqualTo(4);
      assertThat(Migrations.migrate(db.dataSource())).isZero();

      assertThat(history(db)).containsExactly("1 users SQL true", "2 course JDBC true",
          "3 pg stat statements SQL true", "4 enrolment SQL true");
      assertThat(query(db, "SELECT count(*) FROM flyway_schema_history WHERE checksum IS NULL")).containsExactly("0");
      assertThat(query(db, "SELECT to_regclass('schema_migrations') IS NULL")).containsExactly("t");
      long user = insertUser(db, "Ada@Example.com");
      assertThat(insertCourse(db, "Flyway", user)).isPositive();
      assertThatThrownBy(() -> insertUser(db, "ada@example.COM")).hasMessageContaining("users_email_lower");
    }
  }

  @Test
  void migrate_manyInstancesAtOnce_allSucceedAndEachMigrationIsAppliedOnce(PostgresServer pg) throws Exception {
    try (PostgresDatabase db = pg.createDatabase("mig_concurrent")) {
      assertThat(migrateConcurrently(db.dataSource())).isEqualTo(4);
      assertThat(history(db)).containsExactly("1 users SQL true", "2 course JDBC true",
          "3 pg stat statements SQL true", "4 enrolment SQL true");
    }
  }

  @ParameterizedTest(name = "legacy version {0}")
  @ValueSource(ints = {0, 1, 2, 3})
  void migrate_databaseOfTheHandWrittenMigrations_keepsEveryRowAndEndsWithTheCurrentSchema(int legacyVersion,
      PostgresServer pg) throws Exception {
    try (PostgresDatabase legacy = pg.createDatabase("mig_legacy");
         PostgresDatabase fresh = pg.createDatabase("mig_fresh")) {
      createLegacySchema(legacy, legacyVersion);
      List<String> users = List.of();
      List<String> courses = List.of();
      if (legacyVersion >= 1) {
        long teacher = insertUser(legacy, "teacher@example.com");
        insertUser(legacy, "student@example.com");
        users = query(legacy, "SELECT id, email, password_hash, full_name, role, created_at FROM users ORDER BY id");
        if (legacyVersion >= 2) {
          insertCourse(legacy, "Scaling Java", teacher);
          long updated = insertCourse(legacy, "Redis", teacher);
          execute(legacy, "UPDATE course SET version = version + 1 WHERE id = " + updated);
          courses = query(legacy, "SELECT id, title, description, instructor_id, version FROM course ORDER BY id");
        }
      }
      List<String> legacyRows = query(legacy, "SELECT version, applied_at FROM schema_migrations ORDER BY version");

      assertThat(Migrations.migrate(legacy.dataSource())).isEqualTo(4 - legacyVersion);
      Migrations.migrate(fresh.dataSource());

      if (legacyVersion >= 1) {
        assertThat(query(legacy, "SELECT id, email, password_hash, full_name, role, created_at FROM users ORDER BY id"))
            .hasSize(2).isEqualTo(users);
      }
      if (legacyVersion >= 2) {
        assertThat(query(legacy, "SELECT id, title, description, instructor_id, version FROM course ORDER BY id"))
            .hasSize(2).isEqualTo(courses);
      }
      assertThat(schema(legacy)).isEqualTo(schema(fresh));
      assertThat(query(legacy, "SELECT version, applied_at FROM schema_migrations ORDER BY version"))
          .as("the old bookkeeping table is kept as it was").isEqualTo(legacyRows);
      List<String> expected = new ArrayList<>();
      expected.add(legacyVersion + " schema_migrations version " + legacyVersion + " BASELINE true");
      List<String> all = List.of("1 users SQL true", "2 course JDBC true", "3 pg stat statements SQL true",
          "4 enrolment SQL true");
      expected.addAll(all.subList(legacyVersion, 4));
      assertThat(history(legacy)).containsExactlyElementsOf(expected);
      // Identities continue after the kept rows, and the app's tables work.
      long user = insertUser(legacy, "new@example.com");
      assertThat(user).isEqualTo(legacyVersion >= 1 ? 3 : 1);
      assertThat(insertCourse(legacy, "new", user)).isEqualTo(legacyVersion >= 2 ? 3 : 1);
      assertThat(Migrations.migrate(legacy.dataSource())).isZero();
    }
  }

  @Test
  void migrate_manyInstancesAtOnceOnAHandWrittenDatabase_baselineOnceAndApplyTheRestOnce(PostgresServer pg)
      throws Exception {
    try (PostgresDatabase db = pg.createDatabase("mig_legacy_concurrent")) {
      createLegacySchema(db, 1);
      long user = insertUser(db, "kept@example.com");

      assertThat(migrateConcurrently(db.dataSource())).isEqualTo(3);

      assertThat(history(db)).containsExactly("1 schema_migrations version 1 BASELINE true", "2 course JDBC true",
          "3 pg stat statements SQL true", "4 enrolment SQL true");
      assertThat(query(db, "SELECT id, email FROM users")).containsExactly(user + " kept@example.com");
    }
  }

  @Test
  void migrate_editedAppliedSqlMigration_failsValidationSayingWhichAndHowToFix(PostgresServer pg) throws Exception {
    try (PostgresDatabase db = pg.createDatabase("mig_edited_sql")) {
      Migrations.migrate(db.dataSource());
      // What the database recorded no longer matches db/migration/V1__users.sql: as if the file had been edited.
      execute(db, "UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '1'");

      assertThatThrownBy(() -> Migrations.migrate(db.dataSource()))
          .isInstanceOf(SchemaValidationException.class)
          .hasMessageStartingWith("database schema validation failed, not starting: an applied migration differs")
          .hasMessageContaining("put the change in a new migration")
          .hasMessageContaining("Migration checksum mismatch for migration version 1");
      assertThat(history(db)).hasSize(4);
    }
  }

  @Test
  void migrate_editedCourseSchemaResource_failsValidationOfVersion2(PostgresServer pg) throws Exception {
    try (PostgresDatabase db = pg.createDatabase("mig_edited_course")) {
      Migrations.migrate(db.dataSource());
      String edited = JdbcCourseService.schemaDdl().replace("title         TEXT   NOT NULL,",
          "title         TEXT   NOT NULL,\n  subtitle      TEXT,");
      assertThat(edited).isNotEqualTo(JdbcCourseService.schemaDdl());

      assertThatThrownBy(() -> Migrations.migrate(db.dataSource(), Migrations.LOCATION,
          new CourseSchemaMigration(edited)))
          .isInstanceOf(SchemaValidationException.class)
          .hasMessageContaining("course-schema.sql for version 2")
          .hasMessageContaining("Migration checksum mismatch for migration version 2");
      assertThat(query(db, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'subtitle'"))
          .containsExactly("0");
    }
  }

  @Test
  void migrate_handWrittenVersionThisAppNeverHad_refusesToGuess(PostgresServer pg) throws Exception {
    try (PostgresDatabase db = pg.createDatabase("mig_legacy_future")) {
      createLegacySchema(db, 3);
      execute(db, "INSERT INTO schema_migrations (version) VALUES (4)");

      assertThatThrownBy(() -> Migrations.migrate(db.dataSource()))
          .isInstanceOf(SchemaValidationException.class)
          .hasMessageContaining("records version 4 but those migrations only ever had versions 1 to 3");
      assertThat(query(db, "SELECT to_regclass('flyway_schema_history') IS NULL")).containsExactly("t");
    }
  }

  @Test
  void migrate_tablesOfAnotherApp_refusesWithoutTouchingThem(PostgresServer pg) throws Exception {
    try (PostgresDatabase db = pg.createDatabase("mig_foreign")) {
      execute(db, "CREATE TABLE invoices (id INT PRIMARY KEY)");

      assertThatThrownBy(() -> Migrations.migrate(db.dataSource()))
          .isInstanceOf(SchemaValidationException.class)
          .hasMessageContaining("was not created by vtp-app: point DATABASE_URL at the app's database");
      assertThat(query(db, "SELECT to_regclass('users') IS NULL")).containsExactly("t");
    }
  }

  @Test
  void migrate_databaseDown_isARetryableMigrationException() {
    org.postgresql.ds.PGSimpleDataSource nowhere = new org.postgresql.ds.PGSimpleDataSource();
    nowhere.setURL("jdbc:postgresql://127.0.0.1:1/none");
    nowhere.setConnectTimeout(1);

    assertThatThrownBy(() -> Migrations.migrate(nowhere))
        .isInstanceOf(MigrationException.class)
        .isNotInstanceOf(SchemaValidationException.class)
        .hasMessageContaining("pre-Flyway schema_migrations failed");
  }

  @Test
  void courseChecksum_followsTheTextNotItsLineEndings() {
    String ddl = JdbcCourseService.schemaDdl();
    int checksum = CourseSchemaMigration.checksum(ddl);
    assertThat(new CourseSchemaMigration().getChecksum()).isEqualTo(checksum);
    assertThat(CourseSchemaMigration.checksum(ddl.replace("\n", "\r\n"))).isEqualTo(checksum);
    assertThat(CourseSchemaMigration.checksum("\uFEFF" + ddl)).isEqualTo(checksum);
    assertThat(CourseSchemaMigration.checksum(ddl.replace("DEFAULT 1", "DEFAULT 0"))).isNotEqualTo(checksum);
  }

  /** Runs {@link Migrations#migrate} from {@value #INSTANCES} threads released together; returns the sum applied. */
  private static int migrateConcurrently(DataSource dataSource) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(INSTANCES);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Integer>> runs = new ArrayList<>();
      for (int i = 0; i < INSTANCES; i++) {
        runs.add(pool.submit(() -> {
          go.await();
          return Migrations.migrate(dataSource);
        }));
      }
      go.countDown();
      int applied = 0;
      for (Future<Integer> run : runs) {
        applied += run.get(120, TimeUnit.SECONDS);
      }
      return applied;
    } finally {
      pool.shutdownNow();
    }
  }

  private static void createLegacySchema(PostgresDatabase db, int version) throws SQLException {
    try (Connection c = db.connect()) {
      LegacySchema.create(c, version);
    }
  }

  /** The app's tables, columns, constraints and indexes, without the two bookkeeping tables. */
  private static List<String> schema(PostgresDatabase db) throws SQLException {
    List<String> schema = new ArrayList<>();
    schema.addAll(query(db, "SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity,"
        + " identity_generation FROM information_schema.columns WHERE table_schema = current_schema()"
        + " AND table_name NOT IN ('flyway_schema_history', 'schema_migrations') ORDER BY 1, 2"));
    schema.addAll(query(db, "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        + " WHERE connamespace = current_schema()::regnamespace"
        + " AND conrelid::regclass::text NOT IN ('flyway_schema_history', 'schema_migrations') ORDER BY 1, 2"));
    schema.addAll(query(db, "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
        + " AND tablename NOT IN ('flyway_schema_history', 'schema_migrations') ORDER BY 1, 2"));
    schema.addAll(query(db, "SELECT extname FROM pg_extension ORDER BY 1"));
    assertThat(schema).anyMatch(row -> row.startsWith("course version bigint NO 1"));
    return schema;
  }

  private static List<String> history(PostgresDatabase db) throws SQLException {
    return query(db, "SELECT version, description, type, success::text FROM flyway_schema_history"
        + " WHERE version IS NOT NULL ORDER BY installed_rank");
  }

  private static long insertUser(PostgresDatabase db, String email) throws SQLException {
    return Long.parseLong(query(db, "INSERT INTO users (email, password_hash, full_name, role) VALUES ('" + email
        + "', 'hash', 'Full Name', 'teacher') RETURNING id").get(0));
  }

  private static long insertCourse(PostgresDatabase db, String title, long instructor) throws SQLException {
    return Long.parseLong(query(db, "INSERT INTO course (title, description, instructor_id) VALUES ('" + title
        + "', 'about " + title + "', " + instructor + ") RETURNING id").get(0));
  }

  private static void execute(PostgresDatabase db, String sql) throws SQLException {
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** Each row as its columns joined by single spaces. */
  private static List<String> query(PostgresDatabase db, String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= columns; i++) {
          row.append(i > 1 ? " " : "").append(rs.getString(i));
        }
        rows.add(row.toString());
      }
    }
    return rows;
  }
}
