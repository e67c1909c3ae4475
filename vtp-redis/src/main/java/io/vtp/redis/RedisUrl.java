package io.vtp.redis;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where Redis is and how to reach it, parsed from a URL. Forms:
 * <ul>
 *   <li>{@code redis://[user:password@]host:port[/db]} and {@code rediss://...} (TLS): one server;</li>
 *   <li>{@code redis-cluster://[user:password@]host1:port1,host2:port2,...} or a plain comma list
 *       {@code host1:port1,host2:port2}: Redis Cluster seed nodes;</li>
 *   <li>{@code redis-sentinel://[user:password@]host1:26379,host2:26379/mastername}: Sentinel.</li>
 * </ul>
 *
 * Credentials may be percent-encoded ({@code %40} for {@code @}). {@link #toString()} masks the password.
 *
 * <p>Immutable and thread-safe. Build a client with {@link RedisClients#create(RedisUrl, RedisClientOptions)}.
 *
 * <pre>{@code
 * RedisUrl url = RedisUrl.parse("REDIS_URL", System.getenv("REDIS_URL"));
 * }</pre>
 *
 * @param mode the deployment kind
 * @param nodes host:port pairs (one for standalone)
 * @param user the ACL user or {@code null}
 * @param password the password or {@code null}
 * @param database the database index (standalone only)
 * @param tls whether to use TLS
 * @param master the Sentinel master name, or {@code null}
 */
public record RedisUrl(Mode mode, List<String> nodes, String user, String password, int database, boolean tls,
    String master) {

  /** The kind of Redis deployment. */
  public enum Mode {
    /** One server. */
    STANDALONE,
    /** Redis Cluster. */
    CLUSTER,
    /** Redis Sentinel. */
    SENTINEL
  }

  /**
   * Checks and copies the components.
   *
   * @param mode the deployment kind; not {@code null}
   * @param nodes host:port pairs (one for standalone); not {@code null} or empty
   * @param user the ACL user, or {@code null}
   * @param password the password, or {@code null}
   * @param database the database index (standalone only); not negative
   * @param tls whether to use TLS
   * @param master the Sentinel master name, or {@code null} (required for Sentinel)
   * @throws NullPointerException when {@code mode} or {@code nodes} is null
   * @throws IllegalArgumentException when {@code nodes} is empty, a standalone URL names more than one node, a
   *     Sentinel URL has no master name, or the database is negative
   */
  public RedisUrl {
    Objects.requireNonNull(mode, "mode");
    nodes = List.copyOf(nodes);
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("Redis URL: nodes must name at least one host:port");
    }
    if (mode == Mode.STANDALONE && nodes.size() != 1) {
      throw new IllegalArgumentException("Redis URL: a standalone deployment has exactly one node but was " + nodes);
    }
    if (mode == Mode.SENTINEL && (master == null || master.isBlank())) {
      throw new IllegalArgumentException("Redis URL: a Sentinel deployment needs a master name");
    }
    if (database < 0) {
      throw new IllegalArgumentException("Redis URL: database must be >= 0 but was " + database);
    }
  }

  /**
   * Parses a Redis URL; messages call it "Redis URL".
   *
   * @param value the URL
   * @return the parsed deployment; never {@code null}
   * @throws NullPointerException when {@code value} is null
   * @throws IllegalArgumentException when the value fits no form (the message never contains the password)
   */
  public static RedisUrl parse(String value) {
    return parse("Redis URL", value);
  }

  /**
   * Parses a Redis URL whose messages name where it came from.
   *
   * @param variable what the value is called in messages, e.g. the environment variable {@code REDIS_URL}
   * @param value the URL
   * @return the parsed deployment; never {@code null}
   * @throws NullPointerException when an argument is null
   * @throws IllegalArgumentException when the value fits no form; the message starts with {@code variable} and
   *     never contains the password
   */
  public static RedisUrl parse(String variable, String value) {
    Objects.requireNonNull(variable, "variable");
    Objects.requireNonNull(value, "value");
    String v = value.trim();
    String lower = v.toLowerCase(Locale.ROOT);
    if (!lower.contains("://")) {
      return new RedisUrl(Mode.CLUSTER, hostPorts(variable, v, 6379), null, null, 0, false, null);
    }
    String scheme = lower.substring(0, lower.indexOf("://"));
    String rest = v.substring(v.indexOf("://") + 3);
    String user = null;
    String password = null;
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      String[] creds = rest.substring(0, at).split(":", 2);
      user = creds[0].isEmpty() ? null : decode(variable, "user", creds[0]);
      password = creds.length > 1 ? decode(variable, "password", creds[1]) : null;
      rest = rest.substring(at + 1);
    }
    switch (scheme) {
      case "redis":
      case "rediss": {
        URI uri;
        try {
          uri = new URI("redis://" + rest);
        } catch (URISyntaxException e) {
          throw new IllegalArgumentException(variable + " is not a valid redis:// URL (" + e.getReason() + ")");
        }
        if (uri.getHost() == null) {
          throw new IllegalArgumentException(variable + " must name a host, e.g. redis://localhost:6379");
        }
        int db = 0;
        String path = uri.getPath();
        if (path != null && path.length() > 1) {
          try {
            db = Integer.parseInt(path.substring(1));
          } catch (NumberFormatException e) {
            db = -1;
          }
          if (db < 0) {
            throw new IllegalArgumentException(variable + " database after the host must be a number >= 0 but was "
                + path.substring(1));
          }
        }
        String node = uri.getHost() + ":" + (uri.getPort() > 0 ? uri.getPort() : 6379);
        return new RedisUrl(Mode.STANDALONE, List.of(node), user, password, db, scheme.equals("rediss"), null);
      }
      case "redis-cluster":
      case "rediss-cluster":
        return new RedisUrl(Mode.CLUSTER, hostPorts(variable, stripSlash(rest), 6379), user, password, 0,
            scheme.startsWith("rediss"), null);
      case "redis-sentinel":
      case "rediss-sentinel": {
        int slash = rest.indexOf('/');
        if (slash < 0 || rest.substring(slash + 1).isBlank()) {
          throw new IllegalArgumentException(variable + " sentinel form must end with /<master name>, e.g. "
              + "redis-sentinel://h1:26379,h2:26379/mymaster");
        }
        return new RedisUrl(Mode.SENTINEL, hostPorts(variable, rest.substring(0, slash), 26379), user, password, 0,
            scheme.startsWith("rediss"), rest.substring(slash + 1));
      }
      default:
        throw new IllegalArgumentException(variable + " must start with redis://, rediss://, redis-cluster:// or "
            + "redis-sentinel:// (or be a comma list of cluster nodes) but starts with " + scheme + "://");
    }
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  private static List<String> hostPorts(String variable, String list, int defaultPort) {
    List<String> out = new ArrayList<>();
    for (String part : list.split(",")) {
      String p = part.trim();
      if (p.startsWith("redis://")) {
        p = p.substring("redis://".length());
      }
      if (p.isEmpty()) {
        continue;
      }
      int colon = p.lastIndexOf(':');
      String host = colon > 0 ? p.substring(0, colon) : p;
      int port = defaultPort;
      if (colon > 0) {
        try {
          port = Integer.parseInt(p.substring(colon + 1));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(variable + " node '" + p + "' must be host:port");
        }
      }
      if (host.isBlank() || port < 1 || port > 65535) {
        throw new IllegalArgumentException(variable + " node '" + p + "' must be host:port with a port from 1 to 65535");
      }
      out.add(host + ":" + port);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(variable + " names no node");
    }
    return out;
  }

  /** Percent-decodes a credential; a broken escape is a configuration error that never echoes the secret. */
  private static String decode(String variable, String part, String raw) {
    try {
      return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(variable + " " + part + " has a broken %-escape: write a literal % as %25");
    }
  }

  /**
   * Describes the deployment with the password masked.
   *
   * @return the description, never the password; never {@code null}
   */
  @Override
  public String toString() {
    return "RedisUrl[" + mode + " " + nodes + (master == null ? "" : " master=" + master) + ", tls=" + tls
        + ", password=" + (password == null ? "none" : "****") + "]";
  }
}
