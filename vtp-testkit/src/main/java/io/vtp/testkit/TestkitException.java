package io.vtp.testkit;

/**
 * Thrown when the testkit cannot provide a server: nothing to start, a server that did not come up, or a
 * fault hook used on a server the testkit does not own. The message says what to install or set.
 *
 * <p>Immutable and thread-safe.
 */
public final class TestkitException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message that says how to fix the problem.
   *
   * @param message what went wrong and how to fix it; never {@code null}
   */
  public TestkitException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and the underlying cause.
   *
   * @param message what went wrong and how to fix it; never {@code null}
   * @param cause the underlying cause; may be {@code null}
   */
  public TestkitException(String message, Throwable cause) {
    super(message, cause);
  }
}
