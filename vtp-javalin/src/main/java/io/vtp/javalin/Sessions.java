package io.vtp.javalin;

import io.javalin.http.Context;
import io.javalin.plugin.PluginNotRegisteredException;
import io.vtp.session.Session;
import io.vtp.session.SessionStoreUnavailableException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The session of one request: what {@code ctx.with(SessionPlugin.class)} returns. Created per call and cheap; the
 * resolved session is kept in the request attribute {@link #ATTRIBUTE}, so the store is asked at most once per
 * request. Every method that reaches the store answers 503 with {@code Retry-After} (a {@link ProblemException})
 * when the store is down.
 *
 * <p>Not thread-safe: use it on the request's thread.
 */
public final class Sessions {
  /** The request attribute holding the resolved session ({@link Optional} of {@link Session}). */
  public static final String ATTRIBUTE = "io.vtp.javalin.session";
  static final String SECURE_PREFIX = "__Host-";

  private final Context ctx;
  private final SessionPlugin.Config config;

  Sessions(Context ctx, SessionPlugin.Config config) {
    this.ctx = ctx;
    this.config = config;
  }

  /**
   * Returns the presented session id: {@code Authorization: Bearer} (when enabled), else the session cookie (over
   * TLS only the {@code __Host-} one); never a URL parameter. Does not touch the store.
   *
   * @return the id, or empty when none is presented
   */
  public Optional<String> token() {
    if (config.bearer) {
      String header = ctx.header("Authorization");
      if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        String t = header.substring(7).trim();
        return t.isEmpty() ? Optional.empty() : Optional.of(t);
      }
    }
    String cookie = ctx.cookie(SECURE_PREFIX + config.cookieName);
    if (cookie == null && !secure()) {
      // Over TLS only the __Host- cookie counts: the plain name can be planted over plain HTTP or by a sibling
      // subdomain and would fix a session on the user (OWASP ASVS 3.3.1).
      cookie = ctx.cookie(config.cookieName);
    }
    return cookie == null || cookie.isEmpty() ? Optional.empty() : Optional.of(cookie);
  }

  /**
   * Returns the request's session, looked up once per request.
   *
   * @return the session, or empty when none is presented or it is unknown or expired
   * @throws ProblemException 503 with {@code Retry-After} when the store is down
   */
  public Optional<Session> current() {
    Optional<Session> resolved = ctx.attribute(ATTRIBUTE);
    if (resolved == null) {
      Optional<String> token = token();
      resolved = token.isEmpty() ? Optional.empty() : call(() -> config.store.find(token.get()));
      ctx.attribute(ATTRIBUTE, resolved);
    }
    return resolved;
  }

  /**
   * Returns the request's session or answers 401.
   *
   * @return the session; never {@code null}
   * @throws ProblemException 401 without a valid session, 503 when the store is down
   */
  public Session require() {
    return current().orElseThrow(() -> new ProblemException(401, "Unauthorized", token().isEmpty()
        ? "authentication required: send the session cookie or Authorization: Bearer"
        : "session is invalid or expired; log in again", Map.of()));
  }

  /**
   * Logs a user in: creates a session with a new id, deletes the session the request presented (if any), sets the
   * cookie and makes the new session the request's.
   *
   * @param userId the user; not {@code null}
   * @param attributes the session's attributes (JSON values); not {@code null}
   * @return the new session; its id is the token for bearer clients
   * @throws ProblemException 503 when the store is down
   * @throws NullPointerException when an argument is {@code null}
   */
  public Session login(String userId, Map<String, ?> attributes) {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(attributes, "attributes");
    Optional<String> previous = token();
    Session created = call(() -> config.store.create(userId, attributes));
    previous.ifPresent(old -> call(() -> config.store.delete(old)));
    writeCookie(created.id());
    ctx.attribute(ATTRIBUTE, Optional.of(created));
    return created;
  }

  /**
   * Logs out: deletes the presented session server-side and clears the cookie.
   *
   * @return true when a session was deleted
   * @throws ProblemException 503 when the store is down
   */
  public boolean logout() {
    Optional<String> token = token();
    boolean deleted = token.isPresent() && call(() -> config.store.delete(token.get()));
    clearCookie();
    ctx.attribute(ATTRIBUTE, Optional.empty());
    return deleted;
  }

  /**
   * Logs the request's user out everywhere: deletes every session of the user and clears the cookie.
   *
   * @return how many sessions were deleted
   * @throws ProblemException 401 without a valid session, 503 when the store is down
   */
  public int logoutEverywhere() {
    Session s = require();
    int n = call(() -> config.store.deleteAllForUser(s.userId()));
    clearCookie();
    ctx.attribute(ATTRIBUTE, Optional.empty());
    return n;
  }

  /**
   * Sets the session cookie: {@code HttpOnly}, {@code SameSite}, {@code Path=/}, and over TLS {@code Secure} with
   * the {@code __Host-} prefix. For applications that create sessions themselves.
   *
   * @param sessionId the session id; not {@code null}
   * @throws NullPointerException when {@code sessionId} is {@code null}
   */
  public void writeCookie(String sessionId) {
    Objects.requireNonNull(sessionId, "sessionId");
    cookie(sessionId, config.cookieMaxAge == null ? -1 : config.cookieMaxAge.toSeconds());
  }

  /** Clears the session cookie ({@code Max-Age=0}), with the same name and flags it was set with. */
  public void clearCookie() {
    cookie("", 0);
  }

  /**
   * Returns the cookie name for this request: with the {@code __Host-} prefix over TLS.
   *
   * @return the name; never {@code null}
   */
  public String cookieName() {
    return secure() ? SECURE_PREFIX + config.cookieName : config.cookieName;
  }

  private void cookie(String value, long maxAge) {
    boolean secure = secure();
    StringBuilder c = new StringBuilder(cookieName()).append('=').append(value).append("; Path=/");
    if (maxAge >= 0) {
      c.append("; Max-Age=").append(maxAge);
    }
    c.append("; HttpOnly; SameSite=").append(config.sameSite);
    if (secure) {
      c.append("; Secure");
    }
    ctx.res().addHeader("Set-Cookie", c.toString());
  }

  private boolean secure() {
    try {
      return ctx.with(ClientAddressPlugin.class).secure();
    } catch (PluginNotRegisteredException e) {
      return "https".equalsIgnoreCase(ctx.scheme());
    }
  }

  private <T> T call(java.util.function.Supplier<T> operation) {
    try {
      return operation.get();
    } catch (SessionStoreUnavailableException e) {
      long retry = config.retryAfter.toSeconds();
      throw new ProblemException(503, "Service unavailable", "session store unavailable; retry after " + retry + " s",
          Map.of("Retry-After", Long.toString(retry)));
    }
  }
}
