package io.vtp.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vtp.cache.micrometer.CacheAsideMetrics;
import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClient;

@ExtendWith(VtpServers.class)
class CacheAsideMetricsIT {

  @Test
  void bindTo_exposesCacheMetersNamedLikeMicrometersAndCloseRemovesThem(RedisServer redis, KeyNamespace ns) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (RedisClient client = redis.newClient();
         CacheAside<Item> cache = RedisCacheAside.builder(client, Item.class).name("metered").keyPrefix(ns.prefix())
             .build()) {
      CacheAsideMetrics metrics = new CacheAsideMetrics(cache, Tags.of("app", "test"));
      metrics.bindTo(registry);
      cache.get("k", key -> Loaded.of(new Item("v", 1)));
      cache.get("k", key -> Loaded.of(new Item("v", 1)));
      cache.get("k", key -> Loaded.of(new Item("v", 1)));
      cache.invalidate("k");
      assertThat(registry.get("cache.gets").tags("cache", "metered", "result", "hit", "app", "test")
          .functionCounter().count()).isEqualTo(2);
      assertThat(registry.get("cache.gets").tags("result", "miss").functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("cache.puts").functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("cache.evictions").functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("cache.load").tags("result", "success").functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("cache.load.duration").functionTimer().count()).isEqualTo(1);
      assertThat(registry.get("cache.circuit.open").gauge().value()).isZero();
      assertThat(registry.get("cache.backend.errors").tags("kind", "redis").functionCounter().count()).isZero();
      metrics.close();
      assertThat(registry.find("cache.gets").meters()).isEmpty();
      assertThat(registry.getMeters()).isEmpty();
    }
  }
}
