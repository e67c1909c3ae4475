package io.vtp.app.config;

import io.vtp.redis.RedisUrl;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The app's configuration, read once from environment variables (the original platform's names) and validated:
 * an invalid value stops start-up with one {@link ConfigException} naming the variable and the rule. Secrets are
 * masked in {@link #toString()}.
 *
 * <table>
 *   <caption>Variables</caption>
 *   <tr><th>Variable</th><th>Default</th><th>Rule</th></tr>
 *   <tr><td>PORT</td><td>8080</td><td>0..65535 (0: any free port, for tests)</td></tr>
 *   <tr><td>HOST</td><td>0.0.0.0</td><td>address to listen on</td></tr>
 *   <tr><td>INSTANCE_ID</td><td>host name</td><td>[A-Za-z0-9._-]{1,64}</td></tr>
 *   <tr><td>APP_ENV</td><td>development</td><td>development | production</td></tr>
 *   <tr><td>DATABASE_URL</td><td>postgresql://vtp:vtp@localhost:5432/vtp (development only)</td><td>see {@link DatabaseUrl}</td></tr>
 *   <tr><td>READ_DATABASE_URL</td><td>none</td><td>optional replica for read-only queries</td></tr>
 *   <tr><td>REDIS_URL</td><td>redis://localhost:6379 (development only)</td><td>see {@link RedisUrl}; sessions, rate
 *       limits, rooms (and the cache unless REDIS_CACHE_URL is set)</td></tr>
 *   <tr><td>REDIS_CACHE_URL</td><td>REDIS_URL</td><td>see {@link RedisUrl}; a Redis for cache entries only, so an
 *       evicting policy there never evicts sessions or limiter state</td></tr>
 *   <tr><td>DATABASE_ALLOW_PLAINTEXT</td><td>false</td><td>true lets a non-loopback database host go without
 *       TLS ({@code sslmode} other than require, verify-ca, verify-full): see {@link DatabaseTransport}</td></tr>
 *   <tr><td>JWT_SECRET</td><td>a development value</td><td>at least 32 bytes; production: required, not a known
 *       example. Keys the HMAC-SHA256 that names sessions in Redis</td></tr>
 *   <tr><td>JWT_SECRET_PREVIOUS</td><td>none</td><td>the secret before the last rotation: sessions named under it
 *       are still found (and moved to the current one); at least 32 bytes, not equal to JWT_SECRET</td></tr>
 *   <tr><td>CORS_ORIGINS</td><td>none</td><td>comma list of origins; production: {@code https://} only</td></tr>
 *   <tr><td>LOG_LEVEL</td><td>info</td><td>trace | debug | info | warn | error</td></tr>
 *   <tr><td>TRUSTED_PROXIES</td><td>127.0.0.0/8,::1/128</td><td>CIDRs whose X-Forwarded-* headers are believed</td></tr>
 *   <tr><td>DB_MAX_OPEN_CONNS / DB_MAX_IDLE_CONNS / DB_CONN_MAX_LIFETIME</td><td>25 / 5 / 5m</td><td>idle &lt;= open</td></tr>
 *   <tr><td>REDIS_POOL_SIZE / REDIS_MIN_IDLE_CONNS</td><td>10 / 2</td><td>min idle &lt;= size</td></tr>
 *   <tr><td>RATE_LIMIT_API_PER_MINUTE / RATE_LIMIT_LOGIN_PER_MINUTE</td><td>100 / 5</td><td>&gt; 0</td></tr>
 *   <tr><td>RATE_LIMIT_TIMEOUT</td><td>100ms</td><td>longest a limit decision waits for Redis before its failure
 *       mode applies (API: allow; login: 503)</td></tr>
 *   <tr><td>COURSE_CACHE_L1_TTL</td><td>5s</td><td>0s .. 10m; 0s: off. How long a course may stay in this
 *       instance's memory (L1, in front of the Redis cache): a course read served from it costs no Redis command. An
 *       update on any instance removes it from every instance's L1 by Redis pub/sub (well under a millisecond on a
 *       LAN); this TTL bounds the staleness only when that message is lost (Redis unreachable at update time, a
 *       hung subscription)</td></tr>
 *   <tr><td>DRAIN_DELAY / SHUTDOWN_TIMEOUT</td><td>5s / 10s</td><td>durations like 500ms, 5s, 5m, 7d</td></tr>
 *   <tr><td>MAX_BODY_BYTES</td><td>1048576</td><td>1 KiB .. 64 MiB</td></tr>
 *   <tr><td>PASSWORD_HASH_ITERATIONS</td><td>600000</td><td>PBKDF2-HMAC-SHA256; production &gt;= 600000</td></tr>
 *   <tr><td>SESSION_IDLE_TIMEOUT / SESSION_ABSOLUTE_TIMEOUT</td><td>7d / 30d</td><td>idle &lt;= absolute</td></tr>
 *   <tr><td>SEED_DEMO_DATA</td><td>false</td><td>true | false</td></tr>
 *   <tr><td>MANAGEMENT_PORT</td><td>9464</td><td>0..65535, not PORT: {@code /metrics} and detailed health, never
 *       exposed by nginx or the Ingress (0: any free port, for tests)</td></tr>
 *   <tr><td>MANAGEMENT_HOST</td><td>HOST</td><td>address the management port listens on</td></tr>
 *   <tr><td>&lt;NAME&gt;_FILE</td><td>none</td><td>for the variables in {@link #FILE_VARIABLES} (those that carry a
 *       secret): the value is the content of that file (Docker and Swarm secrets, {@code /run/secrets/...}), without
 *       surrounding white space; setting both {@code NAME} and {@code NAME_FILE}, an unreadable or empty file, or
 *       one over 64 KiB stops start-up</td></tr>
 *   <tr><td>SELF_REGISTER_ROLES, RATE_LIMIT_REGISTER_PER_MINUTE, PASSWORD_HASH_CONCURRENCY, LOGIN_FAILURES_BEFORE_BACKOFF,
 *       SESSION_MAX_PER_USER, WS_*</td><td colspan="2">see {@link SecurityConfig}</td></tr>
 * </table>
 */
public record AppConfig(
    int port,
    String host,
    String instanceId,
    boolean production,
    DatabaseUrl database,
    DatabaseUrl readDatabase,
    RedisUrl redis,
    RedisUrl redisCache,
    byte[] secret,
    byte[] previousSecret,
    List<String> corsOrigins,
    String logLevel,
    List<String> trustedProxies,
    int dbMaxOpen,
    int dbMaxIdle,
    Duration dbMaxLifetime,
    int redisPoolSize,
    int redisMinIdle,
    int apiLimitPerMinute,
    int loginLimitPerMinute,
    Duration rateLimitTimeout,
    Duration drainDelay,
    Duration shutdownTimeout,
    long maxBodyBytes,
    int passwordIterations,
    Duration sessionIdleTimeout,
    Duration sessionAbsoluteTimeout,
    boolean seedDemoData,
    int managementPort,
    String managementHost,
    Duration courseL1Ttl,
    SecurityConfig security) {

  /**
   * The variables that carry a secret and may be read from a file instead: {@code <NAME>_FILE} names the file (a
   * Docker or Swarm secret), so the secret never sits in the container's environment ({@code docker inspect}).
   */
  public static final Set<String> FILE_VARIABLES = Set.of("DATABASE_URL", "READ_DATABASE_URL", "REDIS_URL",
      "REDIS_CACHE_URL", "JWT_SECRET", "JWT_SECRET_PREVIOUS");

  /** The largest secret file read; a bigger one is a wrong path (a log, a binary), not a secret. */
  private static final long MAX_FILE_BYTES = 64 * 1024;

  /** The lowest PBKDF2-HMAC-SHA256 iteration count OWASP recommends (2023). */
  public static final int OWASP_PBKDF2_ITERATIONS = 600_000;

  private static final String DEV_SECRET = "development-only-secret-never-use-in-production!";
  private static final Set<String> KNOWN_EXAMPLE_SECRETS = Set.of(
      DEV_SECRET, "secret", "changeme", "change-me", "change_me", "your-secret-key", "your_secret_key",
      "your-super-secret-jwt-key", "your-super-secret-jwt-key-change-in-production", "supersecret",
      "jwt-secret", "mysecret", "thisisasecret", "please-change-me", "default", "test", "password");
  private static final Pattern INSTANCE = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  /** Copies lists and checks relations between fields. */
  public AppConfig {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(redis, "redis");
    Objects.requireNonNull(redisCache, "redisCache");
    Objects.requireNonNull(security, "security");
    corsOrigins = List.copyOf(corsOrigins);
    trustedProxies = List.copyOf(trustedProxies);
    secret = secret.clone();
    previousSecret = previousSecret == null ? null : previousSecret.clone();
  }

  /** Returns true when the cache has a Redis of its own ({@code REDIS_CACHE_URL} set and not {@code REDIS_URL}). */
  public boolean separateCacheRedis() {
    return !redisCache.equals(redis);
  }

  /** Returns a copy of the deployment secret, the key of the HMAC that names sessions in Redis. */
  @Override
  public byte[] secret() {
    return secret.clone();
  }

  /** Returns a copy of the secret before the last rotation, or {@code null} when none is configured. */
  @Override
  public byte[] previousSecret() {
    return previousSecret == null ? null : previousSecret.clone();
  }

  /**
   * Reads and validates the configuration. A variable of {@link #FILE_VARIABLES} may come from the file its
   * {@code <NAME>_FILE} names, which is read here.
   *
   * @param env the environment (e.g. {@code System.getenv()})
   * @return the configuration
   * @throws ConfigException naming the first invalid variable and its rule
   */
  public static AppConfig fromEnv(Map<String, String> env) {
    Reader r = new Reader(env);
    String appEnv = r.string("APP_ENV", "development").toLowerCase(Locale.ROOT);
    if (!appEnv.equals("development") && !appEnv.equals("production")) {
      throw new ConfigException("APP_ENV must be development or production but was " + appEnv);
    }
    boolean production = appEnv.equals("production");

    int port = r.intIn("PORT", 8080, 0, 65535);
    String host = r.string("HOST", "0.0.0.0");
    String instanceId = r.string("INSTANCE_ID", hostName());
    if (!INSTANCE.matcher(instanceId).matches()) {
      throw new ConfigException("INSTANCE_ID must match [A-Za-z0-9._-]{1,64} but was '" + instanceId + "'");
    }

    String dbRaw = r.raw("DATABASE_URL");
    if (dbRaw == null) {
      if (production) {
        throw new ConfigException("DATABASE_URL is required when APP_ENV=production");
      }
      dbRaw = "postgresql://vtp:vtp@localhost:5432/vtp?sslmode=disable";
    }
    DatabaseUrl database = DatabaseUrl.parse("DATABASE_URL", dbRaw);
    String readRaw = r.raw("READ_DATABASE_URL");
    DatabaseUrl readDatabase = readRaw == null ? null : DatabaseUrl.parse("READ_DATABASE_URL", readRaw);
    boolean allowPlaintext = r.bool("DATABASE_ALLOW_PLAINTEXT", false);
    DatabaseTransport.check("DATABASE_URL", database, allowPlaintext);
    if (readDatabase != null) {
      DatabaseTransport.check("READ_DATABASE_URL", readDatabase, allowPlaintext);
    }

    String redisRaw = r.raw("REDIS_URL");
    if (redisRaw == null) {
      if (production) {
        throw new ConfigException("REDIS_URL is required when APP_ENV=production");
      }
      redisRaw = "redis://localhost:6379";
    }
    RedisUrl redis;
    try {
      redis = RedisUrl.parse("REDIS_URL", redisRaw);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    String cacheRaw = r.raw("REDIS_CACHE_URL");
    RedisUrl redisCache;
    try {
      redisCache = cacheRaw == null ? redis : RedisUrl.parse("REDIS_CACHE_URL", cacheRaw);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }

    String secret = r.raw("JWT_SECRET");
    if (production) {
      if (secret == null) {
        throw new ConfigException("JWT_SECRET is required when APP_ENV=production (at least 32 random bytes, "
            + "e.g. openssl rand -base64 48)");
      }
      if (secret.getBytes(StandardCharsets.UTF_8).length < 32) {
        throw new ConfigException("JWT_SECRET must be at least 32 bytes when APP_ENV=production but has "
            + secret.getBytes(StandardCharsets.UTF_8).length);
      }
      if (KNOWN_EXAMPLE_SECRETS.contains(secret.toLowerCase(Locale.ROOT))
          || secret.toLowerCase(Locale.ROOT).contains("change")) {
        throw new ConfigException("JWT_SECRET is a known example value; generate one (openssl rand -base64 48)");
      }
    } else if (secret == null) {
      secret = DEV_SECRET;
    }
    if (secret.getBytes(StandardCharsets.UTF_8).length < 32) {
      throw new ConfigException("JWT_SECRET must be at least 32 bytes (it keys the session id hashes) but has "
          + secret.getBytes(StandardCharsets.UTF_8).length);
    }
    String previous = r.raw("JWT_SECRET_PREVIOUS");
    if (previous != null) {
      if (previous.getBytes(StandardCharsets.UTF_8).length < 32) {
        throw new ConfigException("JWT_SECRET_PREVIOUS must be at least 32 bytes but has "
            + previous.getBytes(StandardCharsets.UTF_8).length);
      }
      if (previous.equals(secret)) {
        throw new ConfigException("JWT_SECRET_PREVIOUS must differ from JWT_SECRET (it is the secret before the "
            + "last rotation; unset it when there is none)");
      }
    }

    List<String> cors = r.list("CORS_ORIGINS");
    for (String origin : cors) {
      if (!origin.equals("*") && !origin.matches("https?://[A-Za-z0-9.-]+(:\\d{1,5})?")) {
        throw new ConfigException("CORS_ORIGINS entries must be origins like https://app.example.com but one was '"
            + origin + "'");
      }
      if (production && !origin.startsWith("https://")) {
        // A plain-http origin (or *) would let a page anyone on the network can alter act with the user's session.
        throw new ConfigException("CORS_ORIGINS entries must be https:// origins when APP_ENV=production but one was '"
            + origin + "'");
      }
    }
    String logLevel = r.string("LOG_LEVEL", "info").toLowerCase(Locale.ROOT);
    if (!Set.of("trace", "debug", "info", "warn", "error").contains(logLevel)) {
      throw new ConfigException("LOG_LEVEL must be one of trace, debug, info, warn, error but was " + logLevel);
    }
    List<String> proxies = r.raw("TRUSTED_PROXIES") == null ? List.of("127.0.0.0/8", "::1/128")
        : r.list("TRUSTED_PROXIES");
    for (String cidr : proxies) {
      Cidr.parse("TRUSTED_PROXIES", cidr);
    }

    int dbMaxOpen = r.intIn("DB_MAX_OPEN_CONNS", 25, 1, 1000);
    int dbMaxIdle = r.intIn("DB_MAX_IDLE_CONNS", 5, 0, 1000);
    if (dbMaxIdle > dbMaxOpen) {
      throw new ConfigException("DB_MAX_IDLE_CONNS must be <= DB_MAX_OPEN_CONNS (" + dbMaxOpen + ") but was " + dbMaxIdle);
    }
    Duration dbLifetime = r.duration("DB_CONN_MAX_LIFETIME", Duration.ofMinutes(5));
    if (dbLifetime.compareTo(Duration.ofSeconds(30)) < 0) {
      throw new ConfigException("DB_CONN_MAX_LIFETIME must be >= 30s but was " + dbLifetime);
    }
    int redisPool = r.intIn("REDIS_POOL_SIZE", 10, 1, 1000);
    int redisMinIdle = r.intIn("REDIS_MIN_IDLE_CONNS", 2, 0, 1000);
    if (redisMinIdle > redisPool) {
      throw new ConfigException("REDIS_MIN_IDLE_CONNS must be <= REDIS_POOL_SIZE (" + redisPool + ") but was "
          + redisMinIdle);
    }
    int apiLimit = r.intIn("RATE_LIMIT_API_PER_MINUTE", 100, 1, 1_000_000);
    int loginLimit = r.intIn("RATE_LIMIT_LOGIN_PER_MINUTE", 5, 1, 1_000_000);
    Duration limitTimeout = r.duration("RATE_LIMIT_TIMEOUT", Duration.ofMillis(100));
    if (limitTimeout.isZero() || limitTimeout.compareTo(Duration.ofSeconds(10)) > 0) {
      throw new ConfigException("RATE_LIMIT_TIMEOUT must be > 0 and <= 10s but was " + limitTimeout);
    }
    Duration drain = r.duration("DRAIN_DELAY", Duration.ofSeconds(5));
    Duration shutdown = r.duration("SHUTDOWN_TIMEOUT", Duration.ofSeconds(10));
    long maxBody = r.intIn("MAX_BODY_BYTES", 1 << 20, 1024, 64 << 20);
    int iterations = r.intIn("PASSWORD_HASH_ITERATIONS", OWASP_PBKDF2_ITERATIONS, 1000, 10_000_000);
    if (production && iterations < OWASP_PBKDF2_ITERATIONS) {
      throw new ConfigException("PASSWORD_HASH_ITERATIONS must be >= " + OWASP_PBKDF2_ITERATIONS
          + " when APP_ENV=production but was " + iterations);
    }
    Duration idle = r.duration("SESSION_IDLE_TIMEOUT", Duration.ofDays(7));
    Duration absolute = r.duration("SESSION_ABSOLUTE_TIMEOUT", Duration.ofDays(30));
    if (idle.compareTo(absolute) > 0) {
      throw new ConfigException("SESSION_IDLE_TIMEOUT must be <= SESSION_ABSOLUTE_TIMEOUT (" + absolute + ") but was "
          + idle);
    }
    boolean seed = r.bool("SEED_DEMO_DATA", false);
    int managementPort = r.intIn("MANAGEMENT_PORT", 9464, 0, 65535);
    if (managementPort != 0 && managementPort == port) {
      throw new ConfigException("MANAGEMENT_PORT must differ from PORT (" + port + "): metrics and detailed health "
          + "must not be reachable through the public port");
    }
    String managementHost = r.string("MANAGEMENT_HOST", host);
    Duration courseL1Ttl = r.duration("COURSE_CACHE_L1_TTL", Duration.ofSeconds(5));
    if (courseL1Ttl.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new ConfigException("COURSE_CACHE_L1_TTL must be <= 10m (0s turns the in-process course cache off) but was "
          + courseL1Ttl);
    }
    SecurityConfig security = SecurityConfig.read(r);
    return new AppConfig(port, host, instanceId, production, database, readDatabase, redis, redisCache,
        secret.getBytes(StandardCharsets.UTF_8), previous == null ? null : previous.getBytes(StandardCharsets.UTF_8), cors, logLevel, proxies, dbMaxOpen, dbMaxIdle, dbLifetime,
        redisPool, redisMinIdle, apiLimit, loginLimit, limitTimeout, drain, shutdown, maxBody, iterations, idle, absolute, seed,
        managementPort, managementHost, courseL1Ttl, security);
  }

  /**
   * Parses a duration: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d}, or ISO-8601 ({@code PT5M}).
   *
   * @param variable the variable, for messages
   * @param value the text
   * @return the duration, never negative
   * @throws ConfigException when it is not a duration
   */
  public static Duration parseDuration(String variable, String value) {
    String v = value.trim();
    Matcher m = DURATION.matcher(v);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms":
          return Duration.ofMillis(n);
        case "s":
          return Duration.ofSeconds(n);
        case "m":
          return Duration.ofMinutes(n);
        case "h":
          return Duration.ofHours(n);
        default:
          return Duration.ofDays(n);
      }
    }
    try {
      Duration d = Duration.parse(v);
      if (!d.isNegative()) {
        return d;
      }
    } catch (java.time.format.DateTimeParseException e) {
      // fall through to the message
    }
    throw new ConfigException(variable + " must be a duration like 500ms, 30s, 5m, 2h or 7d but was '" + v + "'");
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }

  /** Masks the secret and passwords. */
  @Override
  public String toString() {
    return "AppConfig[port=" + port + ", host=" + host + ", instance=" + instanceId + ", env="
        + (production ? "production" : "development") + ", database=" + database + ", readDatabase=" + readDatabase
        + ", redis=" + redis + ", redisCache=" + redisCache + ", secret=****" + (previousSecret == null ? "" : ", previousSecret=****") + ", cors=" + corsOrigins + ", logLevel=" + logLevel + ", trustedProxies="
        + trustedProxies + ", db pool=" + dbMaxOpen + "/" + dbMaxIdle + "/" + dbMaxLifetime + ", redis pool="
        + redisPoolSize + "/" + redisMinIdle + ", limits api=" + apiLimitPerMinute + "/min login="
        + loginLimitPerMinute + "/min timeout=" + rateLimitTimeout + ", drain=" + drainDelay + ", shutdown=" + shutdownTimeout + ", maxBody="
        + maxBodyBytes + ", pbkdf2=" + passwordIterations + ", session idle=" + sessionIdleTimeout + " absolute="
        + sessionAbsoluteTimeout + ", seed=" + seedDemoData + ", courseL1=" + courseL1Ttl + ", management=" + managementHost + ":" + managementPort
        + ", " + security + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AppConfig && toString().equals(o.toString())
        && java.util.Arrays.equals(secret, ((AppConfig) o).secret)
        && java.util.Arrays.equals(previousSecret, ((AppConfig) o).previousSecret);
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }

  static final class Reader {
    private final Map<String, String> env;

    Reader(Map<String, String> env) {
      this.env = env;
    }

    String raw(String name) {
      String v = env.get(name);
      String value = v == null || v.isBlank() ? null : v.trim();
      String file = FILE_VARIABLES.contains(name) ? env.get(name + "_FILE") : null;
      if (file == null || file.isBlank()) {
        return value;
      }
      if (value != null) {
        throw new ConfigException(name + " and " + name + "_FILE are both set: set only one of them");
      }
      return fromFile(name + "_FILE", Path.of(file.trim()));
    }

    /** The file's content without surrounding white space (secret files usually end with a newline). */
    private static String fromFile(String variable, Path path) {
      String content;
      try {
        if (Files.size(path) > MAX_FILE_BYTES) {
          throw new ConfigException(variable + " must name a file of at most " + MAX_FILE_BYTES + " bytes but "
              + path + " is bigger");
        }
        content = Files.readString(path, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        // The exception's class says why (NoSuchFileException, AccessDeniedException, MalformedInputException).
        throw new ConfigException(variable + " must name a readable UTF-8 file but " + path + " could not be read ("
            + e.getClass().getSimpleName() + "); for a Swarm secret check its target and the uid/mode the service "
            + "gives it");
      }
      if (content.isEmpty()) {
        throw new ConfigException(variable + " must name a file holding the value but " + path + " is empty");
      }
      return content;
    }

    String string(String name, String def) {
      String v = raw(name);
      return v == null ? def : v;
    }

    int intIn(String name, int def, int min, int max) {
      String v = raw(name);
      if (v == null) {
        return def;
      }
      try {
        int n = Integer.parseInt(v);
        if (n < min || n > max) {
          throw new ConfigException(name + " must be between " + min + " and " + max + " but was " + n);
        }
        return n;
      } catch (NumberFormatException e) {
        throw new ConfigException(name + " must be a whole number but was '" + v + "'");
      }
    }

    boolean bool(String name, boolean def) {
      String v = raw(name);
      if (v == null) {
        return def;
      }
      switch (v.toLowerCase(Locale.ROOT)) {
        case "true":
        case "1":
        case "yes":
          return true;
        case "false":
        case "0":
        case "no":
          return false;
        default:
          throw new ConfigException(name + " must be true or false but was '" + v + "'");
      }
    }

    Duration duration(String name, Duration def) {
      String v = raw(name);
      return v == null ? def : parseDuration(name, v);
    }

    List<String> list(String name) {
      String v = raw(name);
      List<String> out = new ArrayList<>();
      if (v != null) {
        for (String s : v.split(",")) {
          if (!s.isBlank()) {
            out.add(s.trim());
          }
        }
      }
      return out;
    }
  }
}
