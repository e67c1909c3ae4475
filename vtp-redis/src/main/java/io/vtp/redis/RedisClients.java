package io.vtp.app.config;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * Builds the Jedis client for a {@link RedisUrl} with finite timeouts everywhere: connect, command and pool wait
 * (Jedis' pool waits forever by default, which turns a Redis hang into a request hang).
 */
public final class RedisClients {
  private RedisClients() {}

  /**
   * Creates a client.
   *
   * @param url the deployment
   * @param poolSize connections per node
   * @param minIdle idle connections kept per node
   * @param commandTimeout connect and socket timeout
   * @param clientName the {@code CLIENT SETNAME} value, e.g. the instance id
   * @return a new client the caller closes
   */
  public static UnifiedJedis create(RedisUrl url, int poolSize, int minIdle, Duration commandTimeout,
      String clientName) {
    int millis = Math.toIntExact(commandTimeout.toMillis());
    DefaultJedisClientConfig.Builder cb = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(millis)
        .socketTimeoutMillis(millis)
        .clientName(clientName);
    if (url.tls()) {
      cb.sslOptions(redis.clients.jedis.SslOptions.defaults());
    }
    if (url.user() != null) {
      cb.user(url.user());
    }
    if (url.password() != null) {
      cb.password(url.password());
    }
    if (url.mode() == RedisUrl.Mode.STANDALONE) {
      cb.database(url.database());
    }
    JedisClientConfig config = cb.build();
    GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
    pool.setMaxTotal(poolSize);
    pool.setMaxIdle(poolSize);
    pool.setMinIdle(minIdle);
    pool.setMaxWait(commandTimeout.multipliedBy(2));
    pool.setBlockWhenExhausted(true);
    pool.setTestWhileIdle(true);
    pool.setTimeBetweenEvictionRuns(Duration.ofSeconds(30));
    Set<HostAndPort> nodes = new LinkedHashSet<>();
    url.nodes().forEach(n -> nodes.add(HostAndPort.from(n)));
    switch (url.mode()) {
      case CLUSTER:
        return RedisClusterClient.builder().nodes(nodes).clientConfig(config).poolConfig(pool)
            .maxAttempts(3).maxTotalRetriesDuration(commandTimeout.multipliedBy(3)).build();
      case SENTINEL:
        return RedisSentinelClient.builder().masterName(url.master()).sentinels(nodes)
            .sentinelClientConfig(DefaultJedisClientConfig.builder().connectionTimeoutMillis(millis)
                .socketTimeoutMillis(millis).build())
            .clientConfig(config).poolConfig(pool).build();
      default:
        return RedisClient.builder().hostAndPort(nodes.iterator().next()).clientConfig(config).poolConfig(pool).build();
    }
  }
}
