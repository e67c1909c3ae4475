package io.vtp.app.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A PostgreSQL location from {@code DATABASE_URL}: the original platform's
 * {@code postgresql://user:pass@host:5432/vtp?sslmode=disable} form (also {@code postgres://}), or a plain JDBC URL
 * ({@code jdbc:postgresql://host:5432/vtp?user=...&password=...}).
 *
 * @param jdbcUrl the JDBC URL without credentials in it (for JDBC URLs given as such, unchanged)
 * @param user the user, or {@code null} when the JDBC URL carries it
 * @param password the password, or {@code null}
 */
public record DatabaseUrl(String jdbcUrl, String user, String password) {

  /**
   * Parses a database URL.
   *
   * @param variable the environment variable it came from, for messages
   * @param value the URL
   * @return the parsed location
   * @throws ConfigException when it is neither form
   */
  public static DatabaseUrl parse(String variable, String value) {
    String v = value.trim();
    if (v.startsWith("jdbc:postgresql:")) {
      return new DatabaseUrl(v, null, null);
    }
    URI uri;
    try {
      uri = new URI(v);
    } catch (URISyntaxException e) {
      throw new ConfigException(variable + " must be postgresql://user:password@host:port/database or a "
          + "jdbc:postgresql: URL, but is not a valid URL (" + e.getReason() + ")");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("postgresql") && !scheme.equals("postgres")) {
      throw new ConfigException(variable + " must start with postgresql://, postgres:// or jdbc:postgresql: "
          + "but starts with " + (scheme.isEmpty() ? "no scheme" : scheme + "://"));
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      throw new ConfigException(variable + " must name a host, e.g. postgresql://vtp:secret@localhost:5432/vtp");
    }
    String path = uri.getRawPath();
    if (path == null || path.length() <= 1) {
      throw new ConfigException(variable + " must name a database after the host, e.g. .../vtp");
    }
    String user = null;
    String password = null;
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = decode(parts[0]);
      password = parts.length > 1 ? decode(parts[1]) : null;
    }
    StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(uri.getHost());
    if (uri.getPort() > 0) {
      jdbc.append(':').append(uri.getPort());
    }
    jdbc.append(path);
    if (uri.getRawQuery() != null && !uri.getRawQuery().isBlank()) {
      jdbc.append('?').append(uri.getRawQuery());
    }
    return new DatabaseUrl(jdbc.toString(), user, password);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /**
   * Masks every credential: the password field, and a password inside the JDBC URL itself (a {@code password=}
   * parameter, or {@code user:password@} before the host).
   */
  @Override
  public String toString() {
    return "DatabaseUrl[" + mask(jdbcUrl) + ", user=" + user + ", password=" + (password == null ? "none" : "****")
        + "]";
  }

  /**
   * Returns a URL with its credentials masked: {@code user:password@} becomes {@code user:****@}, and the values of
   * {@code password}, {@code sslpassword} and {@code sslkey}-like secret parameters become {@code ****}.
   *
   * @param url a JDBC or postgresql:// URL; may be {@code null}
   * @return the masked URL, or {@code null}
   */
  public static String mask(String url) {
    if (url == null) {
      return null;
    }
    String masked = USERINFO_PASSWORD.matcher(url).replaceFirst("$1****@");
    return SECRET_PARAMETER.matcher(masked).replaceAll("$1****");
  }

  /** {@code scheme://user:password@}: everything after the first colon of the user info up to the last '@'. */
  private static final java.util.regex.Pattern USERINFO_PASSWORD =
      java.util.regex.Pattern.compile("^((?:jdbc:)?[A-Za-z][A-Za-z0-9+.-]*://[^/?#@:]*:)[^/?#]*@");
  /** Query parameters whose names say they hold a secret (pgjdbc: password, sslpassword). */
  private static final java.util.regex.Pattern SECRET_PARAMETER =
      java.util.regex.Pattern.compile("(?i)([?&;][A-Za-z]*(?:password|passwd|pwd|secret)=)[^&;#]*");
}
