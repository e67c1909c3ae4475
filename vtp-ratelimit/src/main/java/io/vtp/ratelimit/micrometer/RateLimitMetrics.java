package io.vtp.ratelimit.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vtp.ratelimit.Outcome;
import io.vtp.ratelimit.RateLimitListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Publishes one rate limiter's activity to Micrometer. Meters, all tagged {@code name=<limiter name>} and never
 * with a user key:
 * <ul>
 *   <li>{@code vtp.ratelimit.decisions} (counter), tag {@code outcome} ({@link Outcome#tag()}: {@code allowed},
 *       {@code denied}, {@code local_denied}, {@code shadow_denied}, {@code fail_open}, {@code fail_closed},
 *       {@code fallback_allowed}, {@code fallback_denied});</li>
 *   <li>{@code vtp.ratelimit.decision.latency} (timer);</li>
 *   <li>{@code vtp.ratelimit.redis.errors} (counter), tag {@code error} (the exception's simple class name, e.g.
 *       {@code TimeoutException}).</li>
 * </ul>
 * A meter is registered on the first event that needs it, so a series appears with its first decision, outcome or
 * error type.
 *
 * <pre>{@code
 * RateLimitMetrics metrics = RateLimitMetrics.create(registry, "api");
 * RateLimiter api = RedisRateLimiter.builder(jedis).name("api").limit(100).window(Duration.ofMinutes(1))
 *     .listener(metrics).build();
 * // on shutdown: api.close(); metrics.close();
 * }</pre>
 *
 * <p>Use one instance per limiter: the {@code name} tag is the name given to {@link #create}, not the
 * {@code limiter} argument of the callbacks, so two limiters sharing one instance are counted together.
 *
 * <p>Thread-safe. Micrometer is an optional dependency: add {@code io.micrometer:micrometer-core} to use this
 * class.
 */
public final class RateLimitMetrics implements RateLimitListener, AutoCloseable {
  private final MeterRegistry registry;
  private final Tags tags;
  private final Map<Outcome, Counter> decisions = new ConcurrentHashMap<>();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private volatile Timer latency;
  /** Every meter registered and not yet removed; guarded by {@code this}, like {@link #closed}. */
  private final List<Meter> meters = new ArrayList<>();
  private boolean closed;

  private RateLimitMetrics(MeterRegistry registry, String name) {
    this.registry = registry;
    this.tags = Tags.of("name", name);
  }

  /**
   * Creates the metrics for one limiter.
   *
   * @param registry the registry the application owns; not {@code null}
   * @param name the limiter's name, the {@code name} tag of every meter (use the limiter's builder name); not
   *     {@code null} or blank
   * @return the listener to pass to {@code RedisRateLimiter.Builder.listener}; never {@code null}
   * @throws NullPointerException when {@code registry} or {@code name} is {@code null}
   * @throws IllegalArgumentException when {@code name} is blank
   */
  public static RateLimitMetrics create(MeterRegistry registry, String name) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("rate limit metrics: name must not be blank but was '" + name + "'");
    }
    return new RateLimitMetrics(registry, name);
  }

  @Override
  public void onDecision(String limiter, Outcome outcome, long nanos) {
    Counter c = decisions.get(outcome);
    if (c == null) {
      c = register(decisions, outcome, () -> Counter.builder("vtp.ratelimit.decisions")
          .description("Rate limit decisions by outcome")
          .tags(tags).tag("outcome", outcome.tag())
          .register(registry));
    }
    Timer t = latency;
    if (t == null) {
      t = registerLatency();
    }
    if (c != null) {
      c.increment();
    }
    if (t != null) {
      t.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void onRedisError(String limiter, Throwable error) {
    String type = error.getClass().getSimpleName();
    if (type.isEmpty()) { // anonymous or local class
      type = error.getClass().getName();
    }
    Counter c = errors.get(type);
    if (c == null) {
      String tag = type;
      c = register(errors, type, () -> Counter.builder("vtp.ratelimit.redis.errors")
          .description("Redis calls of the rate limiter that failed or timed out")
          .tags(tags).tag("error", tag)
          .register(registry));
    }
    if (c != null) {
      c.increment();
    }
  }

  /** Registers a meter once, unless closed (then returns {@code null} and registers nothing). */
  private synchronized <K, M extends Meter> M register(Map<K, M> map, K key, Supplier<M> create) {
    M m = map.get(key);
    if (m == null && !closed) {
      m = create.get();
      meters.add(m);
      map.put(key, m);
    }
    return m;
  }

  private synchronized Timer registerLatency() {
    if (latency == null && !closed) {
      Timer t = Timer.builder("vtp.ratelimit.decision.latency")
          .description("Time to reach a rate limit decision")
          .tags(tags)
          .register(registry);
      meters.add(t);
      latency = t;
    }
    return latency;
  }

  /**
   * Removes every meter this instance registered from the registry. Idempotent. Events after closing (a limiter
   * may still decide while the application shuts down) are ignored and register nothing.
   */
  @Override
  public synchronized void close() {
    closed = true;
    meters.forEach(registry::remove);
    meters.clear();
  }
}
