package io.vtp.cache;

/**
 * Loads one value from the source of truth (usually PostgreSQL) on a cache miss.
 *
 * <p>Called at most once per key at a time within one {@link CacheAside} (concurrent misses share the call) and,
 * while Redis answers, usually once across all instances. It may be called from any thread, and for different keys
 * from several threads at once: implementations must be thread-safe.
 *
 * @param <V> the value type
 */
@FunctionalInterface
public interface CacheLoader<V> {
  /**
   * Loads the value for a key.
   *
   * @param key the caller's key, as passed to {@link CacheAside#get}; never {@code null}
   * @return the value or {@link Loaded#notFound()}; never {@code null}
   * @throws Exception when the source fails; it reaches the caller (checked exceptions wrapped in
   *     {@link CacheLoadException}) unless a stale value can be served instead
   */
  Loaded<V> load(String key) throws Exception;
}
