package io.vtp.ratelimit;

/**
 * Receives what a limiter does, for metrics. Every method has a default that does nothing, so an implementation
 * overrides only what it needs; {@link #noop()} is used when none is configured. The Micrometer implementation,
 * {@code io.vtp.ratelimit.micrometer.RateLimitMetrics}, serves one limiter.
 *
 * <p>Calls come from request threads, possibly many at once: implementations must be thread-safe and fast. A
 * listener that throws is caught and logged with the limiter's name (at most one warning a minute per limiter); it
 * never breaks a decision.
 *
 * <p>No user key is ever passed; tags built from these arguments have low cardinality.
 *
 * @see io.vtp.ratelimit.micrometer.RateLimitMetrics
 */
public interface RateLimitListener {

  /**
   * Called once per decision.
   *
   * @param limiter the limiter's name; never {@code null}
   * @param outcome the outcome; never {@code null}
   * @param nanos how long the decision took, in nanoseconds
   */
  default void onDecision(String limiter, Outcome outcome, long nanos) {}

  /**
   * Called when a Redis call fails or exceeds the limiter's timeout (not when the circuit breaker skips Redis).
   *
   * @param limiter the limiter's name; never {@code null}
   * @param error the failure: a {@link java.util.concurrent.TimeoutException} for a timeout, otherwise the Jedis
   *     exception; never {@code null}
   */
  default void onRedisError(String limiter, Throwable error) {}

  /**
   * Returns the listener that does nothing: one shared, stateless, thread-safe instance.
   *
   * @return the no-op listener; never {@code null}
   */
  static RateLimitListener noop() {
    return NoopRateLimitListener.INSTANCE;
  }
}

/** The no-op listener behind {@link RateLimitListener#noop()}. */
enum NoopRateLimitListener implements RateLimitListener {
  INSTANCE
}
