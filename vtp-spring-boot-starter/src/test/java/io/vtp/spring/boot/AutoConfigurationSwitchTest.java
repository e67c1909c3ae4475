package io.vtp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vtp.health.HealthRegistry;
import io.vtp.spring.boot.cache.VtpCacheAutoConfiguration;
import io.vtp.spring.boot.cache.VtpCacheManager;
import io.vtp.spring.boot.health.VtpHealthAutoConfiguration;
import io.vtp.spring.boot.metrics.VtpMetrics;
import io.vtp.spring.boot.metrics.VtpMetricsAutoConfiguration;
import io.vtp.spring.boot.ratelimit.VtpRateLimitAutoConfiguration;
import io.vtp.spring.boot.ratelimit.internal.RateLimitRules;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Each part is on by default, off with its {@code enabled} property, and backs off before the service's own bean. */
class AutoConfigurationSwitchTest {
  private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(VtpRedisAutoConfiguration.class, VtpMetricsAutoConfiguration.class,
          VtpRateLimitAutoConfiguration.class, VtpCacheAutoConfiguration.class, VtpHealthAutoConfiguration.class,
          // Boot's own: ours must come first and win, and step aside when switched off.
          CacheAutoConfiguration.class))
      .withUserConfiguration(Caching.class)
      .withBean(SimpleMeterRegistry.class)
      // Nothing listens there: the health registry's first round fails fast; nothing else calls Redis.
      .withPropertyValues("vtp.redis.url=redis://127.0.0.1:1", "vtp.cache.strict=false");

  @Test
  void everyPartIsOnByDefault() {
    runner.run(ctx -> {
      assertThat(ctx).hasNotFailed().hasSingleBean(RateLimitRules.class).hasSingleBean(VtpCacheManager.class)
          .hasSingleBean(HealthRegistry.class).hasBean("vtpLivenessHealthIndicator")
          .hasBean("vtpReadinessHealthIndicator");
      assertThat(ctx.getBean(VtpMetrics.class)).isNotSameAs(VtpMetrics.none());
    });
  }

  @Test
  void eachPartIsOffWithItsProperty() {
    runner.withPropertyValues("vtp.ratelimit.enabled=false", "vtp.cache.enabled=false", "vtp.health.enabled=false",
        "vtp.metrics.enabled=false").run(ctx -> assertThat(ctx).hasNotFailed()
            .doesNotHaveBean(RateLimitRules.class).doesNotHaveBean(VtpCacheManager.class)
            .doesNotHaveBean(HealthRegistry.class).doesNotHaveBean(VtpMetrics.class)
            .hasSingleBean(CacheManager.class));
  }

  @Test
  void theServicesOwnCacheManagerWins() {
    runner.withBean(CacheManager.class, ConcurrentMapCacheManager::new).run(ctx -> assertThat(ctx).hasNotFailed()
        .doesNotHaveBean(VtpCacheManager.class).hasSingleBean(CacheManager.class));
  }

  @Configuration(proxyBeanMethods = false)
  @EnableCaching
  static class Caching {
    @Bean
    String marker() {
      return "caching on";
    }
  }
}
