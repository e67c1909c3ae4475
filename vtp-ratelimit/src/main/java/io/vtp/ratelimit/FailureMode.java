package io.vtp.ratelimit;

/**
 * What a limiter answers when Redis errs, times out or its circuit breaker is open. No mode throws: the limiter
 * never raises a {@link io.vtp.redis.BackendUnavailableException}; {@link #FAIL_CLOSED} is a denied
 * {@link Decision} the application answers with 503. Thread-safe.
 */
public enum FailureMode {
  /** Allow the request ({@link Outcome#FAIL_OPEN}). The default; suits reads. */
  FAIL_OPEN,
  /**
   * Deny the request ({@link Outcome#FAIL_CLOSED}); the application answers 503 with {@code Retry-After}. Suits
   * login and other abuse-sensitive routes.
   */
  FAIL_CLOSED,
  /**
   * Decide with an in-process GCRA limiter at {@code limit / expectedInstances} (and {@code burst /
   * expectedInstances}), so the cluster as a whole stays near its limit while Redis is away
   * ({@link Outcome#FALLBACK_ALLOWED}, {@link Outcome#FALLBACK_DENIED}). Requires
   * {@code expectedInstances}.
   */
  LOCAL_FALLBACK
}
