package io.vtp.cache;

/**
 * Redis is unavailable and the bounded bypass is full: this many loads already run against the source of truth
 * and no slot freed within the configured wait. It protects the database from becoming the victim of a Redis
 * outage; callers usually answer 503 with {@code Retry-After}.
 */
public class CacheOverloadedException extends CacheException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message which cache, the bypass limit and the wait
   */
  public CacheOverloadedException(String message) {
    super(message, null);
  }
}
