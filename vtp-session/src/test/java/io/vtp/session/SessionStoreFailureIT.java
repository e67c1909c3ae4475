package io.vtp.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vtp.testkit.Dedicated;
import io.vtp.testkit.MutableClock;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClient;

/** Redis hung or down: one documented exception, in bounded time, never "no session"; then recovery. */
@ExtendWith(VtpServers.class)
class SessionStoreFailureIT {

  private static RedisClient client(RedisServer redis) {
    return RedisClient.builder().hostAndPort(redis.hostAndPort()).clientConfig(redis.clientConfig(Duration.ofMillis(300)))
        .build();
  }

  @Test
  void find_whileRedisIsPaused_throwsUnavailableWithinTheClientTimeout(@Dedicated RedisServer redis) {
    RecordingListener listener = new RecordingListener();
    try (RedisClient client = client(redis)) {
      SessionStore store = RedisSessionStore.builder(client).name("web").listener(listener).build();
      Session s = store.create("alice", Map.of());
      redis.pause();
      try {
        long start = System.nanoTime();
        assertThatThrownBy(() -> store.find(s.id()))
            .isInstanceOf(SessionStoreUnavailableException.class)
            .hasMessageStartingWith("session store 'web': find failed after")
            .hasMessageNotContaining(s.id()).hasMessageNotContaining("alice")
            .satisfies(e -> assertThat(((SessionStoreUnavailableException) e).operation()).isEqualTo("find"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(listener.operations).contains("find:error");
      } finally {
        redis.resume();
      }
      assertThat(store.find(s.id())).isPresent();
    }
  }

  @Test
  void findCall_whileRedisIsDown_throwsUnavailableFromResult_thenRecovers(@Dedicated RedisServer redis) {
    try (RedisClient client = client(redis)) {
      SessionStore store = RedisSessionStore.builder(client).name("web").build();
      Session s = store.create("carol", Map.of());
      assertThat(store.find(s.id())).isPresent();
      redis.kill();
      try {
        PipelinedFind call = store.findCall(s.id());
        io.vtp.redis.RoundTrip.send(call); // never throws for Redis trouble: the call keeps its own failure
        assertThatThrownBy(call::result).isInstanceOf(SessionStoreUnavailableException.class)
            .hasMessageStartingWith("session store 'web': find failed after").hasMessageNotContaining(s.id());
      } finally {
        redis.start();
      }
      PipelinedFind after = store.findCall(store.create("carol", Map.of()).id());
      io.vtp.redis.RoundTrip.send(after);
      assertThat(after.result()).isPresent();
    }
  }

  @Test
  void everyOperation_whileRedisIsDown_throwsUnavailable_thenRecovers(@Dedicated RedisServer redis) {
    try (RedisClient client = client(redis)) {
      SessionStore store = RedisSessionStore.builder(client).build();
      Session s = store.create("bob", Map.of());
      redis.kill();
      try {
        assertThatThrownBy(() -> store.find(s.id())).isInstanceOf(SessionStoreUnavailableException.class);
        assertThatThrownBy(() -> store.create("bob", Map.of())).isInstanceOf(SessionStoreUnavailableException.class);
        assertThatThrownBy(() -> store.update(s, m -> m.put("a", 1)))
            .isInstanceOf(SessionStoreUnavailableException.class);
        assertThatThrownBy(() -> store.rotate(s.id())).isInstanceOf(SessionStoreUnavailableException.class);
        assertThatThrownBy(() -> store.delete(s.id())).isInstanceOf(SessionStoreUnavailableException.class);
        assertThatThrownBy(() -> store.findAllForUser("bob")).isInstanceOf(SessionStoreUnavailableException.class);
        assertThatThrownBy(() -> store.deleteAllForUser("bob")).isInstanceOf(SessionStoreUnavailableException.class);
      } finally {
        redis.start();
      }
      // Without persistence the session is gone after the restart: empty (log in again), not an error.
      assertThat(store.find(s.id())).isEmpty();
      assertThat(store.find(store.create("bob", Map.of()).id())).isPresent();
    }
  }

  @Test
  void throwingListener_neverBreaksAnOperation(RedisServer redis) {
    SessionStoreListener broken = new SessionStoreListener() {
      @Override
      public void onOperation(Operation operation, Outcome outcome, Duration elapsed) {
        throw new IllegalStateException("listener bug");
      }
    };
    try (RedisClient client = redis.newClient()) {
      SessionStore store = RedisSessionStore.builder(client).keyPrefix("test:failureit:").listener(broken).build();
      Session s = store.create("carol", Map.of("a", 1));
      assertThat(store.find(s.id())).contains(s);
      assertThat(store.deleteAllForUser("carol")).isEqualTo(1);
    }
  }

  /**
   * The session Redis full under {@code noeviction} (issue 21): writes are refused with an OOM error. Reads keep
   * working, a slide that is due is skipped (not taken as corruption: that deleted every session under the tag),
   * writes fail with the documented exception, and nothing is deleted or half-written.
   */
  @Test
  void memoryFull_readsServeUnslid_writesFailWithoutDeletingAnything(@Dedicated RedisServer redis) {
    MutableClock clock = MutableClock.startingNow();
    try (RedisClient client = redis.newClient()) {
      SessionStore store = RedisSessionStore.builder(client).keyPrefix("test:oom:").clock(clock).build();
      Session a = store.create("dave", Map.of("cart", 1));
      Session b = store.create("dave", Map.of("cart", 2));
      clock.advance(Duration.ofMinutes(5)); // past the touch threshold: the next find and update slide
      fill(client);
      try {
        long keys = client.dbSize();
        assertThat(store.find(a.id())).as("a read while Redis is full").hasValueSatisfying(found -> {
          assertThat(found.attributes()).containsEntry("cart", 1L);
          assertThat(found.idleExpiresAt()).as("not slid").isEqualTo(a.idleExpiresAt());
        });
        assertThatThrownBy(() -> store.update(b, m -> m.put("cart", 3)))
            .isInstanceOf(SessionStoreUnavailableException.class);
        assertThatThrownBy(() -> store.create("dave", Map.of())).isInstanceOf(SessionStoreUnavailableException.class);
        assertThatThrownBy(() -> store.rotate(a.id())).isInstanceOf(SessionStoreUnavailableException.class);
        assertThat(client.dbSize()).as("keys after the refused writes").isEqualTo(keys);
        assertThat(store.find(a.id())).as("the session whose rotation was refused").isPresent();
        assertThat(store.find(b.id())).hasValueSatisfying(found -> assertThat(found.attributes())
            .containsEntry("cart", 2L));
      } finally {
        client.configSet("maxmemory", "0");
        client.del(client.keys("test:oom:junk:*").toArray(String[]::new));
      }
      assertThat(store.update(b, m -> m.put("cart", 3))).hasValueSatisfying(updated -> assertThat(
          updated.attributes()).containsEntry("cart", 3L));
      assertThat(store.findAllForUser("dave")).hasSize(2);
    }
  }

  /** Sets noeviction and a maxmemory just above what is used, then writes until Redis refuses (OOM). */
  private static void fill(RedisClient client) {
    client.configSet("maxmemory-policy", "noeviction");
    long used = Long.parseLong(client.info("memory").lines().filter(l -> l.startsWith("used_memory:"))
        .findFirst().orElseThrow().substring("used_memory:".length()).trim());
    client.configSet("maxmemory", Long.toString(used + 256 * 1024));
    String value = "x".repeat(16 * 1024);
    for (int i = 0; i < 10_000; i++) {
      try {
        client.set("test:oom:junk:" + i, value);
      } catch (redis.clients.jedis.exceptions.JedisDataException e) {
        assertThat(e.getMessage()).startsWith("OOM");
        return;
      }
    }
    throw new AssertionError("Redis never refused a write: maxmemory not reached");
  }
}
