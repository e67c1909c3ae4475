package io.vtp.app.tracing;

import io.vtp.cache.BulkLoader;
import io.vtp.cache.CacheAside;
import io.vtp.cache.CacheLoader;
import io.vtp.cache.CacheStats;
import io.vtp.cache.Loaded;
import io.vtp.cache.Lookup;
import io.vtp.redis.PipelinedCall;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A cache with a span ({@code cache.get <name>}) around each read or load; a load's SQL spans nest under it. The
 * pipelined {@link #readCall} is passed through without a span (it runs inside another call's round trip). Used only
 * when tracing is on; otherwise the cache itself is wired.
 *
 * @param <V> the value type
 */
public final class TracedCacheAside<V> implements CacheAside<V> {
  private final CacheAside<V> delegate;
  private final Tracing tracing;
  private final String getName;
  private final String getAllName;

  /**
   * @param delegate the cache
   * @param tracing the tracing
   */
  public TracedCacheAside(CacheAside<V> delegate, Tracing tracing) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.tracing = Objects.requireNonNull(tracing, "tracing");
    this.getName = "cache.get " + delegate.name();
    this.getAllName = "cache.getAll " + delegate.name();
  }

  @Override
  public Optional<V> get(String key, CacheLoader<V> loader) {
    return tracing.span(getName, () -> delegate.get(key, loader));
  }

  @Override
  public Optional<V> get(String key, Duration ttl, CacheLoader<V> loader) {
    return tracing.span(getName, () -> delegate.get(key, ttl, loader));
  }

  @Override
  public Lookup<V> lookup(String key, CacheLoader<V> loader) {
    return tracing.span(getName, () -> delegate.lookup(key, loader));
  }

  @Override
  public Optional<Loaded<V>> peek(String key) {
    return tracing.span(getName, () -> delegate.peek(key));
  }

  @Override
  public PipelinedCall<Optional<Loaded<V>>> readCall(String key) {
    return delegate.readCall(key);
  }

  @Override
  public Map<String, V> getAll(Collection<String> keys, BulkLoader<V> loader) {
    return tracing.span(getAllName, () -> delegate.getAll(keys, loader));
  }

  @Override
  public void invalidate(String key) {
    delegate.invalidate(key);
  }

  @Override
  public void invalidateAll() {
    delegate.invalidateAll();
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public CacheStats stats() {
    return delegate.stats();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
