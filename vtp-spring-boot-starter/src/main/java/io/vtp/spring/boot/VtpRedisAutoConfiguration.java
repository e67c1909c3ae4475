package io.vtp.spring.boot;

import io.vtp.redis.RedisClientOptions;
import io.vtp.redis.RedisClients;
import io.vtp.redis.RedisUrl;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import redis.clients.jedis.UnifiedJedis;

/**
 * The one Redis client every other part of the starter uses, built from {@code vtp.redis.url} (standalone
 * {@code redis://}, {@code rediss://} or {@code redis-cluster://}, as {@link RedisUrl} parses it).
 *
 * <p>A service that already has a {@link UnifiedJedis} bean keeps its own: this configuration backs off.
 */
@AutoConfiguration
@EnableConfigurationProperties(VtpRedisProperties.class)
public class VtpRedisAutoConfiguration {

  /** Creates the configuration; Spring calls it. */
  public VtpRedisAutoConfiguration() {
  }

  /**
   * The shared Redis client, closed with the application context.
   *
   * @param properties the {@code vtp.redis.*} properties; never null
   * @return the client; never null
   * @throws IllegalStateException if {@code vtp.redis.url} is missing or malformed (the message names the property)
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public UnifiedJedis vtpRedisClient(VtpRedisProperties properties) {
    String url = properties.getUrl();
    if (url == null || url.isBlank()) {
      throw new IllegalStateException("vtp.redis.url: required (for example redis://127.0.0.1:6379)");
    }
    RedisUrl parsed;
    try {
      parsed = RedisUrl.parse("vtp.redis.url", url);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    return RedisClients.create(parsed, RedisClientOptions.defaults());
  }
}
