package io.vtp.app.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.vtp.app.auth.AuthService;
import io.vtp.app.auth.Principal;
import io.vtp.app.http.ApiException;
import io.vtp.app.http.Requests;
import io.vtp.javalin.RateLimitPlugin;
import io.vtp.javalin.SessionPlugin;
import io.vtp.ratelimit.RateLimiter;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Authentication and the API rate limit for handlers. Authenticated routes look the session up once (memoized per
 * request) and are limited per user. Public routes are limited per user when the request carries a valid session
 * (so users behind one address do not share a limit) and per client address otherwise; they never fail because of
 * the session store: when it is down the request goes on anonymously, and for {@link #OPTIONAL_LOOKUP_PAUSE} after
 * such a failure public routes do not even try (only the first request pays the store's timeout). Tokens come from
 * {@code Authorization: Bearer} or the session cookie, never from the URL ({@link SessionPlugin}); limits are applied
 * with {@link RateLimitPlugin#enforce}.
 *
 * <p>Thread-safe.
 */
public final class Guard {
  /** Cookie name over plain HTTP (local use); {@link SessionPlugin}'s {@code cookieName}. */
  public static final String COOKIE = "vtp_session";
  /** Cookie name over TLS (through a trusted proxy): the {@code __Host-} prefix pins it to this host, path /. */
  public static final String SECURE_COOKIE = "__Host-" + COOKIE;
  /** How long public routes skip the session lookup after the session store failed. */
  public static final Duration OPTIONAL_LOOKUP_PAUSE = Duration.ofSeconds(5);
  private static final String PRINCIPAL = "vtp.principal";

  private final AuthService auth;
  private final RateLimiter api;
  private final ObjectMapper json;
  private final Clock clock;
  private volatile long skipOptionalLookupUntil = Long.MIN_VALUE;

  /**
   * Creates the guard.
   *
   * @param auth session lookup
   * @param api the API limiter (fail-open)
   * @param json the JSON mapper
   * @param clock the time source of the pause after a session store failure
   */
  public Guard(AuthService auth, RateLimiter api, ObjectMapper json, Clock clock) {
    this.auth = auth;
    this.api = api;
    this.json = json;
    this.clock = clock;
  }

  /**
   * For a public route: resolves the session if one is presented (anonymous when it is invalid or the session
   * store is down) and applies the API limit per user, else per client address.
   *
   * @param ctx the request
   * @return the principal, or empty for an anonymous request
   * @throws io.vtp.javalin.ProblemException 429 when over the limit
   */
  public Optional<Principal> publicRoute(Context ctx) {
    Principal p = ctx.attribute(PRINCIPAL);
    if (p != null) {
      return Optional.of(p); // resolved and limited earlier in this request
    }
    String token = token(ctx);
    if (token != null && clock.millis() >= skipOptionalLookupUntil) {
      try {
        p = auth.authenticate(token).orElse(null);
      } catch (ApiException e) {
        if (e.status() != 503) {
          throw e;
        }
        skipOptionalLookupUntil = clock.millis() + OPTIONAL_LOOKUP_PAUSE.toMillis();
      }
    }
    if (p == null) {
      limit(ctx, "ip:" + Requests.clientIp(ctx));
      return Optional.empty();
    }
    ctx.attribute(PRINCIPAL, p);
    limit(ctx, "user:" + p.userId());
    return Optional.of(p);
  }

  /**
   * For an authenticated route: resolves the session and applies the API limit per user.
   *
   * @param ctx the request
   * @return the principal
   * @throws ApiException 401 without a valid session, 503 when the session store is down
   * @throws io.vtp.javalin.ProblemException 429 over the limit
   */
  public Principal requireUser(Context ctx) {
    Principal p = ctx.attribute(PRINCIPAL);
    if (p == null) {
      String token = token(ctx);
      if (token == null) {
        throw ApiException.unauthorized("authentication required: send the session cookie or Authorization: Bearer");
      }
      Optional<Principal> found = auth.authenticate(token);
      if (found.isEmpty()) {
        throw ApiException.unauthorized("session is invalid or expired; log in again");
      }
      p = found.get();
      ctx.attribute(PRINCIPAL, p);
      limit(ctx, "user:" + p.userId());
    }
    return p;
  }

  private void limit(Context ctx, String key) {
    RateLimitPlugin.enforce(ctx, api.tryAcquire(key));
  }

  /**
   * Returns the presented token: {@code Authorization: Bearer}, else the session cookie (over TLS only the
   * {@code __Host-} one); never a URL parameter.
   *
   * @param ctx the request
   * @return the token or {@code null}
   */
  public static String token(Context ctx) {
    return ctx.with(SessionPlugin.class).token().orElse(null);
  }

  /** Returns the JSON mapper. */
  ObjectMapper json() {
    return json;
  }
}
