package io.vtp.ratelimit;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Renders a {@link Decision} for HTTP without any web framework: the IETF {@code RateLimit-Policy} and
 * {@code RateLimit} fields (draft-ietf-httpapi-ratelimit-headers-10), {@code Retry-After} on denial, the optional
 * legacy {@code X-RateLimit-*} fields, the status code to answer and an RFC 9457 problem body.
 *
 * <pre>{@code
 * Decision d = limiter.tryAcquire(userId);
 * RateLimitHttp.headers(d).forEach(response::setHeader);
 * if (!d.allowed()) {
 *   response.status(RateLimitHttp.rejectionStatus(d));               // 429, or 503 when failing closed
 *   response.contentType(RateLimitHttp.PROBLEM_CONTENT_TYPE);
 *   response.body(RateLimitHttp.problemJson(d));
 * }
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class RateLimitHttp {
  /** The media type of {@link #problemJson(Decision)}. */
  public static final String PROBLEM_CONTENT_TYPE = "application/problem+json";

  private RateLimitHttp() {}

  /**
   * Returns the IETF rate limit fields for a decision, in a stable order: {@code RateLimit-Policy} and
   * {@code RateLimit} (one list member per policy, e.g. {@code "api";q=100;w=60} and {@code "api";r=42;t=36}),
   * plus {@code Retry-After} (whole seconds, at least 1) when the request is denied. A decision made without Redis
   * in fail-open or fail-closed mode has no counts to report: only {@code Retry-After} is given, when denied.
   *
   * @param decision the decision; not {@code null}
   * @return field name to value; never {@code null}
   * @throws NullPointerException when {@code decision} is {@code null}
   */
  public static Map<String, String> headers(Decision decision) {
    return headers(decision, false);
  }

  /**
   * Like {@link #headers(Decision)}, optionally adding {@code X-RateLimit-Limit}, {@code X-RateLimit-Remaining}
   * and {@code X-RateLimit-Reset} (seconds until full recovery, not an epoch time) for the binding policy.
   *
   * @param decision the decision; not {@code null}
   * @param legacy whether to add the {@code X-RateLimit-*} fields
   * @return field name to value; never {@code null}
   * @throws NullPointerException when {@code decision} is {@code null}
   */
  public static Map<String, String> headers(Decision decision, boolean legacy) {
    Objects.requireNonNull(decision, "decision");
    Map<String, String> h = new LinkedHashMap<>();
    Outcome o = decision.outcome();
    boolean countsKnown = o != Outcome.FAIL_OPEN && o != Outcome.FAIL_CLOSED;
    if (countsKnown) {
      StringBuilder policy = new StringBuilder();
      StringBuilder state = new StringBuilder();
      for (Decision d : decision.perPolicy()) {
        if (policy.length() > 0) {
          policy.append(", ");
          state.append(", ");
        }
        policy.append('"').append(d.policy()).append("\";q=").append(d.limit()).append(";w=")
            .append(seconds(d.window()));
        state.append('"').append(d.policy()).append("\";r=").append(d.remaining()).append(";t=")
            .append(seconds(d.resetAfter()));
      }
      h.put("RateLimit-Policy", policy.toString());
      h.put("RateLimit", state.toString());
    }
    if (!decision.allowed()) {
      h.put("Retry-After", Long.toString(retryAfterSeconds(decision)));
    }
    if (legacy && countsKnown) {
      h.put("X-RateLimit-Limit", Long.toString(decision.limit()));
      h.put("X-RateLimit-Remaining", Long.toString(decision.remaining()));
      h.put("X-RateLimit-Reset", Long.toString(seconds(decision.resetAfter())));
    }
    return h;
  }

  /**
   * Returns the status to answer a denied request with: 503 for {@link Outcome#FAIL_CLOSED} (the server's
   * trouble, not the client's), 429 otherwise.
   *
   * @param decision a denied decision; not {@code null}
   * @return 429 or 503
   * @throws NullPointerException when {@code decision} is {@code null}
   * @throws IllegalArgumentException when the decision allowed the request
   */
  public static int rejectionStatus(Decision decision) {
    Objects.requireNonNull(decision, "decision");
    if (decision.allowed()) {
      throw new IllegalArgumentException("rate limit '" + decision.policy() + "': decision must be a denial to "
          + "have a rejection status but was " + decision.outcome());
    }
    return decision.outcome() == Outcome.FAIL_CLOSED ? 503 : 429;
  }

  /**
   * Returns an RFC 9457 problem body ({@code application/problem+json}) for a denied request, e.g.
   * {@code {"type":"about:blank","title":"Too Many Requests","status":429,"detail":"rate limit 'api' exceeded;
   * retry after 36 s","policy":"api","retry_after":36}}. It names the policy, never the user key.
   *
   * @param decision a denied decision; not {@code null}
   * @return the JSON text; never {@code null}
   * @throws NullPointerException when {@code decision} is {@code null}
   * @throws IllegalArgumentException when the decision allowed the request
   */
  public static String problemJson(Decision decision) {
    int status = rejectionStatus(decision);
    long retry = retryAfterSeconds(decision);
    String title = status == 503 ? "Service Unavailable" : "Too Many Requests";
    String detail = status == 503
        ? "rate limit '" + decision.policy() + "' cannot be checked right now; retry after " + retry + " s"
        : "rate limit '" + decision.policy() + "' exceeded; retry after " + retry + " s";
    // Policy names are [A-Za-z0-9._-] (validated), so nothing here needs JSON escaping.
    return "{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status + ",\"detail\":\"" + detail
        + "\",\"policy\":\"" + decision.policy() + "\",\"retry_after\":" + retry + "}";
  }

  /**
   * Returns {@code Retry-After} in whole seconds: the decision's retry time rounded up, at least 1.
   *
   * @param decision the decision; not {@code null}
   * @return seconds, at least 1
   * @throws NullPointerException when {@code decision} is {@code null}
   */
  public static long retryAfterSeconds(Decision decision) {
    return Math.max(1, seconds(Objects.requireNonNull(decision, "decision").retryAfter()));
  }

  private static long seconds(Duration d) {
    long s = d.getSeconds();
    return d.getNano() > 0 ? s + 1 : s;
  }
}
