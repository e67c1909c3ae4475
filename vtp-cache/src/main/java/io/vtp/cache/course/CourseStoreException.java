package io.vtp.cache.course;

/**
 * The course store failed (the database is down, a statement failed, the schema resource could not be read); the
 * cause is the {@code SQLException} or {@code IOException}. It is the source of truth's own failure, raised by the
 * cache's loader, not a Redis outage, so it is not a {@link io.vtp.redis.BackendUnavailableException}; an
 * application usually answers {@code 503} for it too.
 *
 * <p>Immutable and thread-safe.
 */
public class CourseStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message which operation failed; {@code null} for none
   * @param cause the cause, or {@code null}
   */
  public CourseStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
