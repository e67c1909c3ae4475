package io.vtp.cache.course;

/** The course store failed (the database is down, a statement failed); the cause is the {@code SQLException}. */
public class CourseStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message which operation failed
   * @param cause the cause
   */
  public CourseStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
