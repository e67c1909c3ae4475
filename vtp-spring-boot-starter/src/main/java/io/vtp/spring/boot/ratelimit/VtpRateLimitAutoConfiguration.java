package io.vtp.spring.boot.ratelimit;

import io.vtp.spring.boot.VtpRedisAutoConfiguration;
import io.vtp.spring.boot.metrics.VtpMetrics;
import io.vtp.spring.boot.metrics.VtpMetricsAutoConfiguration;
import io.vtp.spring.boot.ratelimit.internal.RateLimitFilter;
import io.vtp.spring.boot.ratelimit.internal.RateLimitRules;
import jakarta.servlet.Filter;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.web.filter.OncePerRequestFilter;
import redis.clients.jedis.UnifiedJedis;

/**
 * Rate limiting for servlet applications from {@code vtp.ratelimit.*}: one distributed limiter per rule (one
 * {@code EVALSHA} per decision on the Redis server clock) behind one servlet filter, with IETF headers, 429 +
 * {@code Retry-After} + problem detail, and each rule's failure mode when Redis is away.
 *
 * <p>Client address: the filter keys by {@code request.getRemoteAddr()}. Behind a proxy set
 * {@code server.forward-headers-strategy} (and, with {@code native} on Tomcat, its trusted-proxy addresses) so
 * that Boot puts the client's address there; the filter never reads {@code X-Forwarded-For} itself, so a client
 * cannot pick its own bucket. Off with {@code vtp.ratelimit.enabled=false}.
 */
@AutoConfiguration(after = {VtpRedisAutoConfiguration.class, VtpMetricsAutoConfiguration.class})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({Filter.class, OncePerRequestFilter.class})
@ConditionalOnProperty(prefix = "vtp.ratelimit", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(VtpRateLimitProperties.class)
public class VtpRateLimitAutoConfiguration {

  /** Creates the configuration; Spring calls it. */
  public VtpRateLimitAutoConfiguration() {
  }

  /**
   * The compiled rules and their limiters, closed with the context.
   *
   * @param properties the {@code vtp.ratelimit.*} properties; never null
   * @param jedis the shared Redis client; never null
   * @param metrics the metrics binding, if any; never null
   * @return the rules; never null
   * @throws IllegalStateException when a rule is misconfigured (the message names the property and the rule)
   */
  @Bean(destroyMethod = "close")
  public RateLimitRules vtpRateLimitRules(VtpRateLimitProperties properties, UnifiedJedis jedis,
      ObjectProvider<VtpMetrics> metrics) {
    return RateLimitRules.build(properties, jedis, metrics.getIfAvailable(VtpMetrics::none));
  }

  /**
   * Registers the filter for every request, at {@code vtp.ratelimit.filter-order}.
   *
   * @param rules the compiled rules; never null
   * @param properties the {@code vtp.ratelimit.*} properties; never null
   * @return the registration; never null
   */
  @Bean
  public FilterRegistrationBean<RateLimitFilter> vtpRateLimitFilter(RateLimitRules rules,
      VtpRateLimitProperties properties) {
    FilterRegistrationBean<RateLimitFilter> registration =
        new FilterRegistrationBean<>(new RateLimitFilter(rules, properties.isLegacyHeaders()));
    registration.setName("vtpRateLimitFilter");
    registration.setOrder(properties.getFilterOrder());
    return registration;
  }
}
