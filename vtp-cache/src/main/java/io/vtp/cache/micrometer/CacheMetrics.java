package io.vtp.cache.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vtp.cache.CacheAside;
import io.vtp.cache.CacheStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Publishes one {@link CacheAside} to Micrometer, with meters named like Micrometer's own cache binders under
 * {@code vtp.cache.} and all tagged {@code name=<name>} (never a key):
 * <ul>
 *   <li>{@code vtp.cache.gets{result=hit|miss}}: reads answered by the cache (L1 or Redis) or not;</li>
 *   <li>{@code vtp.cache.l1.gets{result=hit|miss}}: reads answered by the in-process L1 (without L1: always 0);</li>
 *   <li>{@code vtp.cache.puts}, {@code vtp.cache.evictions};</li>
 *   <li>{@code vtp.cache.load{result=success|failure}} and {@code vtp.cache.load.duration} (a function
 *       timer);</li>
 *   <li>{@code vtp.cache.loads.coalesced}, {@code vtp.cache.stale.served}, {@code vtp.cache.early.refreshes};</li>
 *   <li>{@code vtp.cache.backend.errors{kind=redis|corrupt}},
 *       {@code vtp.cache.bypass{result=loaded|rejected}};</li>
 *   <li>{@code vtp.cache.circuit.open}: 1 while the circuit breaker keeps reads away from Redis.</li>
 * </ul>
 *
 * <pre>{@code
 * CacheAside<Course> courses = RedisCacheAside.builder(redis, Course.class).name("courses").build();
 * CacheMetrics metrics = CacheMetrics.create(meterRegistry, courses.name(), courses);
 * // on shutdown: metrics.close();
 * }</pre>
 *
 * <p>Unlike the other modules' metrics this is no listener: {@link #create} takes the cache because every meter
 * reads the cache's own counters ({@link CacheAside#stats()}) when scraped, so reads pay nothing for metrics. That
 * is also why the meters are function counters rather than counters.
 *
 * <p>Thread-safe. {@link #close()} removes every meter from the registry.
 */
public final class CacheMetrics implements AutoCloseable {
  private final MeterRegistry registry;
  private final CacheAside<?> cache;
  private final Tags tags;
  private final List<Meter> meters = new ArrayList<>();

  private CacheMetrics(MeterRegistry registry, String name, CacheAside<?> cache) {
    this.registry = registry;
    this.cache = cache;
    this.tags = Tags.of("name", name);
    String gets = "the number of times cache lookup methods have returned a cached value (hit) or not (miss)";
    counter("vtp.cache.gets", gets, CacheStats::hits, "result", "hit");
    counter("vtp.cache.gets", gets, CacheStats::misses, "result", "miss");
    String l1 = "lookups answered by the in-process L1 without a Redis command";
    counter("vtp.cache.l1.gets", l1, CacheStats::l1Hits, "result", "hit");
    counter("vtp.cache.l1.gets", l1, CacheStats::l1Misses, "result", "miss");
    counter("vtp.cache.puts", "entries written to Redis", CacheStats::puts);
    counter("vtp.cache.evictions", "entries removed by invalidation or because they were corrupt",
        CacheStats::evictions);
    counter("vtp.cache.load", "loader calls", CacheStats::loadSuccesses, "result", "success");
    counter("vtp.cache.load", "loader calls", CacheStats::loadFailures, "result", "failure");
    meters.add(FunctionTimer.builder("vtp.cache.load.duration", cache,
            c -> c.stats().loadSuccesses() + c.stats().loadFailures(), c -> c.stats().totalLoadNanos(),
            TimeUnit.NANOSECONDS)
        .tags(tags).description("time spent in loaders").register(registry));
    counter("vtp.cache.loads.coalesced", "reads served by another caller's load (this JVM or another instance)",
        CacheStats::coalescedLoads);
    counter("vtp.cache.stale.served", "expired values served because the loader failed within the grace window",
        CacheStats::staleServed);
    counter("vtp.cache.early.refreshes", "loads started before expiry", CacheStats::earlyRefreshes);
    counter("vtp.cache.backend.errors", "failed Redis calls", CacheStats::backendErrors, "kind", "redis");
    counter("vtp.cache.backend.errors", "entries that could not be decoded", CacheStats::corruptValues,
        "kind", "corrupt");
    counter("vtp.cache.bypass", "loads run against the source while Redis was unavailable", CacheStats::bypassLoads,
        "result", "loaded");
    counter("vtp.cache.bypass", "reads refused because the bypass was full", CacheStats::bypassRejected,
        "result", "rejected");
    meters.add(Gauge.builder("vtp.cache.circuit.open", cache, c -> c.stats().circuitOpen() ? 1 : 0)
        .tags(tags).description("1 while the circuit breaker keeps reads away from Redis").register(registry));
  }

  /**
   * Creates the metrics and registers every meter.
   *
   * @param registry the registry the application owns; not {@code null}
   * @param name the cache's name, the {@code name} tag of every meter (use {@link CacheAside#name()}); not
   *     {@code null} or blank
   * @param cache the cache whose {@link CacheAside#stats()} the meters read; not {@code null}
   * @return the metrics; never {@code null}
   * @throws NullPointerException when an argument is {@code null}
   * @throws IllegalArgumentException when {@code name} is blank
   */
  public static CacheMetrics create(MeterRegistry registry, String name, CacheAside<?> cache) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(cache, "cache");
    if (name.isBlank()) {
      throw new IllegalArgumentException("cache metrics: name must not be blank but was '" + name + "'");
    }
    return new CacheMetrics(registry, name, cache);
  }

  private void counter(String name, String description, ToDoubleFunction<CacheStats> f, String... tagPairs) {
    meters.add(FunctionCounter.builder(name, cache, c -> f.applyAsDouble(c.stats()))
        .tags(tags.and(tagPairs)).description(description).register(registry));
  }

  /** Removes every meter this instance registered from the registry. Idempotent. */
  @Override
  public synchronized void close() {
    meters.forEach(registry::remove);
    meters.clear();
  }
}
