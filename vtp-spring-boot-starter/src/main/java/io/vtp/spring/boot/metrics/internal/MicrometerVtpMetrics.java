package io.vtp.spring.boot.metrics.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.vtp.cache.CacheAside;
import io.vtp.cache.micrometer.CacheMetrics;
import io.vtp.health.HealthRegistry;
import io.vtp.health.micrometer.HealthMetrics;
import io.vtp.ratelimit.RateLimitListener;
import io.vtp.ratelimit.micrometer.RateLimitMetrics;
import io.vtp.spring.boot.metrics.VtpMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@link VtpMetrics} over one {@link MeterRegistry} through each module's own Micrometer binding; {@link #close()}
 * removes every meter it registered. Thread-safe.
 */
public final class MicrometerVtpMetrics implements VtpMetrics, AutoCloseable {
  private final MeterRegistry registry;
  private final List<Runnable> bindings = new ArrayList<>();

  /**
   * Creates the binding.
   *
   * @param registry Boot's registry; not {@code null}
   */
  public MicrometerVtpMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  @Override
  public synchronized RateLimitListener rateLimitListener(String limiter) {
    RateLimitMetrics metrics = RateLimitMetrics.create(registry, limiter);
    bindings.add(metrics::close);
    return metrics;
  }

  @Override
  public synchronized void bindCache(CacheAside<?> cache) {
    bindings.add(CacheMetrics.create(registry, cache.name(), cache)::close);
  }

  @Override
  public synchronized void bindHealth(String name, HealthRegistry health) {
    bindings.add(HealthMetrics.create(registry, name, health)::close);
  }

  @Override
  public synchronized void close() {
    bindings.forEach(Runnable::run);
    bindings.clear();
  }
}
