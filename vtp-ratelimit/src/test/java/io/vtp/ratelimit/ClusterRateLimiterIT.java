package io.vtp.ratelimit;

import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisCluster;
import io.vtp.testkit.VtpServers;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VtpServers.class)
class ClusterRateLimiterIT extends RateLimiterContract {
  ClusterRateLimiterIT(RedisCluster cluster, KeyNamespace ns) {
    super(cluster, ns);
  }
}
