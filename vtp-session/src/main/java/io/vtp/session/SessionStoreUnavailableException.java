package io.vtp.session;

import io.vtp.redis.BackendUnavailableException;
import java.time.Duration;

/**
 * The session backend failed or did not answer in time: Redis down, hung, timed out, {@code CLUSTERDOWN}, a
 * pool with no free connection. The cause is the client's exception. The request cannot be authenticated, so
 * answer {@code 503 Service Unavailable}; never treat it as "no session".
 *
 * <p>Messages name the store, the operation and how long it took; never a session id or user id. A
 * {@link BackendUnavailableException}, like every module's "backend unavailable" exception. One subclass:
 * {@link SessionNotReplicatedException} (the write was applied on the master but not acknowledged by enough
 * replicas, with {@link RedisSessionStore.Builder#replicaAcknowledgement(int, Duration)} set).
 *
 * <p>Immutable and thread-safe.
 */
public class SessionStoreUnavailableException extends BackendUnavailableException {
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
   * Creates the exception with the store's own explanation instead of a client exception's, for subclasses such as
   * {@link SessionNotReplicatedException}.
   *
   * @param storeName the store's name
   * @param operation the operation, e.g. {@code delete}
   * @param elapsed how long it ran
   * @param detail what happened and how to fix it; never a secret, session id or user id
   * @throws NullPointerException when an argument is null
   */
  protected SessionStoreUnavailableException(String storeName, String operation, Duration elapsed, String detail) {
    super("session store", storeName, operation, elapsed, detail, null);
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
