package io.vtp.bench.swap;

import static org.assertj.core.api.Assertions.assertThat;

import io.vtp.session.RedisSessionStore;
import io.vtp.session.Session;
import io.vtp.session.SessionStore;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.TestServers;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;

/**
 * The deterministic part of bin/bench-swap: its counter, on the testkit's real Redis, gives exactly what the starter
 * documents for variant (a) per request ({@code VtpSessionRepository}: a read of a session this instance has seen is 1
 * HMGET and a request that changes nothing writes nothing; a change adds one EVALSHA, HGET and HSET inside), so a
 * change in the store's cost or in the counting fails here before it shows in docs/BENCHMARKS.md.
 */
class CommandCounterTest {
  private static TestServers servers;
  private static RedisServer redis;
  private static RedisClient client;
  private static SessionStore store;

  @BeforeAll
  static void start() {
    servers = TestServers.create();
    redis = servers.redis();
    client = redis.newClient();
    store = RedisSessionStore.builder(client).name("bench-swap").build();
  }

  @AfterAll
  static void stop() {
    client.close();
    servers.close();
  }

  @Test
  void end_afterAnAuthenticatedReadThatChangesNothing_isOnePlainHmget() throws Exception {
    Session s = store.create("alice", Map.of("visits", 1));
    store.find(s.id()); // this instance has seen the session (the bench warms every variant up the same way)

    try (CommandCounter counter = new CommandCounter(redis.hostAndPort(), redis.clientConfig())) {
      counter.begin();
      for (int i = 0; i < SwapBench.COUNTED; i++) {
        assertThat(store.find(s.id())).isPresent();
      }
      CommandCounter.Counts counts = counter.end();

      assertThat(counts.sent()).containsExactlyEntriesOf(Map.of("hmget", (long) SwapBench.COUNTED));
      assertThat(counts.inScripts()).isEmpty();
      assertThat(SwapBench.byName(counts.sent())).isEqualTo("hmget 1");
    }
  }

  @Test
  void end_afterARequestThatChangesAnAttribute_isTheReadAndOneScript() throws Exception {
    Session s = store.create("alice", Map.of("visits", 1));
    store.update(store.find(s.id()).orElseThrow(), m -> m.put("visits", 2)); // loads the script once, as warm-up does

    try (CommandCounter counter = new CommandCounter(redis.hostAndPort(), redis.clientConfig())) {
      counter.begin();
      Session read = store.find(s.id()).orElseThrow();
      assertThat(store.update(read, m -> m.put("visits", 3))).isPresent();
      CommandCounter.Counts counts = counter.end();

      assertThat(counts.sent()).containsExactlyInAnyOrderEntriesOf(Map.of("hmget", 1L, "evalsha", 1L));
      assertThat(counts.inScripts()).containsExactlyInAnyOrderEntriesOf(Map.of("hget", 1L, "hset", 1L));
    }
  }

  @Test
  void commandStats_countsScriptInternalCommandsToo_andLeavesOutItsOwn() {
    try (Jedis jedis = new Jedis(redis.hostAndPort(), redis.clientConfig())) {
      Map<String, Long> before = CommandCounter.commandStats(jedis);
      jedis.eval("redis.call('set', KEYS[1], '1') return redis.call('get', KEYS[1])", 1, "bench-swap:k");
      Map<String, Long> delta = CommandCounter.delta(before, CommandCounter.commandStats(jedis));

      assertThat(delta).containsExactlyInAnyOrderEntriesOf(Map.of("eval", 1L, "set", 1L, "get", 1L));
    }
  }

  @Test
  void parseCommandStats_readsCallsByName() {
    String info = "# Commandstats\r\n"
        + "cmdstat_hmget:calls=12,usec=34,usec_per_call=2.83,rejected_calls=0,failed_calls=0\r\n"
        + "cmdstat_client|setinfo:calls=2,usec=1,usec_per_call=0.50,rejected_calls=0,failed_calls=0\r\n"
        + "cmdstat_info:calls=3,usec=1,usec_per_call=0.33,rejected_calls=0,failed_calls=0\r\n";

    assertThat(CommandCounter.parseCommandStats(info)).containsExactlyEntriesOf(Map.of("hmget", 12L));
  }
}
