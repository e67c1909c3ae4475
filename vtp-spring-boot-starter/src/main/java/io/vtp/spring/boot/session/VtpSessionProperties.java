package io.vtp.spring.boot.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code vtp.session.*}: the Spring Session backend on {@code vtp-session}. Values are checked when the store is
 * built, at start-up; a bad one stops the application with a message naming the property and the rule.
 *
 * <p>Not thread-safe while Spring binds it; read-only afterwards.
 */
@ConfigurationProperties("vtp.session")
public class VtpSessionProperties {

  /** Whether the starter provides Spring Session's repository and filter. */
  private boolean enabled = true;

  /** Name of the session store in logs, messages and metric tags: 1 to 64 of [A-Za-z0-9._-]. */
  private String name = "spring";

  /** Prefix of every Redis key of the store: at most 128 printable ASCII characters, no spaces or braces. */
  private String keyPrefix = "vtp:spring-session:";

  /** A session not used for this long ends (Spring Session's max inactive interval); at least 1 second. */
  private Duration idleTimeout = Duration.ofMinutes(30);

  /** A session ends this long after creation however busy it is; at least the idle timeout, at most 365 days. */
  private Duration absoluteLifetime = Duration.ofHours(24);

  /** Reads slide the idle expiry at most this often (a read within it costs no write); less than the idle timeout. */
  private Duration touchThreshold = Duration.ofMinutes(1);

  /** Live sessions per principal; a new login ends the one that would expire first. Unset: unlimited. */
  private Integer maxSessionsPerUser;

  /** Largest JSON size of a session's attributes, in bytes: 64 to 16777216. */
  private int maxAttributesBytes = 64 * 1024;

  /**
   * How many times a session update is attempted while concurrent requests writing the same session keep winning:
   * 1 to 1000. When every attempt loses, the request is answered 503 with {@code Retry-After}.
   */
  private int maxUpdateAttempts = 10;

  /**
   * Secret that keys the hash naming sessions in Redis (HMAC-SHA256), at least 32 bytes (UTF-8); every instance needs
   * the same. Unset: plain SHA-256 (anyone who can write to Redis can then plant a session).
   */
  private String idHashKey;

  /** JSON codec of attribute values. */
  private final Json json = new Json();

  /** Creates the defaults; Spring binds the rest. */
  public VtpSessionProperties() {
  }

  /**
   * Whether the backend is on.
   *
   * @return {@code true} unless {@code vtp.session.enabled=false}
   */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * Turns the backend on or off.
   *
   * @param enabled whether the starter provides the session repository
   */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /**
   * The store's name.
   *
   * @return the name; null only when set so
   */
  public String getName() {
    return name;
  }

  /**
   * Sets the store's name.
   *
   * @param name the name; may be null (rejected at start-up)
   */
  public void setName(String name) {
    this.name = name;
  }

  /**
   * The key prefix.
   *
   * @return the prefix; null only when set so
   */
  public String getKeyPrefix() {
    return keyPrefix;
  }

  /**
   * Sets the key prefix.
   *
   * @param keyPrefix the prefix; may be null (rejected at start-up)
   */
  public void setKeyPrefix(String keyPrefix) {
    this.keyPrefix = keyPrefix;
  }

  /**
   * The idle timeout.
   *
   * @return the timeout; null only when set so
   */
  public Duration getIdleTimeout() {
    return idleTimeout;
  }

  /**
   * Sets the idle timeout.
   *
   * @param idleTimeout the timeout; may be null (rejected at start-up)
   */
  public void setIdleTimeout(Duration idleTimeout) {
    this.idleTimeout = idleTimeout;
  }

  /**
   * The absolute lifetime.
   *
   * @return the lifetime; null only when set so
   */
  public Duration getAbsoluteLifetime() {
    return absoluteLifetime;
  }

