package io.vtp.spring.boot.metrics;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code vtp.metrics.*}: whether the starter's limiters, caches and health registry publish to Boot's
 * {@code MeterRegistry}.
 *
 * <p>Not thread-safe while Spring binds it; read-only afterwards.
 */
@ConfigurationProperties("vtp.metrics")
public class VtpMetricsProperties {

  /** Whether vtp.ratelimit.*, vtp.cache.* and vtp.health.* meters are registered (needs Micrometer). */
  private boolean enabled = true;

  /** Creates the defaults; Spring binds the rest. */
  public VtpMetricsProperties() {
  }

  /**
   * Returns whether meters are registered.
   *
   * @return whether meters are registered
   */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * Sets whether meters are registered.
   *
   * @param enabled whether meters are registered
   */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }
}
