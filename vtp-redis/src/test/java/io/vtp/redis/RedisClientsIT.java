package io.vtp.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vtp.testkit.Dedicated;
import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisCluster;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.time.Duration;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/** Clients built from URLs against real servers. */
@ExtendWith(VtpServers.class)
class RedisClientsIT {

  @Test
  void create_standaloneUrlReachesTheServerWithItsClientName(RedisServer redis, KeyNamespace ns) {
    RedisUrl url = RedisUrl.parse("redis://" + redis.host() + ":" + redis.port() + "/0");
    try (UnifiedJedis client = RedisClients.create(url, RedisClientOptions.builder().clientName("svc-1").build())) {
      client.set(ns.key("a"), "1");
      assertThat(client.get(ns.key("a"))).isEqualTo("1");
      try (Jedis admin = new Jedis(redis.hostAndPort(), redis.clientConfig())) {
        assertThat(admin.clientList()).contains("name=svc-1");
      }
    }
  }

  @Test
  void create_fromAStringUsesTheDefaults(RedisServer redis, KeyNamespace ns) {
    try (UnifiedJedis client = RedisClients.create("redis://" + redis.host() + ":" + redis.port())) {
      assertThat(client.incr(ns.key("n"))).isEqualTo(1L);
    }
  }

  @Test
  void create_clusterUrlRoutesKeysToEveryMaster(RedisCluster cluster, KeyNamespace ns) {
    String nodes = cluster.nodes().stream().map(n -> n.host() + ":" + n.port()).collect(Collectors.joining(","));
    try (UnifiedJedis client = RedisClients.create(RedisUrl.parse("redis-cluster://" + nodes),
        RedisClientOptions.defaults());
        RedisClusterClient check = cluster.newClient()) {
      for (int i = 0; i < 30; i++) {
        client.set(ns.key("k" + i), "v" + i);
      }
      for (int i = 0; i < 30; i++) {
        assertThat(check.get(ns.key("k" + i))).isEqualTo("v" + i);
      }
      for (RedisServer node : cluster.nodes()) {
        assertThat(node.commandCalls()).containsKey("set");
      }
    }
  }

  @Test
  void create_hungServerCostsTheSocketTimeoutNotAHang(@Dedicated RedisServer redis) {
    RedisClientOptions options = RedisClientOptions.builder().socketTimeout(Duration.ofMillis(200)).build();
    try (UnifiedJedis client = RedisClients.create(
        RedisUrl.parse("redis://" + redis.host() + ":" + redis.port()), options)) {
      client.ping();
      redis.pause();
      try {
        assertThatThrownBy(client::ping).isInstanceOf(JedisException.class);
      } finally {
        redis.resume();
      }
    }
  }

  /** The rule of every module: a required value never set is IllegalStateException; these options have none. */
  @Test
  void options_nothingSet_buildsFromFiniteDefaults() {
    RedisClientOptions o = RedisClientOptions.builder().build();
    assertThat(o).isEqualTo(RedisClientOptions.defaults());
    assertThat(o.socketTimeout()).isPositive();
  }

  @Test
  void options_rejectBadValuesNamingTheField() {
    assertThatThrownBy(() -> RedisClientOptions.builder().poolSize(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("redis client: poolSize must be from 1 to 10000 but was 0");
    assertThatThrownBy(() -> RedisClientOptions.builder().minIdle(17).build())
        .hasMessageContaining("minIdle must be from 0 to poolSize (16) but was 17");
    assertThatThrownBy(() -> RedisClientOptions.builder().socketTimeout(Duration.ZERO).build())
        .hasMessageContaining("socketTimeout must be from 1 ms to 1 min");
    assertThatThrownBy(() -> RedisClientOptions.builder().poolWait(null).build())
        .isInstanceOf(NullPointerException.class).hasMessage("poolWait");
    assertThatThrownBy(() -> RedisClientOptions.builder().clientName("a b").build())
        .hasMessageContaining("clientName must be printable ASCII without spaces");
  }

  @Test
  void parse_messagesNameTheSourceAndNeverThePassword() {
    assertThatThrownBy(() -> RedisUrl.parse("CACHE_URL", "http://u:s3cret@h:1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("CACHE_URL must start with redis://")
        .hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> RedisUrl.parse("redis://h:1/-1")).hasMessageContaining("must be a number >= 0");
    assertThatThrownBy(() -> RedisUrl.parse("redis-sentinel://s1:26379/ ")).hasMessageContaining("/<master name>");
    assertThat(RedisUrl.parse("rediss://user:p%40ss@h:6380").password()).isEqualTo("p@ss");
    assertThat(RedisUrl.parse("redis://:pw@h:1").toString()).doesNotContain("pw");
  }
}
