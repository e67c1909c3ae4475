package io.vtp.spring.boot.cache;

import io.vtp.cache.CacheAside;
import io.vtp.spring.boot.cache.internal.VtpSpringCache;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;

/**
 * A Spring {@link CacheManager} whose caches are vtp-cache caches over Redis, one per name configured under
 * {@code vtp.cache.caches}: {@code @Cacheable(sync = true)} gets vtp-cache's cross-instance single flight
 * (Spring's own {@code sync} locks one JVM only), plus stale-if-error, negative caching, TTL jitter and metrics.
 * {@code @Cacheable} without {@code sync} reads with one {@code GET} and writes after the method ran, as with any
 * Redis cache. The set of caches is fixed at start-up.
 *
 * <p>Thread-safe.
 */
public final class VtpCacheManager implements CacheManager, AutoCloseable {
  private final Map<String, VtpSpringCache> caches = new LinkedHashMap<>();

  /**
   * Creates the manager over built caches.
   *
   * @param caches the caches; not null; names must be distinct; the manager closes them
   * @throws NullPointerException when {@code caches} or an element is null
   */
  public VtpCacheManager(List<CacheAside<Object>> caches) {
    for (CacheAside<Object> c : Objects.requireNonNull(caches, "caches")) {
      this.caches.put(c.name(), new VtpSpringCache(c));
    }
  }

  /**
   * Returns the configured cache of that name.
   *
   * @param name the cache's name; not null
   * @return the cache, or null when {@code vtp.cache.caches} does not configure it
   */
  @Override
  public Cache getCache(String name) {
    return caches.get(name);
  }

  /**
   * Returns the configured names.
   *
   * @return the names, in configuration order; never null
   */
  @Override
  public Collection<String> getCacheNames() {
    return List.copyOf(caches.keySet());
  }

  /**
   * Returns the vtp-cache behind a name, for direct use (bulk reads, per-call TTL).
   *
   * @param name the cache's name; not null
   * @return the cache, or null when not configured
   */
  public CacheAside<Object> cacheAside(String name) {
    VtpSpringCache c = caches.get(name);
    return c == null ? null : c.getNativeCache();
  }

  /** Closes every cache (their L1 listeners, if any). The Redis client stays open. Idempotent. */
  @Override
  public void close() {
    caches.values().forEach(c -> c.getNativeCache().close());
  }
}
