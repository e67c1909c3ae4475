package io.vtp.bench;

import io.vtp.testkit.RedisServer;
import io.vtp.testkit.TestServers;
import java.time.Duration;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import redis.clients.jedis.Connection;
import redis.clients.jedis.RedisClient;

/**
 * The Redis every benchmark in a fork shares: the one named by {@code VTP_TEST_REDIS_URL}, or a
 * {@code redis-server} the testkit starts on a free loopback port. One pooled {@link RedisClient} (16
 * connections, 2 s timeouts) is shared by all contenders, so ratios compare code paths, not clients.
 *
 * <p>Benchmarks take it as a {@code @State(Scope.Benchmark)} parameter.
 */
@State(Scope.Benchmark)
public class BenchRedis {
  /** Key holding a 100-byte value, for the raw GET floor. */
  public static final String GET_KEY = "bench:raw:get";

  private TestServers servers;
  private RedisServer redis;
  private RedisClient client;

  /** Starts (or connects to) Redis and opens the shared client. */
  @Setup(Level.Trial)
  public void start() {
    servers = TestServers.create();
    redis = servers.redis();
    GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
    pool.setMaxTotal(16);
    pool.setMaxIdle(16);
    pool.setMinIdle(8);
    pool.setMaxWait(Duration.ofSeconds(2));
    client = RedisClient.builder()
        .hostAndPort(redis.hostAndPort())
        .clientConfig(redis.clientConfig(Duration.ofSeconds(2)))
        .poolConfig(pool)
        .build();
    client.set(GET_KEY, "x".repeat(100));
  }

  /** Closes the client and stops what the testkit started. */
  @TearDown(Level.Trial)
  public void stop() {
    client.close();
    servers.close();
  }

  /** Returns the shared pooled client. */
  public RedisClient client() {
    return client;
  }

  /** Returns the server, for counting commands per operation. */
  public RedisServer server() {
    return redis;
  }
}
