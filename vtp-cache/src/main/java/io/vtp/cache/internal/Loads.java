package io.vtp.cache.internal;

import io.vtp.cache.CacheException;
import io.vtp.cache.CacheLoadException;
import io.vtp.cache.CacheLoader;
import io.vtp.cache.CacheOverloadedException;
import io.vtp.cache.Loaded;
import io.vtp.cache.internal.EnvelopeCodec.Envelope;
import io.vtp.redis.internal.ThrottledLog;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * What the read and bulk paths share about loading: calling a loader (timed and counted), making the entry to store
 * (jittered freshness, JSON envelope), choosing what to serve when a load failed (stale-if-error), and the bounded
 * bypass for loads while Redis is unavailable. Thread-safe.
 *
 * @param <V> the value type
 */
final class Loads<V> {
  private final CacheConfig cfg;
  private final String name;
  private final EnvelopeCodec<V> codec;
  private final CacheCounters counters;
  private final Logger log;
  private final ThrottledLog errorLog;
  private final Semaphore bypass;

  Loads(CacheConfig cfg, EnvelopeCodec<V> codec, CacheCounters counters, Logger log, ThrottledLog errorLog) {
    this.cfg = cfg;
    this.name = cfg.name();
    this.codec = codec;
    this.counters = counters;
    this.log = log;
    this.errorLog = errorLog;
    this.bypass = new Semaphore(cfg.bypassPermits());
  }

  /**
   * Calls the loader and makes the entry to store.
   *
   * @return the entry; never {@code null}; its {@code raw} is {@code null} when the value cannot be serialised
   * @throws CacheLoadException when the loader threw a checked exception
   * @throws RuntimeException the loader's own unchecked exception, unchanged
   */
  Envelope<V> load(String key, String part, Duration ttl, CacheLoader<V> loader) {
    long start = System.nanoTime();
    Loaded<V> loaded;
    try {
      loaded = loader.load(key);
      if (loaded == null) {
        throw new NullPointerException("cache '" + name + "': loader returned null for key " + part
            + "; return Loaded.notFound() instead");
      }
    } catch (RuntimeException e) {
      counters.loadFailures.increment();
      throw e;
    } catch (Exception e) {
      counters.loadFailures.increment();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new CacheLoadException("cache '" + name + "': loader failed for key " + part + ": " + e, e);
    }
    long nanos = System.nanoTime() - start;
    counters.loadSuccesses.increment();
    counters.loadNanos.add(nanos);
    return entryFor(loaded.toOptional().orElse(null), loaded.isFound() ? ttl : cfg.notFoundTtl(),
        TimeUnit.NANOSECONDS.toMillis(nanos));
  }

  /** Makes the entry of a loaded value ({@code null}: "not found"); its {@code raw} is {@code null} if unserialisable. */
  Envelope<V> entryFor(V value, Duration ttl, long loadMillis) {
    long freshUntil = cfg.clock().millis() + jittered(ttl);
    String raw;
    try {
      raw = codec.encode(value, freshUntil, loadMillis);
    } catch (RuntimeException e) {
      log.error("cache '{}': value of {} cannot be serialised to JSON, so it is not cached", name,
          value == null ? "null" : value.getClass().getName(), e);
      raw = null;
    }
    return new Envelope<>(value, freshUntil, loadMillis, raw);
  }

  private long jittered(Duration ttl) {
    long millis = ttl.toMillis();
    if (cfg.jitter() == 0) {
      return Math.max(1, millis);
    }
    double factor = 1 + cfg.jitter() * (2 * cfg.random().nextDouble() - 1);
    return Math.max(1, Math.round(millis * factor));
  }

  /**
   * Returns the value to serve when a load failed (and counts it), or {@code null} to rethrow: the previous entry
   * while it is fresh (a failed early refresh) or expired within the stale grace; never for an {@link Error}.
   *
   * @param previous the entry the caller had before loading, or {@code null}
   */
  Envelope<V> fallback(Envelope<V> previous, Throwable failure) {
    if (previous == null || failure instanceof Error) {
      return null;
    }
    long now = cfg.clock().millis();
    if (previous.freshUntil() > now) {
      errorLog.warn("cache '" + name + "': early refresh failed; serving the current value", failure);
      return previous;
    }
    if (now <= previous.freshUntil() + cfg.staleGrace().toMillis()) {
      counters.staleServed.increment();
      errorLog.warn("cache '" + name + "': loader failed; serving a stale value within the grace window", failure);
      return previous;
    }
    return null;
  }

  /**
   * Takes a slot of the bounded bypass (loads straight from the source while Redis is unavailable) and counts the
   * bypass load; the caller gives it back with {@link #endBypass()}.
   *
   * @param operation the caller's operation for the exception, {@code get} or {@code getAll}
   * @throws CacheOverloadedException when no slot freed up within {@code bypassWait}
   * @throws CacheException when interrupted while waiting (the interrupt is restored)
   */
  void beginBypass(String operation) {
    long start = System.nanoTime();
    boolean acquired;
    try {
      acquired = bypass.tryAcquire(cfg.bypassWait().toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheException("cache '" + name + "': interrupted while waiting for a bypass slot", e);
    }
    if (!acquired) {
      counters.bypassRejected.increment();
      throw new CacheOverloadedException(name, operation, Duration.ofNanos(System.nanoTime() - start),
          cfg.bypassPermits());
    }
    counters.bypassLoads.increment();
  }

  void endBypass() {
    bypass.release();
  }
}
