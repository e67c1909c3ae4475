package io.vtp.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vtp.cache.micrometer.CacheMetrics;
import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClient;

@ExtendWith(VtpServers.class)
class CacheMetricsIT {

  @Test
  void create_exposesCacheMetersNamedLikeMicrometersAndCloseRemovesThem(RedisServer redis, KeyNamespace ns) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (RedisClient client = redis.newClient();
         CacheAside<Item> cache = RedisCacheAside.builder(client, Item.class).name("metered").keyPrefix(ns.prefix())
             .build()) {
      CacheMetrics metrics = CacheMetrics.create(registry, cache.name(), cache);
      cache.get("k", key -> Loaded.of(new Item("v", 1)));
      cache.get("k", key -> Loaded.of(new Item("v", 1)));
      cache.get("k", key -> Loaded.of(new Item("v", 1)));
      cache.invalidate("k");
      assertThat(registry.get("vtp.cache.gets").tags("name", "metered", "result", "hit")
          .functionCounter().count()).isEqualTo(2);
      assertThat(registry.get("vtp.cache.gets").tags("result", "miss").functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("vtp.cache.puts").functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("vtp.cache.evictions").functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("vtp.cache.load").tags("result", "success").functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("vtp.cache.load.duration").functionTimer().count()).isEqualTo(1);
      assertThat(registry.get("vtp.cache.circuit.open").gauge().value()).isZero();
      assertThat(registry.get("vtp.cache.backend.errors").tags("kind", "redis").functionCounter().count()).isZero();
      assertThat(registry.getMeters()).allSatisfy(m -> assertThat(m.getId().getTag("name")).isEqualTo("metered"));
      metrics.close();
      assertThat(registry.find("vtp.cache.gets").meters()).isEmpty();
      assertThat(registry.getMeters()).isEmpty();
    }
  }

  @Test
  void create_rejectsAMissingOrBlankName(RedisServer redis, KeyNamespace ns) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (RedisClient client = redis.newClient();
         CacheAside<Item> cache = RedisCacheAside.builder(client, Item.class).name("metered").keyPrefix(ns.prefix())
             .build()) {
      assertThatThrownBy(() -> CacheMetrics.create(registry, null, cache)).isInstanceOf(NullPointerException.class)
          .hasMessage("name");
      assertThatThrownBy(() -> CacheMetrics.create(registry, "metered", null))
          .isInstanceOf(NullPointerException.class).hasMessage("cache");
      assertThatThrownBy(() -> CacheMetrics.create(registry, " ", cache)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("name must not be blank");
      assertThat(registry.getMeters()).isEmpty();
    }
  }
}
