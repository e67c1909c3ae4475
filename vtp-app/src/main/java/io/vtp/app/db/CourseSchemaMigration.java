package io.vtp.app.db;

import io.vtp.cache.course.JdbcCourseService;
import java.nio.charset.StandardCharsets;
import java.sql.Statement;
import java.util.Objects;
import java.util.zip.CRC32;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * Migration 2: the {@code course} table, from the DDL vtp-cache ships for {@link JdbcCourseService}
 * ({@link JdbcCourseService#schemaDdl()}), so the table is written down once. The checksum is computed from that
 * text as Flyway checksums a SQL file (CRC32 over its lines; line endings and a leading byte-order mark ignored),
 * so an edit of {@code course-schema.sql} fails validation on every database that already applied it.
 *
 * <p>Immutable and thread-safe.
 */
final class CourseSchemaMigration implements JavaMigration {
  static final MigrationVersion VERSION = MigrationVersion.fromVersion("2");

  private final String ddl;
  private final int checksum;

  /** Uses the DDL from vtp-cache. */
  CourseSchemaMigration() {
    this(JdbcCourseService.schemaDdl());
  }

  /**
   * Uses the given DDL (tests: an edited copy).
   *
   * @param ddl the statement(s) to run; not {@code null}
   */
  CourseSchemaMigration(String ddl) {
    this.ddl = Objects.requireNonNull(ddl, "ddl");
    this.checksum = checksum(ddl);
  }

  static int checksum(String text) {
    CRC32 crc = new CRC32();
    String withoutBom = text.startsWith("\uFEFF") ? text.substring(1) : text;
    withoutBom.lines().forEach(line -> crc.update(line.getBytes(StandardCharsets.UTF_8)));
    return (int) crc.getValue();
  }

  @Override
  public MigrationVersion getVersion() {
    return VERSION;
  }

  @Override
  public String getDescription() {
    return "course";
  }

  @Override
  public Integer getChecksum() {
    return checksum;
  }

  @Override
  public boolean canExecuteInTransaction() {
    return true;
  }

  @Override
  public void migrate(Context context) throws Exception {
    try (Statement s = context.getConnection().createStatement()) {
      s.execute(ddl); // a constant resource, never input
    }
  }

  @Override
  public String toString() {
    return "V2 course (io/vtp/cache/course/course-schema.sql, checksum " + checksum + ")";
  }
}
