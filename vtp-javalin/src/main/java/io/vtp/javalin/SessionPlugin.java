package io.vtp.javalin;

import io.javalin.config.JavalinState;
import io.javalin.http.Context;
import io.javalin.plugin.ContextPlugin;
import io.vtp.javalin.internal.ProblemJson;
import io.vtp.session.SessionStore;
import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Sessions over any {@link SessionStore}: the session is resolved from {@code Authorization: Bearer} or the session
 * cookie (never from the URL) once per request, on first use, into a request attribute; {@link Sessions} logs in
 * (a new id, the presented one deleted), logs out and logs out everywhere, and writes the cookie with the right
 * flags: {@code HttpOnly}, {@code SameSite}, {@code Path=/}, and over TLS {@code Secure} with the {@code __Host-}
 * prefix. Over TLS only the {@code __Host-} cookie is read, so a cookie planted over plain HTTP or by a sibling
 * subdomain cannot fix a session on a user. Requests that never ask for the session never touch the store.
 *
 * <pre>{@code
 * cfg.registerPlugin(new SessionPlugin(s -> s.store = sessionStore));
 * // in a handler:
 * Session session = ctx.with(SessionPlugin.class).require(); // 401 without a valid session
 * }</pre>
 *
 * <p>When the store is down, {@link Sessions#current()} answers 503 with {@code Retry-After} (never anonymous, never
 * a 500). Whether the request used TLS comes from {@link ClientAddressPlugin} when it is registered (behind a
 * TLS-terminating proxy), else from the connection's scheme.
 *
 * <p>Thread-safe once built.
 */
public final class SessionPlugin extends ContextPlugin<SessionPlugin.Config, Sessions> {
  private static final Pattern COOKIE_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Set<String> SAME_SITE = Set.of("Strict", "Lax", "None");

  /**
   * The plugin's settings, changed in the {@code Consumer} given to the constructor. Not thread-safe: the plugin
   * reads it once, when it is created.
   */
  public static final class Config {
    /** The session store; required. */
    public SessionStore store;
    /** The cookie name over plain HTTP; over TLS it gets the {@code __Host-} prefix. Default {@code vtp_session}. */
    public String cookieName = "vtp_session";
    /** The cookie's {@code SameSite}: {@code Strict}, {@code Lax} (the default) or {@code None}. */
    public String sameSite = "Lax";
    /** The cookie's {@code Max-Age}; {@code null} (the default) for a cookie that ends with the browser session. */
    public Duration cookieMaxAge;
    /** Whether {@code Authorization: Bearer} is accepted (for API clients); default true. */
    public boolean bearer = true;
    /** The {@code Retry-After} sent with the 503 when the store is down; default 5 s. */
    public Duration retryAfter = Duration.ofSeconds(5);

    /** Creates the default settings; the plugin does. */
    Config() {}
  }

  /**
   * Creates the plugin.
   *
   * @param userConfig changes the default settings; not {@code null}
   * @throws IllegalArgumentException when a setting breaks its rule; the message names the setting and the rule
   * @throws NullPointerException when {@code userConfig} is {@code null}
   */
  public SessionPlugin(Consumer<Config> userConfig) {
    super(userConfig, new Config());
    Config c = pluginConfig;
    if (c.store == null) {
      throw new IllegalArgumentException("session plugin: store must be set (a SessionStore, e.g. "
          + "RedisSessionStore.builder(redis).build()) but was null");
    }
    if (c.cookieName == null || !COOKIE_NAME.matcher(c.cookieName).matches() || c.cookieName.startsWith("__")) {
      throw new IllegalArgumentException("session plugin: cookieName must be 1..64 of [A-Za-z0-9_-] without a "
          + "leading __ (the __Host- prefix is added over TLS) but was '" + c.cookieName + "'");
    }
    if (c.sameSite == null || !SAME_SITE.contains(c.sameSite)) {
      throw new IllegalArgumentException("session plugin: sameSite must be Strict, Lax or None but was '"
          + c.sameSite + "'");
    }
    if (c.cookieMaxAge != null && (c.cookieMaxAge.isNegative() || c.cookieMaxAge.isZero())) {
      throw new IllegalArgumentException("session plugin: cookieMaxAge must be > 0 or null but was "
          + c.cookieMaxAge);
    }
    if (c.retryAfter == null || c.retryAfter.toSeconds() < 1) {
      throw new IllegalArgumentException("session plugin: retryAfter must be at least 1 s but was " + c.retryAfter);
    }
  }

  @Override
  public void onInitialize(JavalinState state) {
    state.routes.exception(ProblemException.class, ProblemJson::write);
  }

  @Override
  public Sessions createExtension(Context ctx) {
    return new Sessions(ctx, pluginConfig);
  }

  @Override
  public String name() {
    return "vtp-sessions";
  }

  /**
   * Returns the cookie name used over plain HTTP.
   *
   * @return the name; never {@code null}
   */
  public String cookieName() {
    return pluginConfig.cookieName;
  }

  /**
   * Returns the cookie name used over TLS: the plain name with the {@code __Host-} prefix.
   *
   * @return the name; never {@code null}
   */
  public String secureCookieName() {
    return Sessions.SECURE_PREFIX + pluginConfig.cookieName;
  }
}
