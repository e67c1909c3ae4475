package io.vtp.cache;

import java.util.Map;
import java.util.Set;

/**
 * Loads many values in one call (one SQL query with {@code WHERE id = ANY(?)}, say) for {@link CacheAside#getAll}.
 * It may be called from several threads at once: implementations must be thread-safe.
 *
 * @param <V> the value type
 */
@FunctionalInterface
public interface BulkLoader<V> {
  /**
   * Loads the values of the keys the cache missed.
   *
   * @param keys the missed keys, caller's spelling; never {@code null} or empty, unmodifiable
   * @return the values found, by key; a key left out means "not found" and is cached as such; never {@code null};
   *     {@code null} values and keys that were not asked for are ignored
   * @throws Exception when the source fails; it reaches the caller (checked exceptions wrapped in
   *     {@link CacheLoadException}) unless every missed key has a stale value that can be served instead
   */
  Map<String, V> loadAll(Set<String> keys) throws Exception;
}
