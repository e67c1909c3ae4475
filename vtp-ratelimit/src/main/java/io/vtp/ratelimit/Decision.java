package io.vtp.ratelimit;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The answer to one rate limit request.
 *
 * <p>For a request checked against several policies ({@link MultiRateLimiter}) the top-level fields describe the
 * binding policy (when denied: the denying policy with the longest {@code retryAfter}; when allowed: the one with
 * the fewest remaining permits) and {@link #policies()} lists one decision per policy, in policy order. Those
 * per-policy decisions say {@link Outcome#ALLOWED} or {@link Outcome#DENIED} for what that policy alone would
 * answer; nothing is consumed from any of them unless the whole request is allowed. A multi-policy
 * {@link Outcome#LOCAL_DENIED} decision lists only the policy whose cached denial answered it (Redis was not asked
 * about the others).
 *
 * <p>When Redis took no part ({@link Outcome#degraded()} is true and the mode is fail-open or fail-closed) the
 * counts are unknown: {@code remaining} is the limit when failing open and 0 when failing closed.
 *
 * <p>Immutable and thread-safe.
 *
 * @param outcome how the decision was reached; never {@code null}
 * @param policy the name of the policy the fields describe; never {@code null}
 * @param limit that policy's permits per window
 * @param window that policy's window; never {@code null}
 * @param remaining permits still available now (after this request when it was allowed); never negative
 * @param resetAfter time until the policy is fully recovered (all permits available again); never {@code null}
 * @param retryAfter when denied, how long until the same request could be allowed; {@link Duration#ZERO} when
 *     allowed; never {@code null}
 * @param policies one decision per policy for multi-policy requests, otherwise empty; never {@code null}
 */
public record Decision(
    Outcome outcome,
    String policy,
    long limit,
    Duration window,
    long remaining,
    Duration resetAfter,
    Duration retryAfter,
    List<Decision> policies) {

  /**
   * Validates and copies the fields.
   *
   * @param outcome how the decision was reached; never {@code null}
   * @param policy the name of the policy the fields describe; never {@code null}
   * @param limit that policy's permits per window
   * @param window that policy's window; never {@code null}
   * @param remaining permits still available now (after this request when it was allowed); never negative
   * @param resetAfter time until the policy is fully recovered (all permits available again); never {@code null}
   * @param retryAfter when denied, how long until the same request could be allowed; {@link Duration#ZERO} when
   *     allowed; never {@code null}
   * @param policies one decision per policy for multi-policy requests, otherwise empty; never {@code null}
   * @throws NullPointerException when a reference field is {@code null}
   * @throws IllegalArgumentException when a count or duration is negative
   */
  public Decision {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(resetAfter, "resetAfter");
    Objects.requireNonNull(retryAfter, "retryAfter");
    policies = List.copyOf(Objects.requireNonNull(policies, "policies"));
    if (remaining < 0 || limit < 0 || resetAfter.isNegative() || retryAfter.isNegative()) {
      throw new IllegalArgumentException("rate limit '" + policy + "': decision counts and durations must not be "
          + "negative but were remaining "
          + remaining + ", limit " + limit + ", resetAfter " + resetAfter + ", retryAfter " + retryAfter);
    }
  }

  /**
   * Returns whether the request may proceed ({@code outcome().allowed()}).
   *
   * @return whether the request may proceed ({@code outcome().allowed()})
   */
  public boolean allowed() {
    return outcome.allowed();
  }

  /**
   * Returns the per-policy decisions: {@link #policies()} for a multi-policy request, otherwise a list holding
   * just this decision.
   *
   * @return one or more decisions; never {@code null}
   */
  public List<Decision> perPolicy() {
    return policies.isEmpty() ? List.of(this) : policies;
  }
}
