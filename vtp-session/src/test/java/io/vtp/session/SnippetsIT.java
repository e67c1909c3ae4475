package io.vtp.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vtp.session.micrometer.SessionStoreMetrics;
import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClient;

/** The examples in the javadoc of {@link RedisSessionStore} and the Micrometer metrics, compiled and run. */
@ExtendWith(VtpServers.class)
class SnippetsIT {

  @Test
  void builderExample_runsAsDocumented(RedisServer redis, KeyNamespace ns) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (RedisClient redisClient = redis.newClient()) {
      SessionStoreMetrics metrics = SessionStoreMetrics.create(registry, "web");
      SessionStore sessions = RedisSessionStore.builder(redisClient)
          .name("web")
          .keyPrefix(ns.prefix())
          .idleTimeout(Duration.ofHours(8))
          .absoluteLifetime(Duration.ofDays(7))
          .maxSessionsPerUser(10)
          .listener(metrics)
          .build();
      Session s = sessions.create("user-42", Map.of("role", "admin"));

      // A request: find, change, and on login or privilege change rotate.
      Session found = sessions.find(s.id()).orElseThrow();
      Session changed = sessions.update(found, attrs -> attrs.put("theme", "dark")).orElseThrow();
      Session rotated = sessions.rotate(changed.id()).orElseThrow();

      assertThat(rotated.attributes()).containsEntry("role", "admin").containsEntry("theme", "dark");
      assertThat(sessions.deleteAllForUser("user-42")).isEqualTo(1);
      metrics.close();
    }
  }
}
