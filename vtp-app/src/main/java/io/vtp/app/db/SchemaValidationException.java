package io.vtp.app.db;

/**
 * The database's migration history disagrees with the migrations this version of the app ships: an applied
 * migration was edited (checksum mismatch), removed or renamed, or a pre-Flyway {@code schema_migrations} table
 * records a version this app does not know. Retrying cannot help, so the app refuses to start; the message says
 * what differs and how to fix it.
 */
public final class SchemaValidationException extends MigrationException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what differs and how to fix it; not {@code null}
   * @param cause the cause, or {@code null}
   */
  public SchemaValidationException(String message, Throwable cause) {
    super(message, cause);
  }
}
