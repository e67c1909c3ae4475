package io.vtp.cache.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vtp.cache.CacheAside;
import io.vtp.cache.CacheStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for one {@link CacheAside}, named like Micrometer's own cache binders and tagged
 * {@code cache=<name>} plus the tags given:
 * <ul>
 *   <li>{@code cache.gets{result=hit|miss}}: reads answered by the cache (L1 or Redis) or not;</li>
 *   <li>{@code cache.l1.gets{result=hit|miss}}: reads answered by the in-process L1 (without L1: always 0);</li>
 *   <li>{@code cache.puts}, {@code cache.evictions};</li>
 *   <li>{@code cache.load{result=success|failure}} and {@code cache.load.duration} (a function timer);</li>
 *   <li>{@code cache.loads.coalesced}, {@code cache.stale.served}, {@code cache.early.refreshes};</li>
 *   <li>{@code cache.backend.errors{kind=redis|corrupt}}, {@code cache.bypass{result=loaded|rejected}};</li>
 *   <li>{@code cache.circuit.open}: 1 while the circuit breaker keeps reads away from Redis.</li>
 * </ul>
 * Meters read the cache's counters when scraped; no per-read cost. {@link #close()} removes them.
 *
 * <p>Thread-safe.
 */
public final class CacheAsideMetrics implements MeterBinder, AutoCloseable {
  private final CacheAside<?> cache;
  private final Tags tags;
  private final List<Meter> meters = new ArrayList<>();
  private MeterRegistry registry;

  /**
   * Creates the binder.
   *
   * @param cache the cache; not {@code null}
   * @param tags extra tags, low cardinality (never a user or session id); not {@code null}
   */
  public CacheAsideMetrics(CacheAside<?> cache, Iterable<Tag> tags) {
    this.cache = Objects.requireNonNull(cache, "cache");
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags")).and("cache", cache.name());
  }

  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    counter("cache.gets", "the number of times cache lookup methods have returned a cached value (hit) or not (miss)",
        CacheStats::hits, "result", "hit");
    counter("cache.gets", "the number of times cache lookup methods have returned a cached value (hit) or not (miss)",
        CacheStats::misses, "result", "miss");
    counter("cache.l1.gets", "lookups answered by the in-process L1 without a Redis command", CacheStats::l1Hits,
        "result", "hit");
    counter("cache.l1.gets", "lookups answered by the in-process L1 without a Redis command", CacheStats::l1Misses,
        "result", "miss");
    counter("cache.puts", "entries written to Redis", CacheStats::puts);
    counter("cache.evictions", "entries removed by invalidation or because they were corrupt", CacheStats::evictions);
    counter("cache.load", "loader calls", CacheStats::loadSuccesses, "result", "success");
    counter("cache.load", "loader calls", CacheStats::loadFailures, "result", "failure");
    meters.add(FunctionTimer.builder("cache.load.duration", cache,
            c -> c.stats().loadSuccesses() + c.stats().loadFailures(), c -> c.stats().totalLoadNanos(),
            TimeUnit.NANOSECONDS)
        .tags(tags).description("time spent in loaders").register(registry));
    counter("cache.loads.coalesced", "reads served by another caller's load (this JVM or another instance)",
        CacheStats::coalescedLoads);
    counter("cache.stale.served", "expired values served because the loader failed within the grace window",
        CacheStats::staleServed);
    counter("cache.early.refreshes", "loads started before expiry", CacheStats::earlyRefreshes);
    counter("cache.backend.errors", "failed Redis calls", CacheStats::backendErrors, "kind", "redis");
    counter("cache.backend.errors", "entries that could not be decoded", CacheStats::corruptValues, "kind", "corrupt");
    counter("cache.bypass", "loads run against the source while Redis was unavailable", CacheStats::bypassLoads,
        "result", "loaded");
    counter("cache.bypass", "reads refused because the bypass was full", CacheStats::bypassRejected,
        "result", "rejected");
    meters.add(Gauge.builder("cache.circuit.open", cache, c -> c.stats().circuitOpen() ? 1 : 0)
        .tags(tags).description("1 while the circuit breaker keeps reads away from Redis").register(registry));
  }

  private void counter(String name, String description, ToDoubleFunction<CacheStats> f, String... tagPairs) {
    meters.add(FunctionCounter.builder(name, cache, c -> f.applyAsDouble(c.stats()))
        .tags(tags.and(tagPairs)).description(description).register(registry));
  }

  /** Removes this binder's meters from the registry it was bound to. Idempotent. */
  @Override
  public synchronized void close() {
    if (registry != null) {
      meters.forEach(registry::remove);
    }
    meters.clear();
  }
}
