package io.vtp.spring.boot.metrics;

import io.vtp.cache.CacheAside;
import io.vtp.health.HealthRegistry;
import io.vtp.ratelimit.RateLimitListener;

/**
 * Binds the starter's limiters, caches and health registry to the service's metrics, without naming Micrometer in
 * its signature (Micrometer is optional). With Micrometer and a {@code MeterRegistry} bean,
 * {@link VtpMetricsAutoConfiguration} provides the implementation that binds everything to Boot's registry;
 * without them the starter uses {@link #none()}. Meters are removed when the application context closes.
 *
 * <p>Implementations are thread-safe.
 */
public interface VtpMetrics {

  /**
   * Returns the listener that records one rate limiter's decisions ({@code vtp.ratelimit.*}, tag
   * {@code name=<limiter>}).
   *
   * @param limiter the limiter's name; not {@code null}
   * @return the listener to build the limiter with; never {@code null}
   * @throws NullPointerException when {@code limiter} is {@code null}
   */
  RateLimitListener rateLimitListener(String limiter);

  /**
   * Publishes one cache's counters ({@code vtp.cache.*}, tag {@code name=<cache>}).
   *
   * @param cache the cache; not {@code null}
   * @throws NullPointerException when {@code cache} is {@code null}
   */
  void bindCache(CacheAside<?> cache);

  /**
   * Publishes a health registry's status and checks ({@code vtp.health.*}, tag {@code name=<name>}).
   *
   * @param name the registry's name; not {@code null} or blank
   * @param health the registry; not {@code null}
   * @throws NullPointerException when an argument is {@code null}
   */
  void bindHealth(String name, HealthRegistry health);

  /**
   * Returns the binding that records nothing, used when there is no {@code MeterRegistry}.
   *
   * @return a stateless no-op binding; never {@code null}
   */
  static VtpMetrics none() {
    return NoVtpMetrics.INSTANCE;
  }
}

/** The no-op binding behind {@link VtpMetrics#none()}. */
enum NoVtpMetrics implements VtpMetrics {
  INSTANCE;

  @Override
  public RateLimitListener rateLimitListener(String limiter) {
    return RateLimitListener.noop();
  }

  @Override
  public void bindCache(CacheAside<?> cache) {
  }

  @Override
  public void bindHealth(String name, HealthRegistry health) {
  }
}
