package io.vtp.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vtp.testkit.Dedicated;
import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisCluster;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/** {@link RoundTrip}: calls on one client share one pipeline; failures reach every call; misuse is refused. */
@ExtendWith(VtpServers.class)
class RoundTripIT {
  private static final RedisScript SCRIPT = RedisScript.fromResource(RoundTripIT.class, "incr-by.lua");

  /** A test call: the script on one key; the answer is its reply, or the failure's class name. */
  private static final class Incr extends PipelinedCall<Object> {
    private final String key;
    private RedisScript.Queued queued;

    Incr(UnifiedJedis client, String key) {
      super(client);
      this.key = key;
    }

    @Override
    protected boolean needsRedis() {
      return true;
    }

    @Override
    protected void queue(AbstractPipeline pipeline) {
      queued = SCRIPT.queue(pipeline, List.of(key), List.of("1"));
    }

    @Override
    protected Object complete(JedisException failure) {
      if (failure != null) {
        throw new IllegalStateException("failed: " + failure.getClass().getSimpleName(), failure);
      }
      return queued.reply(client());
    }
  }

  private static long reads(Jedis admin) {
    for (String line : admin.info("stats").split("\r?\n")) {
      if (line.startsWith("total_reads_processed:")) {
        return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    throw new AssertionError("no total_reads_processed");
  }

  @Test
  void send_callsOnOneClient_shareOneRoundTrip_evenAfterNoscript(@Dedicated RedisServer redis, KeyNamespace ns) {
    try (RedisClient client = redis.newClient(); Jedis admin = new Jedis(redis.hostAndPort(), redis.clientConfig())) {
      client.ping(); // connected before counting
      client.scriptFlush();
      Incr a = new Incr(client, ns.key("a"));
      Incr b = new Incr(client, ns.key("b"));
      RoundTrip.send(a, b); // NOSCRIPT for both: each falls back to one direct EVAL
      assertThat(a.result()).isEqualTo(1L);
      assertThat(b.result()).isEqualTo(1L);

      long before = reads(admin);
      Incr c = new Incr(client, ns.key("a"));
      Incr d = new Incr(client, ns.key("b"));
      Incr e = new Incr(client, ns.key("c"));
      RoundTrip.send(c, d, e);
      long rounds = reads(admin) - before - 1; // minus the second INFO's own read

      assertThat(rounds).as("round trips for three calls").isEqualTo(1);
      assertThat(List.of(c.result(), d.result(), e.result())).containsExactly(2L, 2L, 1L);
    }
  }

  @Test
  void send_onACluster_answersEveryCallWhateverItsNode(RedisCluster cluster, KeyNamespace ns) {
    try (RedisClusterClient client = cluster.newClient()) {
      Incr[] calls = new Incr[12];
      for (int i = 0; i < calls.length; i++) {
        calls[i] = new Incr(client, ns.key("n" + i));
      }
      RoundTrip.send(calls);
      for (Incr c : calls) {
        assertThat(c.result()).isEqualTo(1L);
      }
    }
  }

  @Test
  void send_whenRedisIsDown_handsTheFailureToEveryCall_andNeverThrows(@Dedicated RedisServer redis, KeyNamespace ns) {
    try (RedisClient client = redis.newClient()) {
      client.ping();
      redis.kill();
      try {
        Incr a = new Incr(client, ns.key("a"));
        Incr b = new Incr(client, ns.key("b"));
        RoundTrip.send(a, b);
        assertThatThrownBy(a::result).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("failed: Jedis");
        assertThatThrownBy(b::result).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("failed: Jedis");
      } finally {
        redis.start();
      }
    }
  }

  @Test
  void answeredCalls_needNoRedis_andEveryCallIsSentOnce(@Dedicated RedisServer redis, KeyNamespace ns) {
    PipelinedCall<String> answered = PipelinedCall.answered("known");
    assertThatThrownBy(answered::result).isInstanceOf(IllegalStateException.class).hasMessageContaining("not sent");
    RoundTrip.send(answered);
    assertThat(answered.result()).isEqualTo("known");
    assertThatThrownBy(() -> RoundTrip.send(answered)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already sent");
    try (RedisClient client = redis.newClient()) {
      Incr fresh = new Incr(client, ns.key("x"));
      assertThatThrownBy(() -> RoundTrip.send(fresh, null)).isInstanceOf(NullPointerException.class)
          .hasMessage("calls[1]");
      RoundTrip.send(fresh); // nothing was sent by the refused call
      assertThat(fresh.result()).isEqualTo(1L);
    }
  }
}
