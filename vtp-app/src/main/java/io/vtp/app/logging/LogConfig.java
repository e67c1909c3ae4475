package io.vtp.app.logging;

import io.vtp.app.config.ConfigException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How the app logs, read from the environment and validated (an invalid value stops start-up, as for
 * {@link io.vtp.app.config.AppConfig}).
 *
 * <table>
 *   <caption>Variables</caption>
 *   <tr><th>Variable</th><th>Default</th><th>Rule</th></tr>
 *   <tr><td>LOG_FORMAT</td><td>text</td><td>{@code json}: one JSON object per line (Docker image, compose,
 *       Kubernetes); {@code text}: one readable line ({@code deployment/local/vtp})</td></tr>
 *   <tr><td>LOG_LEVEL</td><td>info</td><td>trace | debug | info | warn | error: the root level</td></tr>
 *   <tr><td>LOG_LEVELS</td><td>none</td><td>per logger, comma separated {@code logger=level}, e.g.
 *       {@code io.vtp.cache=debug,org.eclipse.jetty=info}; level also {@code off}. Overrides the built-in
 *       defaults (Jetty, Javalin and HikariCP at warn)</td></tr>
 *   <tr><td>ACCESS_LOG</td><td>all</td><td>{@code all} | {@code errors} (status &gt;= 500 only) |
 *       {@code sample:R} (every 5xx, and each other request with probability R, 0 &lt; R &lt;= 1) |
 *       {@code off}. Health and metrics requests are never logged</td></tr>
 * </table>
 *
 * @param json true for JSON lines, false for text
 * @param rootLevel the root level (lower case)
 * @param levels per-logger levels, in the order given (built-in defaults first)
 * @param access which requests the access log writes
 */
public record LogConfig(boolean json, String rootLevel, Map<String, String> levels, AccessLogMode access) {

  private static final Set<String> LEVELS = Set.of("trace", "debug", "info", "warn", "error", "off");

  /** Copies the map. */
  public LogConfig {
    levels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(levels));
  }

  /**
   * Reads and validates the logging variables.
   *
   * @param env the environment
   * @return the configuration
   * @throws ConfigException naming the invalid variable and its rule
   */
  public static LogConfig fromEnv(Map<String, String> env) {
    String format = value(env, "LOG_FORMAT", "text");
    if (!format.equals("json") && !format.equals("text")) {
      throw new ConfigException("LOG_FORMAT must be json or text but was '" + format + "'");
    }
    String root = value(env, "LOG_LEVEL", "info");
    if (!LEVELS.contains(root) || root.equals("off")) {
      throw new ConfigException("LOG_LEVEL must be one of trace, debug, info, warn, error but was " + root);
    }
    Map<String, String> levels = new LinkedHashMap<>();
    // Libraries whose info lines say nothing an operator needs per request; LOG_LEVELS can lower them again.
    levels.put("org.eclipse.jetty", "warn");
    levels.put("io.javalin", "warn");
    levels.put("com.zaxxer.hikari", "warn");
    String perLogger = env.get("LOG_LEVELS");
    if (perLogger != null && !perLogger.isBlank()) {
      for (String entry : perLogger.split(",")) {
        String e = entry.trim();
        if (e.isEmpty()) {
          continue;
        }
        int eq = e.indexOf('=');
        String name = eq < 0 ? "" : e.substring(0, eq).trim();
        String level = eq < 0 ? "" : e.substring(eq + 1).trim().toLowerCase(Locale.ROOT);
        if (!name.matches("[A-Za-z_$][A-Za-z0-9_$.-]*") || !LEVELS.contains(level)) {
          throw new ConfigException("LOG_LEVELS must be a comma list of logger=level (level trace, debug, info, "
              + "warn, error or off), e.g. io.vtp.cache=debug,org.eclipse.jetty=info, but one entry was '" + e + "'");
        }
        levels.remove(name);
        levels.put(name, level);
      }
    }
    return new LogConfig(format.equals("json"), root, levels, AccessLogMode.parse(value(env, "ACCESS_LOG", "all")));
  }

  /** Development defaults: text, info, every request (also what the logging backend uses before start-up). */
  public static LogConfig defaults() {
    return fromEnv(Map.of());
  }

  private static String value(Map<String, String> env, String name, String fallback) {
    String v = env.get(name);
    return v == null || v.isBlank() ? fallback : v.trim().toLowerCase(Locale.ROOT);
  }
}
