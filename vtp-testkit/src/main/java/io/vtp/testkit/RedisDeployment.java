package io.vtp.testkit;

import java.util.Collection;
import java.util.Map;
import redis.clients.jedis.UnifiedJedis;

/**
 * What a contract test needs of a Redis deployment, standalone ({@link RedisServer}) or a cluster
 * ({@link RedisCluster}), so that one suite runs against both:
 *
 * <pre>{@code
 * abstract class MyStoreContract {
 *   final RedisDeployment redis;
 *   MyStoreContract(RedisDeployment redis) { this.redis = redis; }
 *   @Test void findIsOneRoundTrip() { ... redis.resetStats(); ... assertThat(redis.commandCalls()) ... }
 * }
 * @ExtendWith(VtpServers.class)
 * class ClusterMyStoreIT extends MyStoreContract {
 *   ClusterMyStoreIT(RedisCluster cluster) { super(cluster); }
 * }
 * }</pre>
 *
 * <p>Implementations are thread-safe.
 */
public interface RedisDeployment {
  /**
   * Returns a new client with finite timeouts; the caller closes it.
   *
   * @return the client; never {@code null}
   */
  UnifiedJedis newClient();

  /**
   * Returns the server-side command counts ({@code INFO commandstats}) since the last {@link #resetStats()}, summed
   * over every node, lower-case command name to calls.
   *
   * @return the counts; never {@code null}
   */
  Map<String, Long> commandCalls();

  /** Resets the command counts of every node ({@code CONFIG RESETSTAT}). */
  void resetStats();

  /**
   * Returns how many hash slots the keys fall into on this deployment: 1 on a standalone server (for any non-empty
   * collection), the number of distinct slots on a cluster.
   *
   * @param keys Redis keys
   * @return the slot count, 0 for no keys
   * @throws NullPointerException when {@code keys} is null
   */
  int slotCount(Collection<String> keys);
}
