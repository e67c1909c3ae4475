package io.vtp.ratelimit;

import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisCluster;
import io.vtp.testkit.VtpServers;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.UnifiedJedis;

@ExtendWith(VtpServers.class)
class ClusterRateLimiterIT extends RateLimiterContract {
  private final RedisCluster cluster;
  private final KeyNamespace ns;

  ClusterRateLimiterIT(RedisCluster cluster, KeyNamespace ns) {
    this.cluster = cluster;
    this.ns = ns;
  }

  @Override
  UnifiedJedis newClient() {
    return cluster.newClient();
  }

  @Override
  Map<String, Long> commandCalls() {
    return cluster.commandCalls();
  }

  @Override
  void resetStats() {
    cluster.resetStats();
  }

  @Override
  String prefix() {
    return ns.prefix();
  }
}
