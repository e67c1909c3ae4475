package io.vtp.session;

import java.time.Duration;

/**
 * A guarded write (create, rotate, delete, log-out-everywhere) was applied on the Redis master, but fewer replicas
 * than {@link RedisSessionStore.Builder#replicaAcknowledgement(int, Duration)} asks for confirmed it within its
 * timeout. The write is not undone: it stays on the master and normally reaches the replicas a little later, but
 * if the master fails before that, a failover loses it (a created session disappears, a deleted one comes back).
 * So do not tell the user it is done: answer {@code 503 Service Unavailable} like any
 * {@link SessionStoreUnavailableException} and let the client retry. A retried login creates a new session (the
 * unconfirmed one expires unused); a retried logout that finds the session already gone on the master returns
 * {@code false} and is confirmed only by later writes' replication.
 *
 * <p>The message names the store, the operation, the replicas asked for and those that confirmed; never a session
 * id or user id. Immutable and thread-safe.
 */
public final class SessionNotReplicatedException extends SessionStoreUnavailableException {
  private static final long serialVersionUID = 1L;

  /** Replicas that confirmed the write. */
  private final int acknowledged;
  /** Replicas asked for. */
  private final int required;

  /**
   * Creates the exception.
   *
   * @param storeName the store's name
   * @param operation the operation, e.g. {@code delete}
   * @param elapsed how long it ran, the wait included
   * @param acknowledged how many replicas confirmed the write, at least 0
   * @param required how many were asked for
   * @param timeout the wait's timeout
   * @throws NullPointerException when {@code storeName}, {@code operation}, {@code elapsed} or {@code timeout} is
   *     null
   */
  public SessionNotReplicatedException(String storeName, String operation, Duration elapsed, int acknowledged,
      int required, Duration timeout) {
    super(storeName, operation, elapsed, "applied on the master but acknowledged by " + acknowledged + " of "
        + required + " replicas within " + timeout.toMillis() + " ms (WAIT); a failover now would lose it, so it "
        + "is not confirmed: retry, and check the replicas' link and lag if this persists (replicaAcknowledgement)");
    this.acknowledged = acknowledged;
    this.required = required;
  }

  /**
   * Returns how many replicas confirmed the write.
   *
   * @return at least 0 and less than {@link #requiredReplicas()}
   */
  public int acknowledgedReplicas() {
    return acknowledged;
  }

  /**
   * Returns how many replicas the store asks to confirm each guarded write.
   *
   * @return at least 1
   */
  public int requiredReplicas() {
    return required;
  }
}
