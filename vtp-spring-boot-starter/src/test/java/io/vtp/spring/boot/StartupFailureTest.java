package io.vtp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.vtp.spring.boot.cache.VtpCacheAutoConfiguration;
import io.vtp.spring.boot.internal.VtpPropertyFailureAnalyzer;
import io.vtp.spring.boot.ratelimit.VtpRateLimitAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Misconfiguration fails at start-up with one message naming the property and the rule. No Redis is reached: the
 * checks run before any command.
 */
class StartupFailureTest {
  private static final String NO_REDIS = "vtp.redis.url=redis://127.0.0.1:1";

  private final WebApplicationContextRunner web = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(VtpRedisAutoConfiguration.class,
          VtpRateLimitAutoConfiguration.class));
  private final ApplicationContextRunner caching = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(VtpRedisAutoConfiguration.class, VtpCacheAutoConfiguration.class));


  /** The message the operator reads: the first in the cause chain that names a vtp.* property. */
  private static String vtpMessage(Throwable failure) {
    assertThat(failure).as("start-up failure").isNotNull();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().startsWith("vtp.")) {
        return t.getMessage();
      }
    }
    throw new AssertionError("no message names a vtp.* property", failure);
  }

  @Test
  void rateLimit_zeroLimitNamesTheProperty() {
    web.withPropertyValues(NO_REDIS, "vtp.ratelimit.rules.api.paths=/api/**", "vtp.ratelimit.rules.api.limit=0",
        "vtp.ratelimit.rules.api.window=1m").run(ctx -> {
          assertThat(ctx).hasFailed();
          assertThat(vtpMessage(ctx.getStartupFailure()))
              .isEqualTo("vtp.ratelimit.rules.api.limit: must be > 0 but was 0");
          // What Boot prints: that one message, and the property to change.
          FailureAnalysis analysis = new VtpPropertyFailureAnalyzer().analyze(ctx.getStartupFailure());
          assertThat(analysis.getDescription()).isEqualTo("vtp.ratelimit.rules.api.limit: must be > 0 but was 0");
          assertThat(analysis.getAction()).contains("'vtp.ratelimit.rules.api.limit'");
        });
  }

  @Test
  void rateLimit_ruleWithoutPathsOrWithBadBurstNamesTheProperty() {
    web.withPropertyValues(NO_REDIS, "vtp.ratelimit.rules.api.limit=10", "vtp.ratelimit.rules.api.window=1m")
        .run(ctx -> assertThat(vtpMessage(ctx.getStartupFailure()))
            .startsWith("vtp.ratelimit.rules.api.paths: must list at least one path pattern"));
    web.withPropertyValues(NO_REDIS, "vtp.ratelimit.rules.api.paths=/api/**", "vtp.ratelimit.rules.api.limit=10",
        "vtp.ratelimit.rules.api.window=1m", "vtp.ratelimit.rules.api.burst=0")
        .run(ctx -> assertThat(vtpMessage(ctx.getStartupFailure()))
            .startsWith("vtp.ratelimit.rules.api: rate limit 'api': burst must be > 0"));
  }

  @Test
  void redis_missingUrlNamesTheProperty() {
    web.withPropertyValues("vtp.ratelimit.rules.api.paths=/api/**")
        .run(ctx -> assertThat(vtpMessage(ctx.getStartupFailure())).startsWith("vtp.redis.url: required"));
  }

  @Test
  void cache_unknownNameInStrictModeNamesThePropertyAndTheMethod() {
    caching.withUserConfiguration(Cached.class)
        .withPropertyValues(NO_REDIS, "vtp.cache.caches.items.type=java.lang.String")
        .run(ctx -> assertThat(vtpMessage(ctx.getStartupFailure()))
            .startsWith("vtp.cache.caches.nope: not configured, but ")
            .contains("Cached$Service.find uses cache 'nope'"));
    caching.withUserConfiguration(Cached.class)
        .withPropertyValues(NO_REDIS, "vtp.cache.strict=false", "vtp.cache.caches.items.type=java.lang.String")
        .run(ctx -> assertThat(ctx).hasNotFailed());
  }

  @Test
  void cache_missingOrUnknownTypeNamesTheProperty() {
    caching.withUserConfiguration(Cached.class)
        .withPropertyValues(NO_REDIS, "vtp.cache.strict=false", "vtp.cache.caches.items.ttl=10m")
        .run(ctx -> assertThat(vtpMessage(ctx.getStartupFailure()))
            .startsWith("vtp.cache.caches.items.type: must be set"));
    caching.withUserConfiguration(Cached.class)
        .withPropertyValues(NO_REDIS, "vtp.cache.strict=false", "vtp.cache.caches.items.type=com.example.Nope")
        .run(ctx -> assertThat(vtpMessage(ctx.getStartupFailure()))
            .startsWith("vtp.cache.caches.items.type: 'com.example.Nope' is not a loadable type"));
    caching.withUserConfiguration(Cached.class)
        .withPropertyValues(NO_REDIS, "vtp.cache.strict=false", "vtp.cache.caches.items.type=java.lang.String",
            "vtp.cache.caches.items.ttl=0s")
        .run(ctx -> assertThat(vtpMessage(ctx.getStartupFailure()))
            .isEqualTo("vtp.cache.caches.items: cache 'items': ttl must be > 0 but was PT0S"));
  }

  @Configuration(proxyBeanMethods = false)
  @EnableCaching
  static class Cached {
    @Bean
    Service service() {
      return new Service();
    }

    static class Service {
      @Cacheable("nope")
      public String find(String id) {
        return id;
      }
    }
  }
}
