package io.vtp.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisConnectionException;

@ExtendWith(VtpServers.class)
class RedisServerIT {

  @Test
  void sharedServer_answersAndIsolatesByNamespace(RedisServer redis, KeyNamespace ns) {
    try (RedisClient client = redis.newClient()) {
      client.set(ns.key("a"), "1");
      assertThat(client.get(ns.key("a"))).isEqualTo("1");
    }
    assertThat(ns.prefix()).startsWith("test:redisserverit-").endsWith(":");
    assertThat(ns.deleteKeys(redis)).isEqualTo(1);
  }

  @Test
  void commandCalls_countsEachCommandOnTheServer(@Dedicated RedisServer redis) {
    redis.resetStats();
    try (RedisClient client = redis.newClient()) {
      client.set("k", "v");
      client.get("k");
      client.get("k");
    }
    Map<String, Long> calls = redis.commandCalls();
    assertThat(calls).containsEntry("get", 2L).containsEntry("set", 1L);
  }

  @Test
  void pause_makesServerStopAnsweringUntilResumed(@Dedicated RedisServer redis) {
    try (Jedis client = new Jedis(redis.hostAndPort(), redis.clientConfig(Duration.ofMillis(300)))) {
      assertThat(client.ping()).isEqualTo("PONG");
      redis.pause();
      try {
        assertThatThrownBy(client::ping).isInstanceOf(JedisConnectionException.class);
        assertThat(redis.isAnswering()).isFalse();
      } finally {
        redis.resume();
      }
    }
    redis.awaitAnswering(Duration.ofSeconds(5));
    assertThat(redis.isAnswering()).isTrue();
  }

  @Test
  void killThenStart_comesBackOnTheSamePort(@Dedicated RedisServer redis) {
    int port = redis.port();
    long pid = redis.pid();
    redis.kill();
    assertThat(redis.isAnswering()).isFalse();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    redis.start();
    assertThat(redis.port()).isEqualTo(port);
    assertThat(redis.isAnswering()).isTrue();
    assertThat(redis.pid()).isNotEqualTo(pid);
  }
}
