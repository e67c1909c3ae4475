package io.vtp.cache;

/**
 * The caller's loader threw a checked exception; the cause is that exception. Unchecked loader exceptions reach the
 * caller unwrapped. This is the loader's failure (for example the database behind it), not a Redis outage, so it
 * is not a {@link io.vtp.redis.BackendUnavailableException}: map it as the loader's own exception would be mapped.
 *
 * <p>Immutable and thread-safe.
 */
public class CacheLoadException extends CacheException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message which cache and key (hashed when it is not a safe key); {@code null} for none
   * @param cause the loader's exception, or {@code null}
   */
  public CacheLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
