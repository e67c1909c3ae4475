package io.vtp.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisCluster;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;

@ExtendWith(VtpServers.class)
class RedisScriptIT {
  private final RedisScript script = RedisScript.fromResource(RedisScriptIT.class, "incr-by.lua");

  @Test
  void sha1_matchesTheServersOwn(RedisServer redis) {
    try (RedisClient client = redis.newClient()) {
      assertThat(client.scriptLoad(script.source())).isEqualTo(script.sha1());
    }
  }

  @Test
  void eval_isOneEvalshaOnceTheScriptIsKnown(RedisServer redis, KeyNamespace ns) {
    try (RedisClient client = redis.newClient()) {
      client.scriptFlush();
      redis.resetStats();
      assertThat(script.eval(client, List.of(ns.key("c")), List.of("2"))).isEqualTo(2L);
      // First call: EVALSHA answered NOSCRIPT, then one EVAL.
      assertThat(redis.commandCalls()).containsEntry("evalsha", 1L).containsEntry("eval", 1L);
      redis.resetStats();
      assertThat(script.eval(client, List.of(ns.key("c")), List.of("3"))).isEqualTo(5L);
      assertThat(redis.commandCalls()).containsEntry("evalsha", 1L).doesNotContainKey("eval");
    }
  }

  @Test
  void eval_worksOnEveryClusterNode(RedisCluster cluster, KeyNamespace ns) {
    try (RedisClusterClient client = cluster.newClient()) {
      for (int i = 0; i < 30; i++) {
        assertThat(script.eval(client, List.of(ns.key("n" + i)), List.of("1"))).isEqualTo(1L);
      }
      for (RedisServer node : cluster.nodes()) {
        assertThat(node.commandCalls()).containsKey("evalsha");
      }
    }
  }

  @Test
  void fromResource_missingResourceNamesIt() {
    assertThatThrownBy(() -> RedisScript.fromResource(RedisScriptIT.class, "nope.lua"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope.lua");
  }
}
