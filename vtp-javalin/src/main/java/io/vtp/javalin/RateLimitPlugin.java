package io.vtp.javalin;

import io.javalin.config.JavalinState;
import io.javalin.http.Context;
import io.javalin.plugin.Plugin;
import io.vtp.javalin.internal.ProblemJson;
import io.vtp.ratelimit.Decision;
import io.vtp.ratelimit.RateLimitHttp;
import io.vtp.ratelimit.RateLimiter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Rate limits per route or route group, each with a key function (the user, the client address from
 * {@link ClientAddressPlugin}, anything). Every limited response carries the IETF {@code RateLimit-Policy} and
 * {@code RateLimit} headers; a denied request gets 429 with {@code Retry-After} and an RFC 9457 problem body. The
 * limiter's failure policy decides what happens when its store is down: fail-open lets the request through (never
 * a 500), fail-closed answers 503 with {@code Retry-After}, local fallback limits per instance.
 *
 * <pre>{@code
 * cfg.registerPlugin(new RateLimitPlugin(r -> r.limit("/api/*", apiLimiter,
 *     ctx -> "ip:" + ctx.with(ClientAddressPlugin.class).ip())));
 * }</pre>
 *
 * <p>A rule runs before the handlers of matched routes only (an unknown path costs no limiter call). Handlers that
 * know the key only later (after resolving a user) call {@link #enforce(Context, Decision)} themselves. The plugin
 * does not own the limiters: the application closes them.
 *
 * <p>Thread-safe once built.
 */
public final class RateLimitPlugin extends Plugin<RateLimitPlugin.Config> {

  /**
   * The plugin's settings, changed in the {@code Consumer} given to the constructor. Not thread-safe: the plugin
   * reads it once, when it is created.
   */
  public static final class Config {
    private final List<Rule> rules = new ArrayList<>();
    /** Whether the {@code X-RateLimit-*} headers are sent too, for old clients; default false. */
    public boolean legacyHeaders;

    /** Creates the default settings; the plugin does. */
    Config() {}

    /**
     * Limits the routes matching a path (a Javalin path, {@code /api/*} for a group).
     *
     * @param path the path pattern; not blank
     * @param limiter the limiter; not {@code null}
     * @param key the key of a request; not {@code null}; it may return {@code null} for a request this rule does not
     *     limit
     * @return this
     */
    public Config limit(String path, RateLimiter limiter, Function<Context, String> key) {
      rules.add(new Rule(path, limiter, key));
      return this;
    }
  }

  private record Rule(String path, RateLimiter limiter, Function<Context, String> key) {}

  /**
   * Creates the plugin.
   *
   * @param userConfig changes the default settings; not {@code null}
   * @throws IllegalArgumentException when a rule lacks its path, limiter or key function; the message names the
   *     rule and the setting
   * @throws NullPointerException when {@code userConfig} is {@code null}
   */
  public RateLimitPlugin(Consumer<Config> userConfig) {
    super(userConfig, new Config());
    for (int i = 0; i < pluginConfig.rules.size(); i++) {
      Rule r = pluginConfig.rules.get(i);
      String rule = "rate limit rule " + (i + 1) + " (" + r.path() + ")";
      if (r.path() == null || r.path().isBlank() || !r.path().startsWith("/")) {
        throw new IllegalArgumentException(rule + ": path must be a route path starting with / but was '" + r.path()
            + "'");
      }
      if (r.limiter() == null) {
        throw new IllegalArgumentException(rule + ": limiter must be set (a RateLimiter, e.g. "
            + "RedisRateLimiter.builder(redis).name(..).limit(..).build()) but was null");
      }
      if (r.key() == null) {
        throw new IllegalArgumentException(rule + ": key function must be set but was null");
      }
    }
  }

  @Override
  public void onInitialize(JavalinState state) {
    boolean legacy = pluginConfig.legacyHeaders;
    for (Rule r : pluginConfig.rules) {
      state.routes.beforeMatched(r.path(), ctx -> {
        String key = r.key().apply(ctx);
        if (key != null) {
          enforce(ctx, r.limiter().tryAcquire(key), legacy);
        }
      });
    }
    state.routes.exception(ProblemException.class, ProblemJson::write);
  }

  @Override
  public boolean repeatable() {
    return false;
  }

  @Override
  public String name() {
    return "vtp-rate-limit";
  }

  /**
   * Applies a decision to a response: the rate limit headers always; when denied, a {@link ProblemException} (429,
   * or 503 when the limiter failed closed) with {@code Retry-After}.
   *
   * @param ctx the request; not {@code null}
   * @param decision the limiter's decision; not {@code null}
   * @throws ProblemException when the decision denies the request
   * @throws NullPointerException when an argument is {@code null}
   */
  public static void enforce(Context ctx, Decision decision) {
    enforce(ctx, decision, false);
  }

  private static void enforce(Context ctx, Decision decision, boolean legacy) {
    Objects.requireNonNull(ctx, "ctx");
    RateLimitHttp.headers(Objects.requireNonNull(decision, "decision"), legacy).forEach(ctx::header);
    if (!decision.allowed()) {
      throw rejection(decision);
    }
  }

  /**
   * Returns the problem for a denied decision: 429 {@code Too many requests}, or 503 {@code Service unavailable}
   * when the limiter failed closed, with {@code Retry-After}; the detail names the policy, never the key.
   *
   * @param decision a denied decision; not {@code null}
   * @return the problem; never {@code null}
   * @throws IllegalArgumentException when the decision allowed the request
   * @throws NullPointerException when {@code decision} is {@code null}
   */
  public static ProblemException rejection(Decision decision) {
    int status = RateLimitHttp.rejectionStatus(decision);
    long retry = RateLimitHttp.retryAfterSeconds(decision);
    return new ProblemException(status, status == 429 ? "Too many requests" : "Service unavailable",
        status == 429 ? "rate limit '" + decision.policy() + "' exceeded; retry after " + retry + " s"
            : "rate limit '" + decision.policy() + "' cannot be checked right now; retry after " + retry + " s",
        Map.of("Retry-After", Long.toString(retry)));
  }
}
