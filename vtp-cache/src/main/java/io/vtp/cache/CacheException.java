package io.vtp.cache;

/**
 * Base of the cache's unchecked exceptions. Redis failures never surface as one: they fall through to the loader.
 */
public class CacheException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what failed, naming the cache
   * @param cause the cause, or {@code null}
   */
  public CacheException(String message, Throwable cause) {
    super(message, cause);
  }
}
