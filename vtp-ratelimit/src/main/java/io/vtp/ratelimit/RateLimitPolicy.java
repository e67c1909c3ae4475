package io.vtp.ratelimit;

import io.vtp.redis.internal.Names;
import java.time.Duration;
import java.util.Objects;

/**
 * One rate limit: at most {@code limit} permits per {@code window}, with up to {@code burst} at once (GCRA only),
 * counted by {@code algorithm}.
 *
 * <p>Immutable and thread-safe; validated on construction.
 *
 * @param name the policy's name, 1 to 64 characters of {@code [A-Za-z0-9._-]}; used in Redis keys, the
 *     {@code RateLimit} headers and metric tags
 * @param limit permits per window, 1 to 1,000,000,000
 * @param window the window, 1 ms to 366 days; not {@code null}
 * @param burst permits available at once; 1 to 1,000,000,000; must equal {@code limit} unless the algorithm is
 *     {@link Algorithm#GCRA}
 * @param algorithm the counting algorithm; not {@code null}
 */
public record RateLimitPolicy(String name, long limit, Duration window, long burst, Algorithm algorithm) {
  private static final String COMPONENT = "rate limit";
  private static final long MAX_COUNT = 1_000_000_000L;
  private static final Duration MAX_WINDOW = Duration.ofDays(366);
  /** Keeps every timestamp the Lua script computes below 2^53, where doubles are still exact integers. */
  private static final long MAX_BURST_SPAN_MICROS = 1L << 50;

  /**
   * Validates the policy.
   *
   * @param name the policy's name, 1 to 64 characters of {@code [A-Za-z0-9._-]}; used in Redis keys, the
   *     {@code RateLimit} headers and metric tags
   * @param limit permits per window, 1 to 1,000,000,000
   * @param window the window, 1 ms to 366 days; not {@code null}
   * @param burst permits available at once; 1 to 1,000,000,000; must equal {@code limit} unless the algorithm is
   *     {@link Algorithm#GCRA}
   * @param algorithm the counting algorithm; not {@code null}
   * @throws NullPointerException when {@code name}, {@code window} or {@code algorithm} is {@code null}
   * @throws IllegalArgumentException when a value breaks its rule, as
   *     {@code rate limit '<policy name>': <field> must <rule> but was <value>}
   */
  public RateLimitPolicy {
    Names.checkName(COMPONENT, name);
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(algorithm, "algorithm");
    if (limit <= 0 || limit > MAX_COUNT) {
      throw invalid(name, "limit must be > 0 and <= " + MAX_COUNT + " but was " + limit);
    }
    if (window.compareTo(Duration.ofMillis(1)) < 0 || window.compareTo(MAX_WINDOW) > 0) {
      throw invalid(name, "window must be >= 1ms and <= 366 days but was " + window);
    }
    if (burst <= 0 || burst > MAX_COUNT) {
      throw invalid(name, "burst must be > 0 and <= " + MAX_COUNT + " but was " + burst);
    }
    if (algorithm != Algorithm.GCRA && burst != limit) {
      throw invalid(name, "burst applies only to GCRA; with " + algorithm + " it must equal the limit " + limit
          + " but was " + burst);
    }
    long windowMicros = window.toNanos() / 1000;
    if (limit > windowMicros) {
      throw invalid(name, "limit must be <= the window in microseconds (" + windowMicros + ") but was " + limit);
    }
    long interval = (windowMicros + limit - 1) / limit;
    if (burst > MAX_BURST_SPAN_MICROS / interval) {
      throw invalid(name, "burst * (window / limit) must be <= 2^50 microseconds but burst was " + burst
          + " with an interval of " + interval + " us");
    }
  }

  /**
   * Creates a GCRA policy whose burst equals its limit.
   *
   * @param name the policy's name
   * @param limit permits per window
   * @param window the window
   * @return the policy; never {@code null}
   * @throws NullPointerException when {@code name} or {@code window} is {@code null}
   * @throws IllegalArgumentException when a value is invalid
   */
  public static RateLimitPolicy of(String name, long limit, Duration window) {
    return new RateLimitPolicy(name, limit, window, limit, Algorithm.GCRA);
  }

  /**
   * Returns a copy with another burst (GCRA only).
   *
   * @param burst permits available at once
   * @return the new policy; never {@code null}
   * @throws IllegalArgumentException when the burst is invalid for this policy
   */
  public RateLimitPolicy withBurst(long burst) {
    return new RateLimitPolicy(name, limit, window, burst, algorithm);
  }

  /**
   * Returns a copy with another algorithm.
   *
   * @param algorithm the algorithm; not {@code null}
   * @return the new policy; never {@code null}
   * @throws NullPointerException when {@code algorithm} is {@code null}
   * @throws IllegalArgumentException when the burst differs from the limit and the algorithm is not GCRA
   */
  public RateLimitPolicy withAlgorithm(Algorithm algorithm) {
    return new RateLimitPolicy(name, limit, window, burst, algorithm);
  }

  /**
   * Returns the most permits one request may ask for: the burst for GCRA, the limit otherwise. Asking for more
   * could never succeed.
   *
   * @return the largest valid {@code permits}
   */
  public long maxPermits() {
    return algorithm == Algorithm.GCRA ? burst : limit;
  }

  private static IllegalArgumentException invalid(String name, String rule) {
    return new IllegalArgumentException(COMPONENT + " '" + name + "': " + rule);
  }

  @Override
  public String toString() {
    return "RateLimitPolicy[" + name + " " + limit + "/" + window + " burst " + burst + " " + algorithm + "]";
  }
}
