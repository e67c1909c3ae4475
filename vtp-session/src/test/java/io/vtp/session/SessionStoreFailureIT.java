package io.vtp.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vtp.testkit.Dedicated;
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
}
