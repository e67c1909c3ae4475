package io.vtp.app.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses a database connection that would cross a network in plain text: a {@code DATABASE_URL} (or
 * {@code READ_DATABASE_URL}) naming a host other than loopback must ask the driver for TLS with
 * {@code sslmode=require}, {@code verify-ca} or {@code verify-full} (or {@code ssl=true}, which the PostgreSQL driver
 * treats as {@code verify-full}). {@code disable}, {@code allow}, {@code prefer} (the driver's default, which falls
 * back to plain text without a word) and no {@code sslmode} at all are a start-up error, unless the operator sets
 * {@code DATABASE_ALLOW_PLAINTEXT=true} for a network they trust (e.g. a private compose network).
 *
 * <p>Only literals count as loopback ({@code localhost}, {@code 127.0.0.0/8}, {@code ::1}); a host name is never
 * resolved.
 */
final class DatabaseTransport {
  private static final Set<String> ENCRYPTED = Set.of("require", "verify-ca", "verify-full");

  private DatabaseTransport() {}

  /**
   * Checks one database location.
   *
   * @param variable the variable it came from, for the message
   * @param url the parsed location
   * @param allowPlaintext {@code DATABASE_ALLOW_PLAINTEXT}
   * @throws ConfigException when a non-loopback host is reached without TLS and that was not allowed
   */
  static void check(String variable, DatabaseUrl url, boolean allowPlaintext) {
    if (allowPlaintext) {
      return;
    }
    String jdbc = url.jdbcUrl();
    String rest = jdbc.substring("jdbc:postgresql:".length());
    int q = rest.indexOf('?');
    String query = q < 0 ? "" : rest.substring(q + 1);
    String location = q < 0 ? rest : rest.substring(0, q);
    boolean loopback = true;
    if (location.startsWith("//")) {
      String hosts = location.substring(2);
      int slash = hosts.indexOf('/');
      hosts = slash < 0 ? hosts : hosts.substring(0, slash);
      for (String hostPort : hosts.split(",")) {
        loopback &= isLoopback(host(hostPort));
      }
    } // else jdbc:postgresql:database: the driver connects to localhost
    if (loopback) {
      return;
    }
    String sslmode = null;
    String ssl = null;
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      if (name.equalsIgnoreCase("sslmode")) {
        sslmode = value.toLowerCase(Locale.ROOT);
      } else if (name.equalsIgnoreCase("ssl")) {
        ssl = value.toLowerCase(Locale.ROOT);
      }
    }
    boolean encrypted = sslmode == null ? "true".equals(ssl) : ENCRYPTED.contains(sslmode);
    if (!encrypted) {
      throw new ConfigException(variable + " names a host that is not loopback, so it must use TLS: sslmode must be "
          + "require, verify-ca or verify-full but was " + (sslmode == null ? "absent" : sslmode)
          + " (add ?sslmode=verify-full, or set DATABASE_ALLOW_PLAINTEXT=true for a network you trust)");
    }
  }

  private static String host(String hostPort) {
    String h = hostPort.trim();
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? h : h.substring(1, end);
    }
    int colon = h.lastIndexOf(':');
    return colon < 0 || h.indexOf(':') != colon ? h : h.substring(0, colon);
  }

  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.isEmpty() || h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")) {
      return true;
    }
    String[] parts = h.split("\\.", -1);
    if (parts.length != 4 || !parts[0].equals("127")) {
      return false;
    }
    for (String p : parts) {
      if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }
}
