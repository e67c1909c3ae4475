package io.vtp.spring.boot.session;

import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisCluster;
import io.vtp.testkit.VtpServers;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VtpServers.class)
class ClusterSpringSessionIT extends SpringSessionContract {
  ClusterSpringSessionIT(RedisCluster cluster, KeyNamespace ns) {
    super(cluster, cluster.nodes(), "redis-cluster://" + cluster.hostAndPorts().stream().map(h -> h.getHost() + ":" + h.getPort())
        .collect(Collectors.joining(",")), ns.prefix());
  }
}
