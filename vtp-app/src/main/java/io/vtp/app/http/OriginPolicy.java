package io.vtp.app.http;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.vtp.javalin.ClientAddresses;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which web origins may act with a user's ambient credentials (the session cookie): the deployment's own origin
 * and the listed {@code CORS_ORIGINS} ({@code *} never counts: it grants reads without credentials only). Used
 * against cross-site request forgery (OWASP ASVS 3.5.1-3.5.3) and cross-site WebSocket hijacking (ASVS 4.4.x):
 *
 * <ul>
 *   <li>{@link #checkUpgrade}: a WebSocket upgrade whose {@code Origin} is not allowed gets 403 before it is
 *       upgraded. Browsers always send {@code Origin} on an upgrade; a client that sends none is not a browser and
 *       carries no ambient cookie of a victim, so it goes on.</li>
 *   <li>{@link #checkStateChange}: a state-changing request ({@code POST}, {@code PUT}, {@code PATCH},
 *       {@code DELETE} under {@code /api/}) authenticated by the session cookie, and every login or registration
 *       (login CSRF), is refused with 403 when its {@code Origin} is present and not allowed, or when it has no
 *       {@code Origin} but {@code Sec-Fetch-Site: cross-site}; and with 415 when it does not say
 *       {@code Content-Type: application/json} (a request with no body at all may leave the type out). HTML forms
 *       can only send form or text types, so no cross-site form reaches a JSON handler, and a cross-site
 *       {@code fetch} with JSON needs a CORS preflight the app answers only for listed origins. Requests with
 *       {@code Authorization: Bearer} carry no ambient credential and are not checked.</li>
 * </ul>
 *
 * <p>The own origin is the request's scheme ({@code https} when TLS ended at a trusted proxy) and host: the
 * {@code X-Forwarded-Host} a trusted proxy sets (nginx and ingress-nginx send the client's {@code Host} with its
 * port), else the {@code Host} header. A browser cannot choose either for a cross-site request.
 *
 * <p>Thread-safe.
 */
public final class OriginPolicy {
  /** The paths that create a session or an account: checked even without a cookie (login CSRF). */
  private static final Set<String> CREDENTIAL_PATHS = Set.of("/api/v1/auth/login", "/api/v1/auth/register");
  private static final Set<HandlerType> STATE_CHANGING = Set.of(HandlerType.POST, HandlerType.PUT,
      HandlerType.PATCH, HandlerType.DELETE);

  private final Set<String> allowed;
  private final ClientAddresses clients;
  private final List<String> cookieNames;

  /**
   * Creates the policy.
   *
   * @param corsOrigins the configured {@code CORS_ORIGINS} ({@code *} is ignored here)
   * @param clients believes forwarding headers from trusted proxies only
   * @param cookieNames the session cookie names
   */
  public OriginPolicy(List<String> corsOrigins, ClientAddresses clients, List<String> cookieNames) {
    Set<String> set = new HashSet<>();
    for (String o : corsOrigins) {
      if (!o.equals("*")) {
        String n = normalize(o);
        if (n != null) {
          set.add(n);
        }
      }
    }
    this.allowed = Set.copyOf(set);
    this.clients = clients;
    this.cookieNames = List.copyOf(cookieNames);
  }

  /**
   * Refuses a WebSocket upgrade from a foreign origin.
   *
   * @param ctx the upgrade request
   * @throws ApiException 403 when {@code Origin} is present and not allowed
   */
  public void checkUpgrade(Context ctx) {
    String origin = ctx.header("Origin");
    if (origin != null && !allowed(ctx, origin)) {
      throw ApiException.forbidden("origin " + printable(origin) + " may not open this WebSocket; allowed are this "
          + "site and CORS_ORIGINS");
    }
  }

  /**
   * Refuses a cross-site or non-JSON state-changing request that relies on the session cookie, and every such
   * login or registration.
   *
   * @param ctx the request
   * @throws ApiException 403 for a foreign origin, 415 for a content type other than JSON
   */
  public void checkStateChange(Context ctx) {
    if (!STATE_CHANGING.contains(ctx.method()) || !ctx.path().startsWith("/api/")) {
      return;
    }
    boolean credentialPath = CREDENTIAL_PATHS.contains(ctx.path());
    if (!credentialPath && (bearer(ctx) || !hasSessionCookie(ctx))) {
      return;
    }
    String origin = ctx.header("Origin");
    if (origin != null) {
      if (!allowed(ctx, origin)) {
        throw ApiException.forbidden("cross-site request refused: origin " + printable(origin)
            + " is neither this site nor in CORS_ORIGINS");
      }
    } else if ("cross-site".equalsIgnoreCase(ctx.header("Sec-Fetch-Site"))) {
      throw ApiException.forbidden("cross-site request refused (Sec-Fetch-Site: cross-site)");
    }
    String type = ctx.header("Content-Type");
    if (type == null) {
      if (hasBody(ctx)) {
        throw unsupported("none");
      }
    } else if (!isJson(type)) {
      throw unsupported(printable(type));
    }
  }

  private static ApiException unsupported(String given) {
    return new ApiException(415, "Unsupported media type", "send Content-Type: application/json (was " + given
        + ")", List.of(), Map.of("Accept", "application/json"));
  }

  /**
   * Returns whether an origin may act with the user's cookie: this site's own origin or a listed one.
   *
   * @param ctx the request (its scheme and host give the own origin)
   * @param origin the {@code Origin} header
   * @return true when allowed
   */
  public boolean allowed(Context ctx, String origin) {
    String o = normalize(origin);
    if (o == null) {
      return false; // "null" (sandboxed frames, file:) and garbage
    }
    return allowed.contains(o) || o.equals(ownOrigin(ctx));
  }

  private String ownOrigin(Context ctx) {
    String peer = ctx.req().getRemoteAddr();
    boolean secure = clients.isSecure(peer, ctx.header("X-Forwarded-Proto"), ctx.scheme());
    String host = null;
    if (clients.isTrusted(peer)) {
      host = ctx.header("X-Forwarded-Host");
    }
    if (host == null || host.isBlank()) {
      host = ctx.header("Host");
    }
    if (host == null || host.isBlank()) {
      return null;
    }
    int comma = host.indexOf(',');
    if (comma >= 0) {
      host = host.substring(0, comma); // the first (client-facing) proxy's value
    }
    return normalize((secure ? "https://" : "http://") + host.trim());
  }

  private boolean bearer(Context ctx) {
    String header = ctx.header("Authorization");
    return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7);
  }

  private boolean hasSessionCookie(Context ctx) {
    for (String name : cookieNames) {
      if (ctx.cookie(name) != null) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasBody(Context ctx) {
    String length = ctx.header("Content-Length");
    if (length != null) {
      return !length.trim().equals("0");
    }
    return ctx.header("Transfer-Encoding") != null;
  }

  private static boolean isJson(String contentType) {
    String mime = contentType;
    int semi = mime.indexOf(';');
    if (semi >= 0) {
      mime = mime.substring(0, semi);
    }
    return mime.trim().equalsIgnoreCase("application/json");
  }

  /** {@code scheme://host[:port]} in lower case without a default port; {@code null} when not an origin. */
  static String normalize(String origin) {
    URI uri;
    try {
      uri = new URI(origin.trim());
    } catch (URISyntaxException e) {
      return null;
    }
    String scheme = uri.getScheme();
    String host = uri.getHost();
    if (scheme == null || host == null || uri.getRawUserInfo() != null
        || (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))
        || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      return null;
    }
    scheme = scheme.toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return null;
    }
    int port = uri.getPort();
    if ((scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443)) {
      port = -1;
    }
    return scheme + "://" + host.toLowerCase(Locale.ROOT) + (port < 0 ? "" : ":" + port);
  }

  /** Request text echoed into a problem body: bounded, printable ASCII only. */
  private static String printable(String s) {
    String t = s.length() > 100 ? s.substring(0, 100) + "..." : s;
    return "'" + t.replaceAll("[^\\x20-\\x7e]", "?") + "'";
  }
}
