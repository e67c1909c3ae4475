package io.vtp.app.http;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.List;
import java.util.Set;

/**
 * CORS for the origins in {@code CORS_ORIGINS} (none by default: same-origin only). Credentials (the session
 * cookie) are allowed only for listed origins, never for {@code *}; preflights are answered here with 204.
 */
public final class Cors {
  private final Set<String> origins;
  private final boolean any;

  /**
   * Creates the policy.
   *
   * @param origins allowed origins, or {@code *}
   */
  public Cors(List<String> origins) {
    this.origins = Set.copyOf(origins);
    this.any = origins.contains("*");
  }

  /**
   * Adds CORS headers for an allowed origin; answers a preflight.
   *
   * @param ctx the request
   * @return true when the request was a preflight and is fully answered
   */
  public boolean apply(Context ctx) {
    String origin = ctx.header("Origin");
    if (origin == null || !(any || origins.contains(origin))) {
      return false;
    }
    ctx.header("Vary", "Origin");
    if (any) {
      ctx.header("Access-Control-Allow-Origin", "*");
    } else {
      ctx.header("Access-Control-Allow-Origin", origin);
      ctx.header("Access-Control-Allow-Credentials", "true");
    }
    ctx.header("Access-Control-Expose-Headers", "X-Request-Id, X-Instance-Id, RateLimit, RateLimit-Policy, Retry-After");
    if (ctx.method() == HandlerType.OPTIONS && ctx.header("Access-Control-Request-Method") != null) {
      ctx.header("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
      ctx.header("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-Id, X-Token-Type");
      ctx.header("Access-Control-Max-Age", "600");
      ctx.status(204);
      return true;
    }
    return false;
  }

  /** Returns whether any origin is allowed cross-site. */
  public boolean enabled() {
    return !origins.isEmpty();
  }
}
