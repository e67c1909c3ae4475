package io.vtp.spring.boot.ratelimit;

import io.vtp.ratelimit.Algorithm;
import io.vtp.ratelimit.FailureMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code vtp.ratelimit.*}: the rate-limit filter and its rules, one distributed limiter per rule.
 *
 * <pre>
 * vtp.ratelimit.rules.api.paths=/api/**
 * vtp.ratelimit.rules.api.limit=100
 * vtp.ratelimit.rules.api.window=1m
 * vtp.ratelimit.rules.api.key=user
 * vtp.ratelimit.rules.login.paths=/login
 * vtp.ratelimit.rules.login.methods=POST
 * vtp.ratelimit.rules.login.limit=5
 * vtp.ratelimit.rules.login.window=1m
 * vtp.ratelimit.rules.login.failure-mode=fail-closed
 * </pre>
 *
 * <p>Not thread-safe while Spring binds it; read-only afterwards.
 */
@ConfigurationProperties("vtp.ratelimit")
public class VtpRateLimitProperties {

  /** Whether the rate-limit filter is registered. */
  private boolean enabled = true;

  /**
   * Order of the filter among the servlet filters: after Spring Security's chain (-100) by default, so
   * {@code key=user} sees the authenticated principal.
   */
  private int filterOrder = -90;

  /** Whether to add the legacy X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers. */
  private boolean legacyHeaders;

  /** Prefix of every rate-limit key in Redis (no spaces or braces). */
  private String keyPrefix = "rl:";

  /** The longest a decision waits for Redis before the rule's failure mode answers (1 ms to 10 s). */
  private Duration timeout = Duration.ofMillis(100);

  /**
   * The rules by name (the name is the limiter's name: 1 to 64 characters of [A-Za-z0-9._-], part of its Redis
   * keys, the RateLimit headers and the metric tags). A request is checked against every rule whose paths and
   * methods match, in declaration order, one Redis round trip each, and stops at the first denial.
   */
  private Map<String, Rule> rules = new LinkedHashMap<>();

  /** Creates the defaults; Spring binds the rest. */
  public VtpRateLimitProperties() {
  }

  /**
   * Returns whether the filter is registered.
   *
   * @return whether the filter is registered
   */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * Sets whether the filter is registered.
   *
   * @param enabled whether the filter is registered
   */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /**
   * Returns the filter's order.
   *
   * @return the filter's order
   */
  public int getFilterOrder() {
    return filterOrder;
  }

  /**
   * Sets the filter's order.
   *
   * @param filterOrder the order
   */
  public void setFilterOrder(int filterOrder) {
    this.filterOrder = filterOrder;
  }

  /**
   * Returns whether the legacy {@code X-RateLimit-*} headers are added.
   *
   * @return whether the legacy headers are added
   */
  public boolean isLegacyHeaders() {
    return legacyHeaders;
  }

  /**
   * Sets whether the legacy {@code X-RateLimit-*} headers are added.
   *
   * @param legacyHeaders whether to add them
   */
  public void setLegacyHeaders(boolean legacyHeaders) {
    this.legacyHeaders = legacyHeaders;
  }

  /**
   * Returns the key prefix.
   *
   * @return the prefix; null only when bound so
   */
  public String getKeyPrefix() {
    return keyPrefix;
  }

  /**
   * Sets the key prefix.
   *
   * @param keyPrefix the prefix; may be null (then rejected at start-up)
   */
  public void setKeyPrefix(String keyPrefix) {
    this.keyPrefix = keyPrefix;
  }

  /**
   * Returns the Redis timeout of every decision.
   *
   * @return the timeout; null only when bound so
   */
  public Duration getTimeout() {
    return timeout;
  }

  /**
   * Sets the Redis timeout of every decision.
   *
   * @param timeout the timeout; may be null (then rejected at start-up)
   */
  public void setTimeout(Duration timeout) {
    this.timeout = timeout;
  }

  /**
   * Returns the rules by name, in declaration order.
   *
   * @return the live map; never null
   */
  public Map<String, Rule> getRules() {
    return rules;
  }

  /**
   * Replaces the rules.
   *
   * @param rules the rules by name; not null
   */
  public void setRules(Map<String, Rule> rules) {
    this.rules = rules;
  }

  /** Who a rule counts requests for. */
  public enum KeyBy {
    /**
     * The client address: {@code request.getRemoteAddr()}, which behind a proxy is the client's only when Boot's
     * forwarded-header handling is on ({@code server.forward-headers-strategy=native} or {@code framework}) and
     * trusts only the proxy's addresses. The filter never reads {@code X-Forwarded-For} itself.
     */
    ADDRESS,
    /** The authenticated principal's name ({@code request.getUserPrincipal()}), or the address when anonymous. */
    USER
  }

