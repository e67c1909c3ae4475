package io.vtp.spring.boot.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.vtp.spring.boot.metrics.internal.MicrometerVtpMetrics;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Binds every limiter, cache and health registry of the starter to Boot's {@link MeterRegistry} (meters
 * {@code vtp.ratelimit.*}, {@code vtp.cache.*}, {@code vtp.health.*}), when Micrometer is on the class path.
 * {@code vtp.metrics.enabled=false} turns it off; without a {@code MeterRegistry} bean nothing is recorded.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"})
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnProperty(prefix = "vtp.metrics", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(VtpMetricsProperties.class)
public class VtpMetricsAutoConfiguration {

  /** Creates the configuration; Spring calls it. */
  public VtpMetricsAutoConfiguration() {
  }

  /**
   * The binding to Boot's registry, or {@link VtpMetrics#none()} when the context has no {@link MeterRegistry}.
   *
   * @param registry Boot's registry, if any; never null
   * @return the binding; never null
   */
  @Bean
  @ConditionalOnMissingBean
  public VtpMetrics vtpMetrics(ObjectProvider<MeterRegistry> registry) {
    MeterRegistry r = registry.getIfAvailable();
    return r == null ? VtpMetrics.none() : new MicrometerVtpMetrics(r);
  }
}
