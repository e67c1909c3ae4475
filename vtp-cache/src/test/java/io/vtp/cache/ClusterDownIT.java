package io.vtp.cache;

import io.vtp.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vtp.testkit.Dedicated;
import io.vtp.testkit.RedisCluster;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClusterClient;

/**
 * A master of a 3-master cluster frozen (SIGSTOP): after cluster-node-timeout every node answers CLUSTERDOWN, for
 * keys on healthy nodes too. Reads are served from the loader; after the master returns, the cache is used again.
 * A cluster of this class's own.
 */
@ExtendWith(VtpServers.class)
class ClusterDownIT {

  @Test
  void get_clusterDown_readsComeFromTheLoaderAndTheCacheReturnsWithTheCluster(@Dedicated RedisCluster cluster)
      throws Exception {
    MutableClock clock = MutableClock.startingNow();
    RedisServer healthy = cluster.nodes().get(0);
    String key = firstKeyOn(cluster, healthy);
    RedisServer frozen = cluster.nodes().get(1);
    try (RedisClusterClient client = RedisClusterClient.builder().nodes(cluster.hostAndPorts())
             .clientConfig(healthy.clientConfig(Duration.ofMillis(200))).maxAttempts(2)
             .maxTotalRetriesDuration(Duration.ofMillis(400)).build();
         CacheAside<Item> cache = RedisCacheAside.builder(client, Item.class).name("clusterdown").clock(clock)
             .circuitBreaker(3, Duration.ofSeconds(5)).build()) {
      AtomicInteger loads = new AtomicInteger();
      cache.get(key, CacheAsideContract.counting(loads, new Item("v", 1)));
      frozen.pause();
      try {
        await("cluster_state fail").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
            .until(() -> "fail".equals(cluster.clusterStates().get(healthy.host() + ":" + healthy.port())));
        for (int i = 0; i < 10; i++) {
          assertThat(cache.get(key, CacheAsideContract.counting(loads, new Item("v", 1)))).contains(new Item("v", 1));
        }
      } finally {
        frozen.resume();
      }
      assertThat(loads).hasValue(11);
      assertThat(cache.stats().backendErrors()).isEqualTo(3);
      assertThat(cache.stats().circuitOpen()).isTrue();

      cluster.awaitOk(Duration.ofSeconds(30));
      clock.advance(Duration.ofSeconds(6));
      long hits = cache.stats().hits();
      assertThat(cache.get(key, CacheAsideContract.counting(loads, new Item("v", 1)))).contains(new Item("v", 1));
      assertThat(cache.stats().hits()).isEqualTo(hits + 1); // the entry on the healthy node is served again
      assertThat(loads).hasValue(11);
      assertThat(cache.stats().circuitOpen()).isFalse();
    }
  }

  /** A cache key whose entry lives on {@code node}. */
  private static String firstKeyOn(RedisCluster cluster, RedisServer node) {
    for (int i = 0; ; i++) {
      String key = "k" + i;
      if (cluster.nodeForKey("vtp:cache:clusterdown:{" + key + "}").equals(node)) {
        return key;
      }
    }
  }
}
