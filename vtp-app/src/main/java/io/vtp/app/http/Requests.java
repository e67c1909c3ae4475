package io.vtp.app.http;

import io.javalin.http.Context;

/** Per-request values the app computes once in its first handler and reads everywhere else. */
public final class Requests {
  static final String REQUEST_ID = "vtp.requestId";
  static final String CLIENT_IP = "vtp.clientIp";
  static final String SECURE = "vtp.secure";
  static final String START = "vtp.start";

  private Requests() {}

  /**
   * Computes request id, client address and TLS flag from the peer and (trusted) proxy headers, and sets
   * {@code X-Request-Id} and {@code X-Instance-Id} on the response.
   *
   * @param ctx the request
   * @param clients the proxy-aware resolver
   * @param instanceId this instance
   */
  public static void begin(Context ctx, ClientInfo clients, String instanceId) {
    String peer = ctx.req().getRemoteAddr();
    String requestId = clients.requestId(peer, ctx.header("X-Request-Id"));
    ctx.attribute(REQUEST_ID, requestId);
    ctx.attribute(CLIENT_IP, clients.clientIp(peer, ctx.header("X-Forwarded-For"), ctx.header("X-Real-IP")));
    ctx.attribute(SECURE, clients.isSecure(peer, ctx.header("X-Forwarded-Proto"), ctx.scheme()));
    ctx.header("X-Request-Id", requestId);
    ctx.header("X-Instance-Id", instanceId);
  }

  /** Returns the request id. */
  public static String requestId(Context ctx) {
    String id = ctx.attribute(REQUEST_ID);
    return id == null ? "-" : id;
  }

  /** Returns the client's address (proxy headers believed only from trusted proxies). */
  public static String clientIp(Context ctx) {
    String ip = ctx.attribute(CLIENT_IP);
    return ip == null ? ctx.req().getRemoteAddr() : ip;
  }

  /** Returns whether the client's request arrived over TLS. */
  public static boolean secure(Context ctx) {
    Boolean s = ctx.attribute(SECURE);
    return s != null && s;
  }
}
