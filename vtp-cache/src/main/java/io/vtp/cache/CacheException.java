package io.vtp.cache;

/**
 * The cache could not produce a value for a reason that is not a backend outage: the caller's loader failed
 * ({@link CacheLoadException}), a concurrent load of the same key in this JVM failed, or the caller was interrupted
 * while waiting (the interrupt is restored). Redis failures never surface as one: the cache reads through to the
 * loader, and when that bypass is full it throws {@link CacheOverloadedException}, a
 * {@link io.vtp.redis.BackendUnavailableException} and not a {@code CacheException}.
 *
 * <p>Immutable and thread-safe.
 */
public class CacheException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what failed, naming the cache; {@code null} for none
   * @param cause the cause, or {@code null}
   */
  public CacheException(String message, Throwable cause) {
    super(message, cause);
  }
}
