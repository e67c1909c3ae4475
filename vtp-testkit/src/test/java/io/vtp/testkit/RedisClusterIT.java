package io.vtp.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClusterClient;

@ExtendWith(VtpServers.class)
class RedisClusterIT {

  @Test
  void startedCluster_hasThreeMastersInStateOk(RedisCluster cluster) {
    assertThat(cluster.nodes()).hasSize(3);
    assertThat(cluster.clusterStates().values()).containsOnly("ok");
  }

  @Test
  void keys_areRoutedAcrossAllThreeNodes(RedisCluster cluster, KeyNamespace ns) {
    Set<Integer> ports = new HashSet<>();
    try (RedisClusterClient client = cluster.newClient()) {
      for (int i = 0; i < 300; i++) {
        String key = ns.key("k" + i);
        client.set(key, Integer.toString(i));
        ports.add(cluster.nodeForKey(key).port());
      }
      for (int i = 0; i < 300; i++) {
        assertThat(client.get(ns.key("k" + i))).isEqualTo(Integer.toString(i));
      }
    }
    // Every node holds some of the keys, and together exactly all of them.
    long total = 0;
    for (RedisServer node : cluster.nodes()) {
      long onNode = node.dbSize();
      assertThat(onNode).as("keys on %s", node).isPositive();
      total += onNode;
    }
    assertThat(total).isGreaterThanOrEqualTo(300);
    assertThat(ports).hasSize(3);
  }

  @Test
  void pausedMaster_takesClusterDownUntilResumed(@Dedicated RedisCluster cluster) {
    RedisServer victim = cluster.nodes().get(1);
    victim.pause();
    try {
      await("cluster_state fail").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
          .untilAsserted(() -> assertThat(cluster.clusterStates())
              .containsEntry("127.0.0.1:" + cluster.nodes().get(0).port(), "fail"));
    } finally {
      victim.resume();
    }
    cluster.awaitOk(Duration.ofSeconds(20));
    assertThat(cluster.clusterStates().values()).containsOnly("ok");
  }
}
