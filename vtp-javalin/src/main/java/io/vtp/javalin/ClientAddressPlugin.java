package io.vtp.javalin;

import io.javalin.http.Context;
import io.javalin.plugin.ContextPlugin;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Who sent a request, with proxy headers believed only from trusted proxies ({@link ClientAddresses}): the client
 * address (right-most untrusted {@code X-Forwarded-For} hop), whether the original request used TLS, and a request
 * id. Each value is computed once per request, on first use, and kept in a request attribute.
 *
 * <pre>{@code
 * Javalin.create(cfg -> cfg.registerPlugin(new ClientAddressPlugin(c -> c.trustedProxies = List.of("10.0.0.0/8"))));
 * // in a handler:
 * String ip = ctx.with(ClientAddressPlugin.class).ip();
 * }</pre>
 *
 * <p>Thread-safe once built. The other plugins use it when it is registered (the session cookie's {@code Secure}
 * flag and {@code __Host-} prefix behind a TLS-terminating proxy, a rate limit keyed by address).
 */
public final class ClientAddressPlugin extends ContextPlugin<ClientAddressPlugin.Config, ClientAddressPlugin.Client> {
  private static final String IP = "io.vtp.javalin.clientIp";
  private static final String SECURE = "io.vtp.javalin.secure";
  private static final String REQUEST_ID = "io.vtp.javalin.requestId";

  private final ClientAddresses addresses;

  /**
   * The plugin's settings, changed in the {@code Consumer} given to the constructor. Not thread-safe: the plugin
   * reads it once, when it is created.
   */
  public static final class Config {
    /** Networks (CIDR or single addresses) whose forwarding headers are believed; empty (the default): none. */
    public List<String> trustedProxies = new ArrayList<>();

    /** Creates the default settings; the plugin does. */
    Config() {}
  }

  /**
   * Creates the plugin.
   *
   * @param userConfig changes the default settings; not {@code null}
   * @throws IllegalArgumentException when {@code trustedProxies} holds something that is not a literal network
   * @throws NullPointerException when {@code userConfig}, the list or an entry is {@code null}
   */
  public ClientAddressPlugin(Consumer<Config> userConfig) {
    super(userConfig, new Config());
    this.addresses = ClientAddresses.trusting("trustedProxies", pluginConfig.trustedProxies);
  }

  /**
   * Returns the resolver the plugin applies.
   *
   * @return the resolver; never {@code null}
   */
  public ClientAddresses addresses() {
    return addresses;
  }

  @Override
  public Client createExtension(Context ctx) {
    return new Client(ctx, addresses);
  }

  @Override
  public String name() {
    return "vtp-client-address";
  }

  /** What {@code ctx.with(ClientAddressPlugin.class)} returns: the values of one request. Not thread-safe. */
  public static final class Client {
    private final Context ctx;
    private final ClientAddresses addresses;

    Client(Context ctx, ClientAddresses addresses) {
      this.ctx = ctx;
      this.addresses = addresses;
    }

    /**
     * Returns the client's address: the right-most {@code X-Forwarded-For} hop that is not a trusted proxy when the
     * TCP peer is one, else the peer itself.
     *
     * @return the address, normalized; never {@code null}
     */
    public String ip() {
      String ip = ctx.attribute(IP);
      if (ip == null) {
        ip = addresses.clientIp(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-For"), ctx.header("X-Real-IP"));
        ctx.attribute(IP, ip);
      }
      return ip;
    }

    /**
     * Returns whether the client's request used TLS: a TLS connection to us, or {@code X-Forwarded-Proto: https}
     * from a trusted proxy.
     *
     * @return true over TLS
     */
    public boolean secure() {
      Boolean secure = ctx.attribute(SECURE);
      if (secure == null) {
        secure = addresses.isSecure(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-Proto"), ctx.scheme());
        ctx.attribute(SECURE, secure);
      }
      return secure;
    }

    /**
     * Returns the request id: a trusted proxy's {@code X-Request-Id} when it is sane, else a new random one.
     *
     * @return the id; never {@code null}
     */
    public String requestId() {
      String id = ctx.attribute(REQUEST_ID);
      if (id == null) {
        id = addresses.requestId(ctx.req().getRemoteAddr(), ctx.header("X-Request-Id"));
        ctx.attribute(REQUEST_ID, id);
      }
      return id;
    }
  }
}
