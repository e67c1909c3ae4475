package io.vtp.cache;

import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisCluster;
import io.vtp.testkit.VtpServers;
import org.junit.jupiter.api.extension.ExtendWith;

/** The cache contract on a 3-master Redis Cluster. */
@ExtendWith(VtpServers.class)
class ClusterCacheAsideIT extends CacheAsideContract {
  ClusterCacheAsideIT(RedisCluster cluster, KeyNamespace ns) {
    super(cluster, ns);
  }
}
