package io.vtp.session;

import java.time.Duration;
import java.util.Objects;

/**
 * The session backend failed or did not answer in time: Redis down, hung, timed out, {@code CLUSTERDOWN}, a
 * pool with no free connection. The cause is the client's exception. The request cannot be authenticated, so
 * answer {@code 503 Service Unavailable}; never treat it as "no session".
 *
 * <p>Messages name the store, the operation and how long it took; never a session id or user id.
 */
public final class SessionStoreUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The store's name. */
  private final String storeName;
  /** The operation that failed, e.g. {@code find}. */
  private final String operation;
  /** How long the operation ran before it failed. */
  private final Duration elapsed;

  /**
   * Creates the exception.
   *
   * @param storeName the store's name
   * @param operation the operation, e.g. {@code find}
   * @param elapsed how long it ran
   * @param cause the client's exception
   */
  public SessionStoreUnavailableException(String storeName, String operation, Duration elapsed, Throwable cause) {
    super("session store '" + storeName + "': " + operation + " failed after " + elapsed.toMillis()
        + " ms: " + describe(cause), cause);
    this.storeName = storeName;
    this.operation = operation;
    this.elapsed = Objects.requireNonNull(elapsed, "elapsed");
  }

  /** Returns the name of the store that failed. */
  public String storeName() {
    return storeName;
  }

  /** Returns the operation that failed, e.g. {@code find}. */
  public String operation() {
    return operation;
  }

  /** Returns how long the operation ran before it failed. */
  public Duration elapsed() {
    return elapsed;
  }

  private static String describe(Throwable cause) {
    if (cause == null) {
      return "no cause";
    }
    return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
  }
}
