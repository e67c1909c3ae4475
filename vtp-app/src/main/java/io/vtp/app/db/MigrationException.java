package io.vtp.app.db;

/**
 * The database schema could not be brought up to date: the database was unreachable, the advisory lock was not
 * granted in time, or a migration failed (and was rolled back). Retrying later may succeed; the cause is Flyway's
 * exception, whose message names the migration and the SQL error.
 *
 * @see SchemaValidationException for the failures no retry can fix
 */
public class MigrationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what failed and, when known, how to fix it; not {@code null}
   * @param cause the cause, or {@code null}
   */
  public MigrationException(String message, Throwable cause) {
    super(message, cause);
  }
}
