package io.vtp.session;

import java.time.Duration;

/**
 * Receives what a session store does, for metrics. Every method has a default that does nothing, so an
 * implementation overrides only what it needs; {@link #noop()} is used when none is configured. One listener
 * serves one store (its name is the listener's business, e.g. a meter tag).
 *
 * <p>Called on the caller's thread after each operation, possibly from many threads at once: implementations must
 * be thread-safe and cheap. An exception thrown here is caught and logged with the store's name; it never breaks
 * the operation. Arguments are never {@code null}, and never a session id or a user id.
 *
 * <p>The Micrometer implementation is {@code io.vtp.session.micrometer.SessionStoreMetrics}.
 */
public interface SessionStoreListener {

  /**
   * Returns the listener that ignores everything: one shared, stateless, thread-safe instance.
   *
   * @return the no-op listener; never {@code null}
   */
  static SessionStoreListener noop() {
    return NoopSessionStoreListener.INSTANCE;
  }

  /** The store's operations. */
  enum Operation {
    /** {@link SessionStore#create}. */
    CREATE,
    /** {@link SessionStore#find}. */
    FIND,
    /** {@link SessionStore#update(Session, java.util.function.Consumer)} (one per call, however many attempts). */
    UPDATE,
    /** {@link SessionStore#rotate}. */
    ROTATE,
    /** {@link SessionStore#delete}. */
    DELETE,
    /** {@link SessionStore#findAllForUser}. */
    FIND_ALL_FOR_USER,
    /** {@link SessionStore#deleteAllForUser}. */
    DELETE_ALL_FOR_USER;

    /**
     * Returns the lower-case name used in metric tags.
     *
     * @return e.g. {@code find_all_for_user}; never {@code null}
     */
    public String tagValue() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** How an operation ended. */
  enum Outcome {
    /** Done; for reads: the session was found. */
    SUCCESS,
    /** No such session: unknown, expired, malformed or corrupt id (reads, update, rotate, delete). */
    MISS,
    /** An update gave up after losing every attempt to concurrent writers. */
    CONFLICT,
    /** The backend failed; a {@link SessionStoreUnavailableException} was thrown. */
    ERROR;

    /**
     * Returns the lower-case name used in metric tags.
     *
     * @return e.g. {@code success}; never {@code null}
     */
    public String tagValue() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * Called after every operation.
   *
   * @param operation the operation; never {@code null}
   * @param outcome how it ended; never {@code null}
   * @param elapsed how long it took, including retries; never {@code null}
   */
  default void onOperation(Operation operation, Outcome outcome, Duration elapsed) {}

  /** Called when an update attempt lost to a concurrent writer and is retried (or given up). */
  default void onUpdateConflict() {}

  /**
   * Called when a stored record could not be read (garbage, a foreign value or a future schema) and was deleted.
   */
  default void onCorruptRecord() {}

  /**
   * Called when creating a session ended older ones because the user had the maximum number.
   *
   * @param count how many sessions were ended
   */
  default void onEvicted(int count) {}

  /**
   * Called when a guarded write was applied on the master but fewer replicas than
   * {@link RedisSessionStore.Builder#replicaAcknowledgement(int, Duration)} asks for confirmed it in time (the call
   * then throws {@link SessionNotReplicatedException}; {@link #onOperation} reports it as {@link Outcome#ERROR}).
   *
   * @param operation the write: create, rotate, delete or delete-all; never {@code null}
   * @param acknowledged how many replicas confirmed it, at least 0
   */
  default void onNotReplicated(Operation operation, int acknowledged) {}
}

/** The no-op listener behind {@link SessionStoreListener#noop()}. */
enum NoopSessionStoreListener implements SessionStoreListener {
  INSTANCE
}
