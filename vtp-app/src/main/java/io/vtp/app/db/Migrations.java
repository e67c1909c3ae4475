package io.vtp.app.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumSet;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.CoreErrorCode;
import org.flywaydb.core.api.ErrorCode;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.exception.FlywayValidateException;
import org.flywaydb.core.api.migration.JavaMigration;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The app's schema migrations, run by Flyway at start-up by every instance:
 * <ol>
 *   <li>{@code db/migration/V1__users.sql}: accounts;
 *   <li>{@link CourseSchemaMigration V2 course}: the {@code course} table, from vtp-cache's
 *       {@code course-schema.sql} (a Java migration, so that DDL is written once);
 *   <li>{@code db/migration/V3__pg_stat_statements.sql}: the extension where the server preloads it.
 *   <li>{@code db/migration/V4__enrolment.sql}: who is enrolled in which course (the room policy).
 * </ol>
 * A new change is a new {@code db/migration/V<n>__<what>.sql}; an applied migration is never edited.
 *
 * <p>Flyway records each migration with its checksum in {@code flyway_schema_history} and validates them before
 * migrating: an edited, removed or renamed applied migration fails with {@link SchemaValidationException}. Flyway
 * takes a PostgreSQL advisory lock while it migrates, so every instance may start at once: one applies each
 * migration, the others wait and find it applied. Each migration runs in its own transaction.
 *
 * <p>A database created by the hand-written migrations this class replaced records its version in the table
 * {@code schema_migrations} (versions 1 to 3, the same three steps). When that table exists and
 * {@code flyway_schema_history} does not, Flyway baselines at the recorded version and applies only what follows,
 * so no row is touched. {@code schema_migrations} is left in place (an older binary started during a rolling
 * upgrade still finds its version there); nothing reads it once {@code flyway_schema_history} exists.
 *
 * <p>Thread-safe: no state; concurrent calls, in one process or many, serialize on the advisory lock.
 */
