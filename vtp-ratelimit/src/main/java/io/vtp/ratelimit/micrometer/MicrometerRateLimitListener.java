package io.vtp.ratelimit.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vtp.ratelimit.Outcome;
import io.vtp.ratelimit.RateLimitListener;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * Records rate limiter activity in Micrometer:
 * <ul>
 *   <li>{@code ratelimit.decisions} (counter), tags {@code limiter} and {@code outcome} ({@link Outcome#tag()}:
 *       {@code allowed}, {@code denied}, {@code local_denied}, {@code shadow_denied}, {@code fail_open},
 *       {@code fail_closed}, {@code fallback_allowed}, {@code fallback_denied});</li>
 *   <li>{@code ratelimit.decision.latency} (timer), tag {@code limiter};</li>
 *   <li>{@code ratelimit.redis.errors} (counter), tags {@code limiter} and {@code error} (the exception's simple
 *       class name, e.g. {@code TimeoutException}).</li>
 * </ul>
 * Tags never carry user keys. Pass one instance to any number of limiters with
 * {@link io.vtp.ratelimit.RedisRateLimiter.Builder#listener(RateLimitListener)}; {@link #close()} removes the
 * meters it registered.
 *
 * <p>Thread-safe. Micrometer is an optional dependency: add {@code io.micrometer:micrometer-core} to use this
 * class.
 */
public final class MicrometerRateLimitListener implements RateLimitListener, AutoCloseable {
  private final MeterRegistry registry;
  private final ConcurrentMap<String, Counter> decisions = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Timer> latency = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> errors = new ConcurrentHashMap<>();

  private MicrometerRateLimitListener(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Creates a listener that records into {@code registry}.
   *
   * @param registry the registry; not {@code null}
   * @return a new listener; never {@code null}
   * @throws NullPointerException when {@code registry} is {@code null}
   */
  public static MicrometerRateLimitListener create(MeterRegistry registry) {
    return new MicrometerRateLimitListener(Objects.requireNonNull(registry, "registry"));
  }

  @Override
  public void onDecision(String limiter, Outcome outcome, long nanos) {
    decisions.computeIfAbsent(limiter + '\u0000' + outcome.tag(), k -> Counter.builder("ratelimit.decisions")
        .description("Rate limit decisions by outcome")
        .tag("limiter", limiter).tag("outcome", outcome.tag())
        .register(registry)).increment();
    latency.computeIfAbsent(limiter, k -> Timer.builder("ratelimit.decision.latency")
        .description("Time to reach a rate limit decision")
        .tag("limiter", limiter)
        .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void onRedisError(String limiter, Throwable error) {
    String type = error.getClass().getSimpleName();
    errors.computeIfAbsent(limiter + '\u0000' + type, k -> Counter.builder("ratelimit.redis.errors")
        .description("Redis calls of the rate limiter that failed or timed out")
        .tag("limiter", limiter).tag("error", type)
        .register(registry)).increment();
  }

  /** Removes every meter this listener registered. Later events register them again. */
  @Override
  public void close() {
    remove(decisions);
    remove(latency);
    remove(errors);
  }

  private void remove(ConcurrentMap<String, ? extends Meter> meters) {
    meters.values().forEach(registry::remove);
    meters.clear();
  }
}
