package io.vtp.spring.boot.cache;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vtp.spring.boot.VtpRedisAutoConfiguration;
import io.vtp.spring.boot.cache.internal.CacheFactory;
import io.vtp.spring.boot.cache.internal.CacheNameCheck;
import io.vtp.spring.boot.cache.internal.CacheOverloadResolver;
import io.vtp.spring.boot.metrics.VtpMetrics;
import io.vtp.spring.boot.metrics.VtpMetricsAutoConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cache.CacheManager;
import org.springframework.cache.interceptor.CacheOperationSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.HandlerExceptionResolver;
import redis.clients.jedis.UnifiedJedis;

/**
 * The Spring {@link CacheManager} of a service with {@code @EnableCaching}, from {@code vtp.cache.*}: a
 * {@link VtpCacheManager} with one vtp-cache cache per configured name, each bound to the metrics. Backs off when
 * the service defines its own {@code CacheManager}, or with {@code vtp.cache.enabled=false}.
 *
 * <p>Values are JSON (Jackson 2, vtp-cache's locked-down copy of the service's
 * {@code com.fasterxml.jackson.databind.ObjectMapper} bean if there is one, else a plain mapper) read back as the
 * type declared per cache; never Java serialization, never default typing.
 */
@AutoConfiguration(after = {VtpRedisAutoConfiguration.class, VtpMetricsAutoConfiguration.class},
    beforeName = "org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration")
@ConditionalOnClass(CacheManager.class)
@ConditionalOnBean(type = "org.springframework.cache.interceptor.CacheAspectSupport")
@ConditionalOnMissingBean(CacheManager.class)
@ConditionalOnProperty(prefix = "vtp.cache", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(VtpCacheProperties.class)
public class VtpCacheAutoConfiguration {

  /** Creates the configuration; Spring calls it. */
  public VtpCacheAutoConfiguration() {
  }

  /**
   * The cache manager, closed with the context.
   *
   * @param properties the {@code vtp.cache.*} properties; never null
   * @param redis the shared Redis client; never null
   * @param mapper the service's Jackson 2 mapper, if any; never null
   * @param metrics the metrics binding, if any; never null
   * @return the manager; never null
   * @throws IllegalStateException when a cache is misconfigured (the message names the property and the rule)
   */
  @Bean(destroyMethod = "close")
  public VtpCacheManager cacheManager(VtpCacheProperties properties, UnifiedJedis redis,
      ObjectProvider<ObjectMapper> mapper, ObjectProvider<VtpMetrics> metrics) {
    return new VtpCacheManager(CacheFactory.build(properties, redis, mapper.getIfUnique(),
        metrics.getIfAvailable(VtpMetrics::none)));
  }

  /**
   * Strict mode's start-up check of the cache names used by caching annotations.
   *
   * @param beans the bean factory; never null
   * @param source Spring's cache operation source; never null
   * @param properties the {@code vtp.cache.*} properties; never null
   * @return the check; never null
   */
  @Bean
  @ConditionalOnProperty(prefix = "vtp.cache", name = "strict", matchIfMissing = true)
  public CacheNameCheck vtpCacheNameCheck(ConfigurableListableBeanFactory beans,
      ObjectProvider<CacheOperationSource> source, VtpCacheProperties properties) {
    return new CacheNameCheck(beans, source, properties.getCaches().keySet());
  }

  /** Servlet applications: a Redis outage with a full bypass answers 503 + Retry-After, not 500. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(HandlerExceptionResolver.class)
  public static class WebErrors {

    /** Creates the configuration; Spring calls it. */
    public WebErrors() {
    }

    /**
     * The resolver for {@code CacheOverloadedException}.
     *
     * @return the resolver; never null
     */
    @Bean
    @ConditionalOnMissingBean
    public CacheOverloadResolver vtpCacheOverloadResolver() {
      return new CacheOverloadResolver();
    }
  }
}
