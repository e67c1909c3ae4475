package io.vtp.app.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.vtp.app.auth.AuthService;
import io.vtp.app.auth.Principal;
import io.vtp.app.auth.User;
import io.vtp.app.http.JsonBodies;
import io.vtp.app.http.Requests;
import io.vtp.javalin.RateLimitPlugin;
import io.vtp.javalin.SessionPlugin;
import io.vtp.ratelimit.MultiRateLimiter;
import io.vtp.session.Session;
import io.vtp.session.SessionInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code /api/v1/auth/*}: register (per-address limit, failing closed), login (per-address limit on every attempt,
 * failing closed, and failures per account and address with back-off), logout, log out everywhere, me, and the
 * user's sessions. Login sets the session cookie; the token itself is in the JSON answer
 * only when the client asks for it with {@code X-Token-Type: bearer}.
 */
public final class AuthRoutes {
  /** The login request header with which an API client asks for the token in the body ({@code bearer}). */
  public static final String TOKEN_TYPE_HEADER = "X-Token-Type";
  private final AuthService auth;
  private final Guard guard;
  private final MultiRateLimiter loginLimiter;
  private final ObjectMapper json;
  private final AccountLimits limits;

  /**
   * Creates the routes.
   *
   * @param auth the auth service
   * @param guard authentication and API limits
   * @param loginLimiter the per-address login limit
   * @param json the JSON mapper
   * @param limits the registration limit and the login failure back-off
   */
  public AuthRoutes(AuthService auth, Guard guard, MultiRateLimiter loginLimiter, ObjectMapper json,
      AccountLimits limits) {
    this.limits = limits;
    this.auth = auth;
    this.guard = guard;
    this.loginLimiter = loginLimiter;
    this.json = json;
  }

  /**
   * Registers the routes.
   *
   * @param routes the route config
   */
  public void register(RoutesConfig routes) {
    routes.post("/api/v1/auth/register", this::register);
    routes.post("/api/v1/auth/login", this::login);
    routes.post("/api/v1/auth/logout", this::logout);
    routes.post("/api/v1/auth/logout-all", this::logoutAll);
    routes.get("/api/v1/auth/me", this::me);
    routes.get("/api/v1/auth/sessions", this::sessions);
  }

  private void register(Context ctx) {
    guard.publicRoute(ctx);
    AuthService.RegisterRequest r = JsonBodies.read(json, ctx.bodyAsBytes(), AuthService.RegisterRequest.class);
    // Fails closed (503) without Redis: each registration costs a password hash.
    RateLimitPlugin.enforce(ctx, limits.register().tryAcquire("ip:" + Requests.clientIp(ctx)));
    User user = auth.register(r);
    ctx.status(201).json(user);
  }

  private void login(Context ctx) {
    AuthService.LoginRequest r = JsonBodies.read(json, ctx.bodyAsBytes(), AuthService.LoginRequest.class);
    String account = r.email() == null ? "" : r.email().trim().toLowerCase(Locale.ROOT);
    String address = Requests.clientIp(ctx);
    // Every attempt counts per address; fails closed (503) without Redis.
    RateLimitPlugin.enforce(ctx, loginLimiter.tryAcquire(List.of("ip:" + address)));
    // Failures count per account and address, so an attacker elsewhere cannot lock the account's owner out.
    limits.loginFailures().check(account, address);
    AuthService.LoginResult result;
    try {
      result = auth.login(r, Guard.token(ctx));
    } catch (io.vtp.app.http.ApiException e) {
      if (e.status() == 401) {
        limits.loginFailures().failed(account, address);
      }
      throw e;
    }
    limits.loginFailures().succeeded(account, address);
    Session s = result.session();
    ctx.with(SessionPlugin.class).writeCookie(s.id());
    Map<String, Object> body = new LinkedHashMap<>();
    if (wantsBearerToken(ctx)) {
      // Only for clients that will send it back as Authorization: Bearer; a browser keeps to the HttpOnly cookie,
      // so script on the page (XSS) never sees the session id.
      body.put("token", s.id());
    }
    body.put("expiresAt", s.expiresAt());
    body.put("user", result.user());
    ctx.header("Cache-Control", "no-store");
    ctx.json(body);
  }

  /**
   * Whether a login asked for the session token in its JSON body: {@code X-Token-Type: bearer}.
   *
   * @param ctx the login request
   * @return true when asked
   */
  static boolean wantsBearerToken(Context ctx) {
    String t = ctx.header(TOKEN_TYPE_HEADER);
    return t != null && t.trim().equalsIgnoreCase("bearer");
  }

  private void logout(Context ctx) {
    String token = Guard.token(ctx);
    if (token == null) {
      guard.requireUser(ctx); // answers 401
      return;
    }
    guard.publicRoute(ctx);
    auth.logout(token);
    ctx.with(SessionPlugin.class).clearCookie();
    ctx.status(204);
  }

  private void logoutAll(Context ctx) {
    Principal p = guard.requireUser(ctx);
    auth.logoutEverywhere(p.userId());
    ctx.with(SessionPlugin.class).clearCookie();
    ctx.status(204);
  }

  private void me(Context ctx) {
    Principal p = guard.requireUser(ctx);
    Map<String, Object> user = new LinkedHashMap<>();
    user.put("id", p.userId());
    user.put("email", p.email());
    user.put("fullName", p.fullName());
    user.put("role", p.role());
    ctx.json(user);
  }

  private void sessions(Context ctx) {
    Principal p = guard.requireUser(ctx);
    List<Map<String, Object>> out = new ArrayList<>();
    for (SessionInfo s : auth.sessionsOf(p.userId())) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("handle", s.handle());
      m.put("createdAt", s.createdAt());
      m.put("lastSeenAt", s.lastAccessedAt());
      m.put("expiresAt", s.expiresAt());
      out.add(m);
    }
    ctx.json(Map.of("sessions", out));
  }
}
