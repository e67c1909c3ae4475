package io.vtp.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vtp.session.internal.SessionIds;
import io.vtp.session.micrometer.SessionStoreMetrics;
import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClient;

@ExtendWith(VtpServers.class)
class SessionStoreMetricsIT {

  @Test
  void operations_areCountedByOutcome_withNoIdsInTags(RedisServer redis, KeyNamespace ns) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SessionStoreMetrics metrics = SessionStoreMetrics.create(registry, "web");
    try (RedisClient client = redis.newClient()) {
      SessionStore store = RedisSessionStore.builder(client).name("web").keyPrefix(ns.prefix()).listener(metrics)
          .maxSessionsPerUser(1).build();
      Session s = store.create("dave", Map.of());
      store.find(s.id());
      store.find("malformed");
      Session t = store.create("dave", Map.of()); // evicts s
      client.hset(SessionIds.keys(ns.prefix(), SessionIds.userTag("dave")).get(0), "d:" + SessionIds.hash(t.id()),
          "garbage");
      store.find(t.id());

      assertThat(registry.get("vtp.session.operations").tags("name", "web", "operation", "find", "outcome", "success")
          .timer().count()).isEqualTo(1);
      assertThat(registry.get("vtp.session.operations").tags("operation", "find", "outcome", "miss").timer().count())
          .isEqualTo(2);
      assertThat(registry.get("vtp.session.operations").tags("operation", "create", "outcome", "success").timer()
          .count()).isEqualTo(2);
      assertThat(registry.get("vtp.session.evictions").counter().count()).isEqualTo(1);
      assertThat(registry.get("vtp.session.corrupt").counter().count()).isEqualTo(1);
      for (Meter m : registry.getMeters()) {
        for (Tag tag : m.getId().getTags()) {
          assertThat(tag.getValue()).doesNotContain("dave").doesNotContain(s.id()).doesNotContain(t.id());
        }
      }
    }
    metrics.close();
    assertThat(registry.getMeters()).isEmpty();
  }
}
