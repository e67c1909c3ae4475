package io.vtp.session;

import io.vtp.redis.BackendUnavailableException;
import java.time.Duration;

/**
 * The session backend failed or did not answer in time: Redis down, hung, timed out, {@code CLUSTERDOWN}, a
 * pool with no free connection. The cause is the client's exception. The request cannot be authenticated, so
 * answer {@code 503 Service Unavailable}; never treat it as "no session".
 *
 * <p>Messages name the store, the operation and how long it took; never a session id or user id. A
 * {@link BackendUnavailableException}, like every module's "backend unavailable" exception.
 *
 * <p>Immutable and thread-safe.
 */
public final class SessionStoreUnavailableException extends BackendUnavailableException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param storeName the store's name
   * @param operation the operation, e.g. {@code find}
   * @param elapsed how long it ran
   * @param cause the client's exception, or {@code null}
   * @throws NullPointerException when {@code storeName}, {@code operation} or {@code elapsed} is null
   */
  public SessionStoreUnavailableException(String storeName, String operation, Duration elapsed, Throwable cause) {
    super("session store", storeName, operation, elapsed, cause);
  }

  /**
   * Returns the name of the store that failed; the same as {@link #instance()}.
   *
   * @return the store's name; never {@code null}
   */
  public String storeName() {
    return instance();
  }
}
