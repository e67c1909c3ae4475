package io.vtp.app.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.vtp.app.auth.AuthService;
import io.vtp.app.auth.Principal;
import io.vtp.app.http.ApiException;
import io.vtp.app.http.Requests;
import io.vtp.app.tracing.Tracing;
import io.vtp.javalin.RateLimitPlugin;
import io.vtp.javalin.SessionPlugin;
import io.vtp.ratelimit.Decision;
import io.vtp.ratelimit.RateLimiter;
import io.vtp.redis.PipelinedCall;
import io.vtp.redis.RoundTrip;
import io.vtp.session.PipelinedFind;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Authentication and the API rate limit for handlers. Authenticated routes look the session up once (memoized per
 * request) and are limited per user; when this instance found the same token before, the lookup and the user's
 * limit go to Redis in one round trip (see {@link #requireUser(Context)}). Public routes are limited per user when the request carries a valid session
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
  /** The API limit's key prefix for a signed-in user. */
  private static final String USER_KEY = "user:";

  private final AuthService auth;
  private final RateLimiter api;
  private final ObjectMapper json;
  private final Clock clock;
  private final Tracing tracing;
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
    this(auth, api, json, clock, Tracing.off());
  }

  /**
   * Creates the guard with spans: {@code session.lookup}, {@code ratelimit.acquire}, or
   * {@code session.lookup+ratelimit.acquire} when both travel in one Redis round trip (client spans, children of
   * the request's span); nothing when tracing is off.
   *
   * @param auth session lookup
   * @param api the API limiter (fail-open)
   * @param json the JSON mapper
   * @param clock the time source of the pause after a session store failure
   * @param tracing the app's tracing (off: no span)
   */
  public Guard(AuthService auth, RateLimiter api, ObjectMapper json, Clock clock, Tracing tracing) {
    this.tracing = java.util.Objects.requireNonNull(tracing, "tracing");
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
   * @param alongside other libraries' calls to send in the same Redis round trip as the session lookup or the
   *     limit (e.g. the cached course, {@link io.vtp.cache.course.CachedCourseService#readCallById(long)}); each is
   *     sent exactly once, whatever this method answers, and read by the caller afterwards
   * @return the principal, or empty for an anonymous request
   * @throws io.vtp.javalin.ProblemException 429 when over the limit
   */
  public Optional<Principal> publicRoute(Context ctx, PipelinedCall<?>... alongside) {
    Principal p = ctx.attribute(PRINCIPAL);
    if (p != null) {
      RoundTrip.send(alongside);
      return Optional.of(p); // resolved and limited earlier in this request
    }
    String token = token(ctx);
    Decision charged = null;
    boolean sent = false;
    if (token != null && clock.millis() >= skipOptionalLookupUntil) {
      try {
        sent = true; // resolve sends the calls alongside, whatever it answers
        Resolved r = resolve(token, alongside);
        p = r.principal().orElse(null);
        charged = r.charged();
      } catch (ApiException e) {
        if (e.status() != 503) {
          throw e;
        }
        skipOptionalLookupUntil = clock.millis() + OPTIONAL_LOOKUP_PAUSE.toMillis();
      }
    }
    if (p == null) {
      String key = "ip:" + Requests.clientIp(ctx);
      if (sent) {
        limit(ctx, key);
      } else {
        // Anonymous: the address's limit and the calls alongside in one round trip.
        PipelinedCall<Decision> charge = api.acquireCall(key);
        tracing.clientSpan("ratelimit.acquire", "redis", () -> {
          RoundTrip.send(with(charge, alongside));
          return null;
        });
        RateLimitPlugin.enforce(ctx, charge.result());
      }
      return Optional.empty();
    }
    ctx.attribute(PRINCIPAL, p);
    limitUser(ctx, p, charged);
    return Optional.of(p);
  }

  private static PipelinedCall<?>[] with(PipelinedCall<?> first, PipelinedCall<?>... more) {
    PipelinedCall<?>[] all = new PipelinedCall<?>[1 + more.length];
    all[0] = first;
    System.arraycopy(more, 0, all, 1, more.length);
    return all;
  }

  private static PipelinedCall<?>[] with(PipelinedCall<?> first, PipelinedCall<?> second, PipelinedCall<?>... more) {
    return with(first, with(second, more));
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
      Resolved r = resolve(token);
      if (r.principal().isEmpty()) {
        throw ApiException.unauthorized("session is invalid or expired; log in again");
      }
      p = r.principal().get();
      ctx.attribute(PRINCIPAL, p);
      limitUser(ctx, p, r.charged());
    }
    return p;
  }

  /**
   * A session lookup's principal, and the API limit decision for its user when that was charged in the same round
   * trip ({@code null} otherwise).
   */
  private record Resolved(Optional<Principal> principal, Decision charged) {}

  /**
   * Looks the session up and, when this instance's session store remembers whose session the token was, charges
   * that user's API limit in the same Redis round trip (one round trip for both on a standalone Redis).
   *
   * <p>Why the charge cannot be abused: the user is the one the store itself found under this exact token before
   * (the token's secret part names it), never one derived from the token's text. A forged token, even one carrying
   * a victim's user tag (computable from the user id, which is public), was never found, so it names nobody and
   * its requests are charged per client address as anonymous ones. What remains: a token that was a real session
   * of this user on this instance and has ended since (logout elsewhere, expiry) charges the user once per request
   * that races the lookup which finds it gone; the store forgets the token then. Only a former holder of the session
   * can send it.
   *
   * @throws ApiException 503 when the session store is down
   */
  private Resolved resolve(String token, PipelinedCall<?>... alongside) {
    PipelinedFind lookup = auth.lookup(token);
    String hinted = lookup.rememberedUserId().filter(Guard::isUserId).orElse(null);
    if (hinted == null) {
      return tracing.clientSpan("session.lookup", "redis", () -> {
        RoundTrip.send(with(lookup, alongside));
        return new Resolved(auth.authenticated(lookup, token), null);
      });
    }
    PipelinedCall<Decision> charge = api.acquireCall(USER_KEY + hinted);
    tracing.clientSpan("session.lookup+ratelimit.acquire", "redis", () -> {
      RoundTrip.send(with(lookup, charge, alongside));
      return null;
    });
    Decision decision = charge.result(); // the limiter's failure mode answers Redis trouble: never throws for it
    Optional<Principal> p = auth.authenticated(lookup, token);
    boolean confirmed = p.isPresent() && Long.toString(p.get().userId()).equals(hinted);
    return new Resolved(p, confirmed ? decision : null);
  }

  private void limitUser(Context ctx, Principal p, Decision charged) {
    if (charged != null) {
      RateLimitPlugin.enforce(ctx, charged);
    } else {
      limit(ctx, USER_KEY + p.userId());
    }
  }

  private static boolean isUserId(String s) {
    if (s.isEmpty() || s.length() > 19) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private void limit(Context ctx, String key) {
    RateLimitPlugin.enforce(ctx, tracing.clientSpan("ratelimit.acquire", "redis", () -> api.tryAcquire(key)));
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
