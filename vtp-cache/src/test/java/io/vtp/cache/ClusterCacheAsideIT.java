package io.vtp.cache;

import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisCluster;
import io.vtp.testkit.VtpServers;
import java.util.Collection;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisClusterCRC16;

/** The cache contract on a 3-master Redis Cluster. */
@ExtendWith(VtpServers.class)
class ClusterCacheAsideIT extends CacheAsideContract {
  private final RedisCluster cluster;
  private final KeyNamespace ns;
  private final RedisClusterClient client;

  ClusterCacheAsideIT(RedisCluster cluster, KeyNamespace ns) {
    this.cluster = cluster;
    this.ns = ns;
    this.client = cluster.newClient();
  }

  @AfterEach
  void closeClient() {
    client.close();
  }

  @Override
  protected UnifiedJedis client() {
    return client;
  }

  @Override
  protected UnifiedJedis newClient() {
    return cluster.newClient();
  }

  @Override
  protected Map<String, Long> commandCalls() {
    return cluster.commandCalls();
  }

  @Override
  protected void resetStats() {
    cluster.resetStats();
  }

  @Override
  protected String prefix() {
    return ns.prefix();
  }

  @Override
  protected int slotCount(Collection<String> redisKeys) {
    return (int) redisKeys.stream().mapToInt(JedisClusterCRC16::getSlot).distinct().count();
  }
}
