package io.vtp.ratelimit;

/**
 * Receives what a limiter does, for metrics. Calls come from request threads and must be fast and thread-safe. A
 * listener that throws is logged with the limiter's name and never breaks a decision.
 *
 * <p>No user key is ever passed; tags built from these arguments have low cardinality.
 *
 * @see io.vtp.ratelimit.micrometer.MicrometerRateLimitListener
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
   * Returns a listener that does nothing.
   *
   * @return the no-op listener; never {@code null}
   */
  static RateLimitListener noop() {
    return NoopListener.INSTANCE;
  }
}

/** The no-op listener. */
enum NoopListener implements RateLimitListener {
  INSTANCE
}
