package io.vtp.session;

/**
 * An update lost the race against concurrent writers of the same session on every one of its attempts (see
 * {@link SessionStore#update(Session, java.util.function.Consumer)}). Nothing was written by the failed update.
 * Usually answered with {@code 409 Conflict} or {@code 503}; it means one session is written by many requests
 * at once. It is not a {@link io.vtp.redis.BackendUnavailableException}: the backend answered, the writers
 * collided.
 *
 * <p>Immutable and thread-safe.
 */
public final class SessionConflictException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** How many attempts were made. */
  private final int attempts;

  /**
   * Creates the exception.
   *
   * @param storeName the store's name; {@code null} reads as {@code 'null'} in the message
   * @param attempts how many attempts were made
   */
  public SessionConflictException(String storeName, int attempts) {
    super("session store '" + storeName + "': update lost to concurrent writers " + attempts
        + " times in a row; raise maxUpdateAttempts or write the session less often");
    this.attempts = attempts;
  }

  /**
   * Returns how many attempts were made.
   *
   * @return the number of attempts, the store's {@code maxUpdateAttempts}
   */
  public int attempts() {
    return attempts;
  }
}
