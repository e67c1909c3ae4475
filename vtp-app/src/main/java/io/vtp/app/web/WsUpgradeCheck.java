package io.vtp.app.web;

import io.javalin.http.Context;
import io.vtp.app.http.ApiException;
import io.vtp.app.http.OriginPolicy;
import io.vtp.javalin.ClientAddresses;

/**
 * Runs before a WebSocket upgrade, so a refusal is a plain HTTP answer and no socket opens: a foreign
 * {@code Origin} gets 403 (cross-site WebSocket hijacking, see {@link OriginPolicy#checkUpgrade}); over TLS the
 * plain session cookie without the {@code __Host-} one gets 401, as on HTTP routes ({@link Guard#token}).
 *
 * <p>Thread-safe.
 */
public final class WsUpgradeCheck {
  private final OriginPolicy origins;
  private final ClientAddresses clients;

  /**
   * Creates the check.
   *
   * @param origins the allowed origins
   * @param clients believes {@code X-Forwarded-Proto} from trusted proxies only
   */
  public WsUpgradeCheck(OriginPolicy origins, ClientAddresses clients) {
    this.origins = origins;
    this.clients = clients;
  }

  /**
   * Checks an upgrade request.
   *
   * @param ctx the upgrade request
   * @throws ApiException 403 for a foreign origin, 401 for the plain cookie over TLS
   */
  public void check(Context ctx) {
    origins.checkUpgrade(ctx);
    String authorization = ctx.header("Authorization");
    boolean bearer = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7);
    if (!bearer && ctx.cookie(Guard.SECURE_COOKIE) == null && ctx.cookie(Guard.COOKIE) != null
        && clients.isSecure(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-Proto"), ctx.scheme())) {
      throw ApiException.unauthorized("over HTTPS only the " + Guard.SECURE_COOKIE + " cookie is accepted; log in "
          + "again over HTTPS");
    }
  }
}
