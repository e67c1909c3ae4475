package io.vtp.app.http;

import io.javalin.http.Context;
import io.vtp.javalin.ClientAddressPlugin;

/**
 * Per-request values for the app's handlers: request id, client address and TLS flag come from
 * {@link ClientAddressPlugin} (proxy headers believed only from trusted proxies), computed once per request.
 */
public final class Requests {
  private Requests() {}

  /**
   * Sets {@code X-Request-Id} and {@code X-Instance-Id} on the response.
   *
   * @param ctx the request
   * @param instanceId this instance
   */
  public static void begin(Context ctx, String instanceId) {
    ctx.header("X-Request-Id", requestId(ctx));
    ctx.header("X-Instance-Id", instanceId);
  }

  /** Returns the request id. */
  public static String requestId(Context ctx) {
    return ctx.with(ClientAddressPlugin.class).requestId();
  }

  /** Returns the client's address (proxy headers believed only from trusted proxies). */
  public static String clientIp(Context ctx) {
    return ctx.with(ClientAddressPlugin.class).ip();
  }

  /** Returns whether the client's request arrived over TLS. */
  public static boolean secure(Context ctx) {
    return ctx.with(ClientAddressPlugin.class).secure();
  }
}
