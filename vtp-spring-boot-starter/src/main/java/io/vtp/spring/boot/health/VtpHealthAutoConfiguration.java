package io.vtp.spring.boot.health;

import io.vtp.health.HealthCheck;
import io.vtp.health.HealthChecks;
import io.vtp.health.HealthRegistry;
import io.vtp.spring.boot.VtpRedisAutoConfiguration;
import io.vtp.spring.boot.health.internal.HealthReportIndicator;
import io.vtp.spring.boot.metrics.VtpMetrics;
import io.vtp.spring.boot.metrics.VtpMetricsAutoConfiguration;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.ContextClosedEvent;
import redis.clients.jedis.UnifiedJedis;

/**
 * Health from vtp-health: a {@link HealthRegistry} that runs the Redis check (and the PostgreSQL check when the
 * context has a {@link DataSource}, and every {@link HealthCheck} bean) in the background, and, with Actuator, the
 * contributors {@code vtpLiveness} (never touches a dependency) and {@code vtpReadiness} (critical checks and the
 * draining flag). Map Boot's probe groups onto them with
 * {@code management.endpoint.health.group.liveness.include=livenessState,vtpLiveness} and
 * {@code management.endpoint.health.group.readiness.include=readinessState,vtpReadiness}. The registry starts
 * draining (readiness fails) when the context closes.
 */
@AutoConfiguration(after = {VtpRedisAutoConfiguration.class, VtpMetricsAutoConfiguration.class},
    afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnProperty(prefix = "vtp.health", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(VtpHealthProperties.class)
public class VtpHealthAutoConfiguration {

  /** Creates the configuration; Spring calls it. */
  public VtpHealthAutoConfiguration() {
  }

  /**
   * The health registry, started (one round of checks) and closed with the context.
   *
   * @param properties the {@code vtp.health.*} properties; never null
   * @param redis the shared Redis client; never null
   * @param dataSource the service's data source, if any; never null
   * @param checks the service's own checks; never null
   * @param metrics the metrics binding, if any; never null
   * @return the started registry; never null
   * @throws IllegalStateException when a property breaks its rule (the message names the property)
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public HealthRegistry vtpHealthRegistry(VtpHealthProperties properties, UnifiedJedis redis,
      ObjectProvider<DataSource> dataSource, ObjectProvider<HealthCheck> checks, ObjectProvider<VtpMetrics> metrics) {
    HealthRegistry.Builder b = HealthRegistry.builder();
    if (properties.getInstanceId() != null) {
      b.instanceId(properties.getInstanceId());
    }
    b.interval(required("vtp.health.interval", properties.getInterval()))
        .timeout(required("vtp.health.timeout", properties.getTimeout()))
        .register(HealthChecks.redis("redis", redis,
            required("vtp.health.redis-criticality", properties.getRedisCriticality())));
    DataSource ds = dataSource.getIfUnique();
    if (ds != null) {
      b.register(HealthChecks.postgres("postgresql", ds,
          required("vtp.health.postgres-criticality", properties.getPostgresCriticality())));
    }
    checks.orderedStream().forEach(b::register);
    HealthRegistry registry;
    try {
      registry = b.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IllegalStateException("vtp.health: " + e.getMessage(), e);
    }
    registry.start();
    metrics.getIfAvailable(VtpMetrics::none).bindHealth("vtp", registry);
    return registry;
  }

  /**
   * Flips readiness to failing as soon as the context starts closing, so a load balancer stops sending requests
   * while in-flight ones finish.
   *
   * @param registry the registry; never null
   * @return the listener; never null
   */
  @Bean
  public ApplicationListener<ContextClosedEvent> vtpHealthDrainOnClose(HealthRegistry registry) {
    return event -> registry.startDraining();
  }

  private static <T> T required(String property, T value) {
    if (value == null) {
      throw new IllegalStateException(property + ": must be set");
    }
    if (value instanceof Duration d && (d.isNegative() || d.isZero())) {
      throw new IllegalStateException(property + ": must be > 0 but was " + d);
    }
    return value;
  }

  /** The Actuator contributors, when Actuator's health is on the class path. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  public static class Contributors {

    /** Creates the configuration; Spring calls it. */
    public Contributors() {
    }

    /**
     * The liveness view as contributor {@code vtpLiveness}.
     *
     * @param registry the registry; never null
     * @return the indicator; never null
     */
    @Bean
    @ConditionalOnMissingBean(name = "vtpLivenessHealthIndicator")
    public HealthIndicator vtpLivenessHealthIndicator(HealthRegistry registry) {
      return new HealthReportIndicator(registry, HealthRegistry::liveness);
    }

    /**
     * The readiness view as contributor {@code vtpReadiness}.
     *
     * @param registry the registry; never null
     * @return the indicator; never null
     */
    @Bean
    @ConditionalOnMissingBean(name = "vtpReadinessHealthIndicator")
    public HealthIndicator vtpReadinessHealthIndicator(HealthRegistry registry) {
      return new HealthReportIndicator(registry, HealthRegistry::readiness);
    }
  }
}