  /**
   * Sets the absolute lifetime.
   *
   * @param absoluteLifetime the lifetime; may be null (rejected at start-up)
   */
  public void setAbsoluteLifetime(Duration absoluteLifetime) {
    this.absoluteLifetime = absoluteLifetime;
  }

  /**
   * The touch threshold.
   *
   * @return the threshold; null only when set so
   */
  public Duration getTouchThreshold() {
    return touchThreshold;
  }

  /**
   * Sets the touch threshold.
   *
   * @param touchThreshold the threshold; may be null (rejected at start-up)
   */
  public void setTouchThreshold(Duration touchThreshold) {
    this.touchThreshold = touchThreshold;
  }

  /**
   * The per-principal session cap.
   *
   * @return the cap, or null for unlimited
   */
  public Integer getMaxSessionsPerUser() {
    return maxSessionsPerUser;
  }

  /**
   * Sets the per-principal session cap.
   *
   * @param maxSessionsPerUser the cap, or null for unlimited
   */
  public void setMaxSessionsPerUser(Integer maxSessionsPerUser) {
    this.maxSessionsPerUser = maxSessionsPerUser;
  }

  /**
   * The attributes size cap.
   *
   * @return the cap in bytes
   */
  public int getMaxAttributesBytes() {
    return maxAttributesBytes;
  }

  /**
   * Sets the attributes size cap.
   *
   * @param maxAttributesBytes the cap in bytes
   */
  public void setMaxAttributesBytes(int maxAttributesBytes) {
    this.maxAttributesBytes = maxAttributesBytes;
  }

  /**
   * The update attempts.
   *
   * @return attempts per update
   */
  public int getMaxUpdateAttempts() {
    return maxUpdateAttempts;
  }

  /**
   * Sets the update attempts.
   *
   * @param maxUpdateAttempts attempts per update
   */
  public void setMaxUpdateAttempts(int maxUpdateAttempts) {
    this.maxUpdateAttempts = maxUpdateAttempts;
  }

  /**
   * The id hash key.
   *
   * @return the key, or null when unset
   */
  public String getIdHashKey() {
    return idHashKey;
  }

  /**
   * Sets the id hash key.
   *
   * @param idHashKey the key, or null
   */
  public void setIdHashKey(String idHashKey) {
    this.idHashKey = idHashKey;
  }

  /**
   * The JSON codec settings.
   *
   * @return the settings; never null
   */
  public Json getJson() {
    return json;
  }

  /**
   * Describes the settings with the id hash key masked.
   *
   * @return the description; never null
   */
  @Override
  public String toString() {
    return "vtp.session[enabled=" + enabled + ", name=" + name + ", keyPrefix=" + keyPrefix + ", idleTimeout="
        + idleTimeout + ", absoluteLifetime=" + absoluteLifetime + ", touchThreshold=" + touchThreshold
        + ", maxSessionsPerUser=" + maxSessionsPerUser + ", maxAttributesBytes=" + maxAttributesBytes
        + ", idHashKey=" + (idHashKey == null ? "unset" : "****") + ", json.allowedTypes=" + json.allowedTypes + "]";
  }

  /**
   * {@code vtp.session.json.*}.
   *
   * <p>Not thread-safe while Spring binds it; read-only afterwards.
   */
  public static class Json {

    /**
     * Exact class names (no prefixes, no wildcards) a stored attribute may name besides Spring Security's allowlist,
     * for application types kept in the session.
     */
    private List<String> allowedTypes = new ArrayList<>();

    /** Creates the defaults. */
    public Json() {
    }

    /**
     * The allowed class names.
     *
     * @return the names; never null
     */
    public List<String> getAllowedTypes() {
      return allowedTypes;
    }

    /**
     * Sets the allowed class names.
     *
     * @param allowedTypes the names; null reads as none
     */
    public void setAllowedTypes(List<String> allowedTypes) {
      this.allowedTypes = allowedTypes == null ? new ArrayList<>() : allowedTypes;
    }
  }
}
