package io.vtp.ratelimit;

import java.util.Locale;

/**
 * How a rate limit decision was reached. Each outcome says whether the request may proceed ({@link #allowed()})
 * and whether Redis answered it ({@link #degraded()} is {@code true} when it did not). Thread-safe.
 */
public enum Outcome {
  /** Redis allowed the request and consumed the permits. */
  ALLOWED(true, false),
  /** Redis denied the request; nothing was consumed. Answer 429 with {@code Retry-After}. */
  DENIED(false, false),
  /**
   * Denied from the local deny cache without a Redis call: Redis denied this key earlier and its retry time has
   * not come yet. Answer 429 like {@link #DENIED}.
   */
  LOCAL_DENIED(false, false),
  /** Shadow mode: Redis would have denied the request, but shadow mode lets it through. */
  SHADOW_DENIED(true, false),
  /** Redis was unavailable (error, timeout or open circuit) and the limiter fails open: allowed, uncounted. */
  FAIL_OPEN(true, true),
  /**
   * Redis was unavailable and the limiter fails closed: denied. This is not the client's fault, so answer 503
   * with {@code Retry-After}, not 429.
   */
  FAIL_CLOSED(false, true),
  /** Redis was unavailable and the in-process fallback limiter allowed the request. */
  FALLBACK_ALLOWED(true, true),
  /** Redis was unavailable and the in-process fallback limiter denied the request. Answer 429. */
  FALLBACK_DENIED(false, true);

  private final boolean allowed;
  private final boolean degraded;
  private final String tag;

  Outcome(boolean allowed, boolean degraded) {
    this.allowed = allowed;
    this.degraded = degraded;
    this.tag = name().toLowerCase(Locale.ROOT);
  }

  /**
   * Returns whether the request may proceed.
   *
   * @return whether the request may proceed
   */
  public boolean allowed() {
    return allowed;
  }

  /**
   * Returns whether Redis did not take part in the decision because it was unavailable.
   *
   * @return whether Redis did not take part in the decision because it was unavailable
   */
  public boolean degraded() {
    return degraded;
  }

  /**
   * Returns the lower-case name used as a metric tag, e.g. {@code fail_open}.
   *
   * @return the lower-case name used as a metric tag, e.g. {@code fail_open}; never {@code null}
   */
  public String tag() {
    return tag;
  }
}
