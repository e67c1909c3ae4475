package io.vtp.spring.boot.cache.internal;

import io.vtp.cache.CacheAside;
import io.vtp.cache.Loaded;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.springframework.cache.Cache;
import org.springframework.cache.support.SimpleValueWrapper;

/**
 * One Spring {@link Cache} over one {@link CacheAside}. Keys are {@code String.valueOf(key)} (vtp-cache hashes
 * keys with unsafe characters); {@code null} values are cached as vtp-cache's "not found", with its own TTL.
 *
 * <ul>
 *   <li>{@link #get(Object, Callable)} ({@code @Cacheable(sync = true)}) is vtp-cache's single-flight read: one
 *       load per key in this JVM, and a Redis lease so that one instance loads while the others wait for its
 *       value; stale-if-error applies.</li>
 *   <li>{@link #get(Object)} ({@code @Cacheable} without {@code sync}) is {@link CacheAside#peek}: one
 *       {@code GET}, never a load; Spring then calls the method and {@link #put}.</li>
 *   <li>{@link #put} ({@code @CachePut}) invalidates the key, then writes the value through the load path
 *       (so the lease and the invalidation ordering of vtp-cache hold).</li>
 *   <li>{@link #evict} and {@link #clear} invalidate across instances.</li>
 * </ul>
 * The asynchronous {@code retrieve} methods are not supported (Spring's default throws).
 *
 * <p>Thread-safe.
 */
public final class VtpSpringCache implements Cache {
  private final CacheAside<Object> cache;

  /**
   * Wraps a cache.
   *
   * @param cache the vtp-cache; not null
   */
  public VtpSpringCache(CacheAside<Object> cache) {
    this.cache = Objects.requireNonNull(cache, "cache");
  }

  @Override
  public String getName() {
    return cache.name();
  }

  @Override
  public CacheAside<Object> getNativeCache() {
    return cache;
  }

  @Override
  public ValueWrapper get(Object key) {
    Optional<Loaded<Object>> entry = cache.peek(key(key));
    return entry.map(e -> new SimpleValueWrapper(e.toOptional().orElse(null))).orElse(null);
  }

  @Override
  public <T> T get(Object key, Class<T> type) {
    ValueWrapper w = get(key);
    Object value = w == null ? null : w.get();
    if (value != null && type != null && !type.isInstance(value)) {
      throw new IllegalStateException("cache '" + getName() + "': cached value is a " + value.getClass().getName()
          + ", not the requested " + type.getName());
    }
    @SuppressWarnings("unchecked")
    T t = (T) value;
    return t;
  }

  @Override
  public <T> T get(Object key, Callable<T> valueLoader) {
    try {
      @SuppressWarnings("unchecked")
      T value = (T) cache.get(key(key), k -> {
        try {
          return Loaded.ofNullable(valueLoader.call());
        } catch (Exception e) {
          throw new LoaderFailure(e);
        }
      }).orElse(null);
      return value;
    } catch (LoaderFailure f) {
      // Spring's sync path expects the method's own exception inside a ValueRetrievalException.
      throw new ValueRetrievalException(key, valueLoader, f.getCause());
    }
  }

  @Override
  public void put(Object key, Object value) {
    String k = key(key);
    cache.invalidate(k);
    cache.get(k, ignored -> Loaded.ofNullable(value));
  }

  @Override
  public void evict(Object key) {
    cache.invalidate(key(key));
  }

  @Override
  public void clear() {
    cache.invalidateAll();
  }

  private static String key(Object key) {
    String k = String.valueOf(key);
    return k.isEmpty() ? "\u0000empty" : k;
  }

  /** Carries the value loader's own exception through vtp-cache (which passes unchecked loader exceptions on). */
  private static final class LoaderFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LoaderFailure(Exception cause) {
      super(null, cause, false, false);
    }
  }
}