  /** One rule: which requests it covers and the limit they share per key. Not thread-safe while bound. */
  public static class Rule {

    /** Path patterns (Spring's PathPattern syntax, e.g. /api/** or /items/{id}); at least one is required. */
    private List<String> paths = new ArrayList<>();

    /** HTTP methods the rule covers, e.g. POST; empty means every method. */
    private List<String> methods = new ArrayList<>();

    /** Permits per window per key (required, 1 to 1,000,000,000). */
    private Long limit;

    /** The window, e.g. 1m (required, 1 ms to 366 days). */
    private Duration window;

    /** Permits available at once (GCRA only); defaults to the limit. */
    private Long burst;

    /** The counting algorithm. */
    private Algorithm algorithm = Algorithm.GCRA;

    /** Who is counted: the client address or the authenticated user (falling back to the address). */
    private KeyBy key = KeyBy.ADDRESS;

    /**
     * What to answer when Redis is unavailable: fail-open lets requests through (no 5xx), fail-closed answers 503
     * with Retry-After, local-fallback limits in process at limit / expected-instances.
     */
    private FailureMode failureMode = FailureMode.FAIL_OPEN;

    /** How many instances share the limit; required with local-fallback. */
    private Integer expectedInstances;

    /** Shadow mode: count and report would-be denials, but let every request through. */
    private boolean shadow;

    /** Creates an empty rule; Spring binds it. */
    public Rule() {
    }

    /**
     * Returns the path patterns.
     *
     * @return the live list; never null
     */
    public List<String> getPaths() {
      return paths;
    }

    /**
     * Sets the path patterns.
     *
     * @param paths the patterns; not null
     */
    public void setPaths(List<String> paths) {
      this.paths = paths;
    }

    /**
     * Returns the HTTP methods; empty for all.
     *
     * @return the live list; never null
     */
    public List<String> getMethods() {
      return methods;
    }

    /**
     * Sets the HTTP methods.
     *
     * @param methods the methods; not null
     */
    public void setMethods(List<String> methods) {
      this.methods = methods;
    }

    /**
     * Returns the permits per window.
     *
     * @return the limit; null when not set
     */
    public Long getLimit() {
      return limit;
    }

    /**
     * Sets the permits per window.
     *
     * @param limit the limit; may be null
     */
    public void setLimit(Long limit) {
      this.limit = limit;
    }

    /**
     * Returns the window.
     *
     * @return the window; null when not set
     */
    public Duration getWindow() {
      return window;
    }

    /**
     * Sets the window.
     *
     * @param window the window; may be null
     */
    public void setWindow(Duration window) {
      this.window = window;
    }

    /**
     * Returns the burst.
     *
     * @return the burst; null for the limit
     */
    public Long getBurst() {
      return burst;
    }

    /**
     * Sets the burst.
     *
     * @param burst the burst; may be null
     */
    public void setBurst(Long burst) {
      this.burst = burst;
    }

    /**
     * Returns the algorithm.
     *
     * @return the algorithm; null only when bound so
     */
    public Algorithm getAlgorithm() {
      return algorithm;
    }

    /**
     * Sets the algorithm.
     *
     * @param algorithm the algorithm; may be null (then rejected at start-up)
     */
    public void setAlgorithm(Algorithm algorithm) {
      this.algorithm = algorithm;
    }

    /**
     * Returns who is counted.
     *
     * @return the key strategy; null only when bound so
     */
    public KeyBy getKey() {
      return key;
    }

    /**
     * Sets who is counted.
     *
     * @param key the key strategy; may be null (then rejected at start-up)
     */
    public void setKey(KeyBy key) {
      this.key = key;
    }

    /**
     * Returns the failure mode.
     *
     * @return the mode; null only when bound so
     */
    public FailureMode getFailureMode() {
      return failureMode;
    }

    /**
     * Sets the failure mode.
     *
     * @param failureMode the mode; may be null (then rejected at start-up)
     */
    public void setFailureMode(FailureMode failureMode) {
      this.failureMode = failureMode;
    }

    /**
     * Returns how many instances share the limit.
     *
     * @return the count; null when not set
     */
    public Integer getExpectedInstances() {
      return expectedInstances;
    }

    /**
     * Sets how many instances share the limit.
     *
     * @param expectedInstances the count; may be null
     */
    public void setExpectedInstances(Integer expectedInstances) {
      this.expectedInstances = expectedInstances;
    }

    /**
     * Returns whether the rule is in shadow mode.
     *
     * @return whether denials are only reported
     */
    public boolean isShadow() {
      return shadow;
    }

    /**
     * Sets shadow mode.
     *
     * @param shadow whether denials are only reported
     */
    public void setShadow(boolean shadow) {
      this.shadow = shadow;
    }
  }
}
