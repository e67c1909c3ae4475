package io.vtp.redis;

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
 * (Jedis' pool waits forever by default, which turns a Redis hang into a request hang). One client serves a whole
 * application: share it between the session store, the rate limiter, the cache and the health check.
 *
 * <pre>{@code
 * UnifiedJedis redis = RedisClients.create(RedisUrl.parse("REDIS_URL", System.getenv("REDIS_URL")),
 *     RedisClientOptions.builder().poolSize(32).clientName("orders-1").build());
 * }</pre>
 *
 * <p>Stateless and thread-safe; the returned clients are thread-safe too.
 */
public final class RedisClients {
  private RedisClients() {}

  /**
   * Creates a client for a URL with the {@linkplain RedisClientOptions#defaults() default options}.
   *
   * @param url a URL in one of the forms {@link RedisUrl} accepts
   * @return a new client the caller closes; never {@code null}
   * @throws NullPointerException when {@code url} is null
   * @throws IllegalArgumentException when the URL fits no form
   */
  public static UnifiedJedis create(String url) {
    return create(RedisUrl.parse(url), RedisClientOptions.defaults());
  }

  /**
   * Creates a client. Connects lazily: an unreachable server fails the first command, not this call (for Redis
   * Cluster, Jedis reads the slot map here, so an unreachable cluster fails this call with a {@code
   * JedisException}).
   *
   * @param url the deployment
   * @param options pool size, timeouts and client name
   * @return a new client the caller closes; never {@code null}
   * @throws NullPointerException when an argument is null
   * @throws redis.clients.jedis.exceptions.JedisException when Redis Cluster seed nodes cannot be reached
   */
  public static UnifiedJedis create(RedisUrl url, RedisClientOptions options) {
    java.util.Objects.requireNonNull(url, "url");
    java.util.Objects.requireNonNull(options, "options");
    int connectMillis = Math.toIntExact(options.connectTimeout().toMillis());
    int socketMillis = Math.toIntExact(options.socketTimeout().toMillis());
    DefaultJedisClientConfig.Builder cb = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(connectMillis)
        .socketTimeoutMillis(socketMillis)
        .clientName(options.clientName());
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
    pool.setMaxTotal(options.poolSize());
    pool.setMaxIdle(options.poolSize());
    pool.setMinIdle(options.minIdle());
    pool.setMaxWait(options.poolWait());
    pool.setBlockWhenExhausted(true);
    pool.setTestWhileIdle(true);
    pool.setTimeBetweenEvictionRuns(Duration.ofSeconds(30));
    Set<HostAndPort> nodes = new LinkedHashSet<>();
    url.nodes().forEach(n -> nodes.add(HostAndPort.from(n)));
    switch (url.mode()) {
      case CLUSTER:
        return RedisClusterClient.builder().nodes(nodes).clientConfig(config).poolConfig(pool)
            .maxAttempts(3).maxTotalRetriesDuration(options.socketTimeout().multipliedBy(3)).build();
      case SENTINEL:
        return RedisSentinelClient.builder().masterName(url.master()).sentinels(nodes)
            .sentinelClientConfig(DefaultJedisClientConfig.builder().connectionTimeoutMillis(connectMillis)
                .socketTimeoutMillis(socketMillis).build())
            .clientConfig(config).poolConfig(pool).build();
      default:
        return RedisClient.builder().hostAndPort(nodes.iterator().next()).clientConfig(config).poolConfig(pool).build();
    }
  }
}
