package io.vtp.cache;

import io.vtp.redis.BackendUnavailableException;
import java.time.Duration;

/**
 * Redis is unavailable and the bounded bypass is full: this many loads already run against the source of truth
 * and no slot freed within the configured wait. It protects the database from becoming the victim of a Redis
 * outage; answer {@code 503 Service Unavailable} with {@code Retry-After}.
 *
 * <p>A {@link BackendUnavailableException}, like every module's "backend unavailable" exception: component
 * {@code cache}, the cache's name as the instance, the operation ({@code get}, {@code getAll}) and how long the
 * call waited for a bypass slot. It is not a {@link CacheException} (since 0.1.0): those mean the caller's own
 * loader failed or the wait was interrupted. The message never contains a key.
 *
 * <p>Immutable and thread-safe.
 */
public class CacheOverloadedException extends BackendUnavailableException {
  private static final long serialVersionUID = 1L;

  /** How many loads may bypass Redis at once. */
  private final int bypassPermits;

  /**
   * Creates the exception; the message reads {@code cache '<name>': <operation> failed after <n> ms: Redis is
   * unavailable and <permits> loads already bypass it; ...}.
   *
   * @param cacheName the cache's name
   * @param operation the operation, e.g. {@code get}
   * @param elapsed how long the call waited for a bypass slot
   * @param bypassPermits how many loads may bypass Redis at once (the configured limit)
   * @throws NullPointerException when {@code cacheName}, {@code operation} or {@code elapsed} is null
   */
  public CacheOverloadedException(String cacheName, String operation, Duration elapsed, int bypassPermits) {
    super("cache", cacheName, operation, elapsed, "Redis is unavailable and " + bypassPermits
        + " loads already bypass it; none finished in time (raise bypass(permits, wait) if the database can take"
        + " more)", null);
    this.bypassPermits = bypassPermits;
  }

  /**
   * Returns the name of the cache that refused the load; the same as {@link #instance()}.
   *
   * @return the cache's name; never {@code null}
   */
  public String cacheName() {
    return instance();
  }

  /**
   * Returns how many loads may bypass Redis at once, the limit that was reached.
   *
   * @return the configured number of bypass permits
   */
  public int bypassPermits() {
    return bypassPermits;
  }
}