public final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
  /** Where the SQL migrations live (in the app jar). */
  static final String LOCATION = "classpath:db/migration";
  /** The table of the hand-written migrations before Flyway, and the last version they had. */
  static final String LEGACY_TABLE = "schema_migrations";
  static final int LEGACY_LATEST_VERSION = 3;
  static final String HISTORY_TABLE = "flyway_schema_history";
  /** Failures that say the database and this app's migrations disagree: a retry cannot fix them. */
  private static final Set<CoreErrorCode> DISAGREEMENTS = EnumSet.of(CoreErrorCode.VALIDATE_ERROR,
      CoreErrorCode.CHECKSUM_MISMATCH, CoreErrorCode.DESCRIPTION_MISMATCH, CoreErrorCode.TYPE_MISMATCH,
      CoreErrorCode.APPLIED_VERSIONED_MIGRATION_NOT_RESOLVED, CoreErrorCode.DUPLICATE_VERSIONED_MIGRATION,
      CoreErrorCode.NON_EMPTY_SCHEMA_WITHOUT_SCHEMA_HISTORY_TABLE);

  private Migrations() {}

  /**
   * Migrates, retrying while the database is unreachable: all instances may start together, and the database may
   * still be starting. Past the deadline the instance goes on unready (readiness reports the database) rather than
   * crash-loop.
   *
   * @param dataSource the primary
   * @param patience how long to keep retrying
   * @return true when migrated, false when the database stayed unreachable (or the thread was interrupted)
   * @throws SchemaValidationException when the database disagrees with this build's migrations: no retry can fix it
   */
  public static boolean migrateWithRetry(DataSource dataSource, java.time.Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    while (true) {
      try {
        migrate(dataSource);
        return true;
      } catch (SchemaValidationException e) {
        throw e;
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          LOG.error("database migrations failed, starting unready: {}", e.toString());
          return false;
        }
        LOG.warn("database not ready for migrations ({}); retrying", e.toString());
        try {
          Thread.sleep(500);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
  }

  /**
   * Validates the applied migrations and applies every migration not applied yet.
   *
   * @param dataSource the primary database; not {@code null}
   * @return how many migrations this call applied (0 when another instance applied them)
   * @throws SchemaValidationException when the database's history disagrees with this app's migrations (an
   *     applied migration was edited or removed, or the database is not the app's); retrying cannot help
   * @throws MigrationException when the database is unreachable, the lock was not granted or a migration failed;
   *     retrying later may help
   */
  public static int migrate(DataSource dataSource) {
    return migrate(dataSource, LOCATION, new CourseSchemaMigration());
  }

  /** {@link #migrate(DataSource)} with another SQL location or course migration (tests). */
  static int migrate(DataSource dataSource, String location, JavaMigration course) {
    Objects.requireNonNull(dataSource, "dataSource");
    FluentConfiguration config = Flyway.configure(Migrations.class.getClassLoader())
        .dataSource(dataSource)
        .locations(location)
        .javaMigrations(course)
        .table(HISTORY_TABLE)
        .failOnMissingLocations(true)
        .validateMigrationNaming(true)
        .validateOnMigrate(true)
        .cleanDisabled(true)
        // Our SQL uses no ${placeholders}; without this a literal "${" in a migration would be a syntax error.
        .placeholderReplacement(false);
    OptionalInt legacy = legacyVersionToAdopt(dataSource);
    if (legacy.isPresent()) {
      int version = legacy.getAsInt();
      LOG.info("database: adopting {} version {} (pre-Flyway migrations) as the Flyway baseline", LEGACY_TABLE,
          version);
      config.baselineOnMigrate(true)
          .baselineVersion(MigrationVersion.fromVersion(Integer.toString(version)))
          .baselineDescription(LEGACY_TABLE + " version " + version);
    }
    MigrateResult result;
    try {
      result = config.load().migrate();
    } catch (FlywayException e) {
      throw translate(e);
    }
    String now = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
    LOG.info("database migrations: {} applied, schema at version {}", result.migrationsExecuted, now);
    return result.migrationsExecuted;
  }

  /**
   * Returns the version recorded by the pre-Flyway migrations when this database has their table but no Flyway
   * history yet, else empty.
   */
  private static OptionalInt legacyVersionToAdopt(DataSource dataSource) {
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
      boolean history;
      boolean legacy;
      try (ResultSet rs = s.executeQuery("SELECT to_regclass(quote_ident(current_schema()) || '." + HISTORY_TABLE
          + "') IS NOT NULL, to_regclass(quote_ident(current_schema()) || '." + LEGACY_TABLE + "') IS NOT NULL")) {
        rs.next();
        history = rs.getBoolean(1);
        legacy = rs.getBoolean(2);
      }
      if (history || !legacy) {
        return OptionalInt.empty();
      }
      int version;
      try (ResultSet rs = s.executeQuery("SELECT coalesce(max(version), 0) FROM " + LEGACY_TABLE)) {
        rs.next();
        version = rs.getInt(1);
      }
      if (version < 0 || version > LEGACY_LATEST_VERSION) {
        throw new SchemaValidationException("database table " + LEGACY_TABLE + " (pre-Flyway migrations) records "
            + "version " + version + " but those migrations only ever had versions 1 to " + LEGACY_LATEST_VERSION
            + ", so which Flyway migrations this database already has is unknown; check which build migrated it, "
            + "then create " + HISTORY_TABLE + " by hand (flyway baseline) at the matching version", null);
      }
      return OptionalInt.of(version);
    } catch (SQLException e) {
      throw new MigrationException("database migration: looking for pre-Flyway " + LEGACY_TABLE + " failed: "
          + e.getMessage(), e);
    }
  }

  private static MigrationException translate(FlywayException e) {
    ErrorCode code = e.getErrorCode();
    if (e instanceof FlywayValidateException || (code instanceof CoreErrorCode && DISAGREEMENTS.contains(code))) {
      String fix = code == CoreErrorCode.NON_EMPTY_SCHEMA_WITHOUT_SCHEMA_HISTORY_TABLE
          ? "the database has tables but neither " + HISTORY_TABLE + " nor " + LEGACY_TABLE + ", so it was not "
              + "created by vtp-app: point DATABASE_URL at the app's database or at an empty one"
          : "an applied migration differs from this build's (db/migration/V*.sql in vtp-app, or "
              + "io/vtp/cache/course/course-schema.sql for version 2): restore the applied text and put the change "
              + "in a new migration; only if the database already matches the edited text, run Flyway repair on it";
      return new SchemaValidationException("database schema validation failed, not starting: " + fix
          + ". Flyway said: " + e.getMessage(), e);
    }
    return new MigrationException("database migration failed: " + e.getMessage(), e);
  }
}
