package io.vtp.app.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.vtp.app.auth.Principal;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The demo web page ({@code /}, issue 20): plain HTML, CSS and ES modules from the jar's {@code /public/}, served by
 * every instance, so the page itself shows that any instance can serve any request. A fixed list of files, read
 * once at start (no directory listing, no path from the request ever reaches the class path). Every file goes out
 * with {@link #CONTENT_SECURITY_POLICY}: scripts, styles, images and connections (fetch and the room WebSocket)
 * from this origin only, nothing inline, no frames. nginx answers with the same policy for these paths.
 *
 * <p>Also {@code GET /api/v1/page}: what the page needs to start (the serving instance, the signed-in user or
 * {@code null}, and the demo accounts when the instance seeds demo data, else none), answered 200 for anonymous
 * visitors too, so a fresh page makes no failing request.
 *
 * <p>Thread-safe.
 */
public final class WebPage {
  /** The page's policy: this origin's files and connections only, nothing inline (nginx sends the same). */
  public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  /** The files: request path, resource, content type. */
  private static final String[][] FILES = {
      {"/", "index.html", "text/html; charset=utf-8"},
      {"/app/style.css", "style.css", "text/css; charset=utf-8"},
      {"/app/main.js", "main.js", "text/javascript; charset=utf-8"},
      {"/app/api.js", "api.js", "text/javascript; charset=utf-8"},
      {"/app/fleet.js", "fleet.js", "text/javascript; charset=utf-8"},
      {"/app/room.js", "room.js", "text/javascript; charset=utf-8"},
      {"/app/icon.svg", "icon.svg", "image/svg+xml"},
  };

  /** A demo account shown on the page (demo deployments only). */
  public record DemoAccount(String email, String password, String role) {}

  private final Guard guard;
  private final String instanceId;
  private final List<DemoAccount> demoAccounts;
  private final Map<String, byte[]> bodies = new LinkedHashMap<>();

  /**
   * Creates the page, reading its files from the class path.
   *
   * @param guard authentication and the API limit (for {@code /api/v1/page})
   * @param instanceId this instance
   * @param demoAccounts the accounts to show; empty outside a demo deployment
   * @throws IllegalStateException when a file is missing from the jar (a broken build)
   */
  public WebPage(Guard guard, String instanceId, List<DemoAccount> demoAccounts) {
    this.guard = guard;
    this.instanceId = instanceId;
    this.demoAccounts = List.copyOf(demoAccounts);
    for (String[] f : FILES) {
      try (InputStream in = WebPage.class.getResourceAsStream("/public/" + f[1])) {
        if (in == null) {
          throw new IllegalStateException("web page file /public/" + f[1] + " is missing from the jar; rebuild vtp-app");
        }
        bodies.put(f[0], in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException("web page file /public/" + f[1] + " could not be read", e);
      }
    }
  }

  /**
   * Registers the page's routes.
   *
   * @param routes the route config
   */
  public void register(RoutesConfig routes) {
    for (String[] f : FILES) {
      byte[] body = bodies.get(f[0]);
      String type = f[2];
      routes.get(f[0], ctx -> file(ctx, body, type));
    }
    routes.get("/api/v1/page", this::bootstrap);
  }

  private static void file(Context ctx, byte[] body, String type) {
    ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("Referrer-Policy", "no-referrer");
    // Small files, changed with every release: always revalidated, never a stale script against a new API.
    ctx.header("Cache-Control", "no-cache");
    ctx.contentType(type);
    ctx.result(body);
  }

  private void bootstrap(Context ctx) {
    Optional<Principal> p = guard.publicRoute(ctx);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("instance", instanceId);
    body.put("user", p.map(WebPage::user).orElse(null));
    body.put("demoAccounts", demoAccounts);
    ctx.header("Cache-Control", "no-store");
    ctx.json(body);
  }

  private static Map<String, Object> user(Principal p) {
    Map<String, Object> user = new LinkedHashMap<>();
    user.put("id", p.userId());
    user.put("email", p.email());
    user.put("fullName", p.fullName());
    user.put("role", p.role());
    return user;
  }
}
