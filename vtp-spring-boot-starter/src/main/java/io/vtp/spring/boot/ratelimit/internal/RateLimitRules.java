package io.vtp.spring.boot.ratelimit.internal;

import io.vtp.ratelimit.RateLimiter;
import io.vtp.ratelimit.RedisRateLimiter;
import io.vtp.spring.boot.metrics.VtpMetrics;
import io.vtp.spring.boot.ratelimit.VtpRateLimitProperties;
import io.vtp.spring.boot.ratelimit.VtpRateLimitProperties.KeyBy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import org.springframework.web.util.pattern.PatternParseException;
import redis.clients.jedis.UnifiedJedis;

/**
 * The rules of {@code vtp.ratelimit.rules.*}, checked and turned into one limiter each. Every misconfiguration
 * fails here, at start-up, with one message naming the property and the rule. Thread-safe once built;
 * {@link #close()} closes the limiters.
 */
public final class RateLimitRules implements AutoCloseable {
  private static final String PREFIX = "vtp.ratelimit.rules.";

  private final List<Rule> rules;

  private RateLimitRules(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  /**
   * One compiled rule.
   *
   * @param name the rule's (and limiter's) name
   * @param patterns the path patterns
   * @param methods upper-case methods; empty for all
   * @param keyBy who is counted
   * @param limiter the rule's limiter
   */
  public record Rule(String name, List<PathPattern> patterns, Set<String> methods, KeyBy keyBy,
      RateLimiter limiter) {

    /**
     * Returns whether a request falls under this rule.
     *
     * @param method the request's method; not null
     * @param path the path within the application; not null
     * @return whether the rule applies
     */
    public boolean matches(String method, PathContainer path) {
      if (!methods.isEmpty() && !methods.contains(method)) {
        return false;
      }
      for (PathPattern p : patterns) {
        if (p.matches(path)) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * Checks the properties and builds one limiter per rule.
   *
   * @param props the bound properties; not null
   * @param jedis the shared Redis client; not null
   * @param metrics where each limiter's decisions are recorded; not null
   * @return the rules, in declaration order; never null
   * @throws IllegalStateException when a property is missing or breaks its rule; the message starts with the
   *     property's name
   */
  public static RateLimitRules build(VtpRateLimitProperties props, UnifiedJedis jedis, VtpMetrics metrics) {
    Duration timeout = props.getTimeout();
    if (timeout == null) {
      throw new IllegalStateException("vtp.ratelimit.timeout: must be set (e.g. 100ms)");
    }
    String keyPrefix = props.getKeyPrefix();
    if (keyPrefix == null) {
      throw new IllegalStateException("vtp.ratelimit.key-prefix: must be set (e.g. rl:)");
    }
    List<Rule> built = new ArrayList<>();
    try {
      for (Map.Entry<String, VtpRateLimitProperties.Rule> e : props.getRules().entrySet()) {
        built.add(rule(e.getKey(), e.getValue(), timeout, keyPrefix, jedis, metrics));
      }
    } catch (RuntimeException e) {
      built.forEach(r -> r.limiter().close());
      throw e;
    }
    return new RateLimitRules(built);
  }

  private static Rule rule(String name, VtpRateLimitProperties.Rule r, Duration timeout, String keyPrefix,
      UnifiedJedis jedis, VtpMetrics metrics) {
    String at = PREFIX + name;
    if (r.getPaths() == null || r.getPaths().isEmpty()) {
      throw new IllegalStateException(at + ".paths: must list at least one path pattern (e.g. /api/**)");
    }
    List<PathPattern> patterns = new ArrayList<>();
    for (String p : r.getPaths()) {
      try {
        patterns.add(PathPatternParser.defaultInstance.parse(p));
      } catch (PatternParseException ex) {
        throw new IllegalStateException(at + ".paths: '" + p + "' is not a valid path pattern: " + ex.getMessage(),
            ex);
      }
    }
    Set<String> methods = new LinkedHashSet<>();
    for (String m : r.getMethods()) {
      methods.add(m.trim().toUpperCase(Locale.ROOT));
    }
    if (r.getLimit() == null) {
      throw new IllegalStateException(at + ".limit: must be set (e.g. 100)");
    }
    if (r.getLimit() <= 0) {
      throw new IllegalStateException(at + ".limit: must be > 0 but was " + r.getLimit());
    }
    if (r.getWindow() == null) {
      throw new IllegalStateException(at + ".window: must be set (e.g. 1m)");
    }
    require(at + ".key", r.getKey());
    require(at + ".algorithm", r.getAlgorithm());
    require(at + ".failure-mode", r.getFailureMode());
    RedisRateLimiter.Builder b = RedisRateLimiter.builder(jedis).name(name).limit(r.getLimit())
        .window(r.getWindow()).algorithm(r.getAlgorithm()).failureMode(r.getFailureMode()).timeout(timeout)
        .keyPrefix(keyPrefix)
        .shadow(r.isShadow()).listener(metrics.rateLimitListener(name));
    if (r.getBurst() != null) {
      b.burst(r.getBurst());
    }
    if (r.getExpectedInstances() != null) {
      b.expectedInstances(r.getExpectedInstances());
    }
    RateLimiter limiter;
    try {
      limiter = b.build();
    } catch (IllegalArgumentException | IllegalStateException ex) {
      // The library's message names the limiter and the field ("rate limit 'api': burst must ..."); the property
      // prefix says where to fix it.
      throw new IllegalStateException(at + ": " + ex.getMessage(), ex);
    }
    return new Rule(name, List.copyOf(patterns), Set.copyOf(methods), r.getKey(), limiter);
  }

  private static void require(String property, Object value) {
    if (value == null) {
      throw new IllegalStateException(property + ": must be set");
    }
  }

  /**
   * Returns the rules in declaration order.
   *
   * @return the rules; never null
   */
  public List<Rule> rules() {
    return rules;
  }

  /** Closes every limiter. Idempotent. */
  @Override
  public void close() {
    rules.forEach(r -> r.limiter().close());
  }
}
