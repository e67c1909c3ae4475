package io.vtp.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.providers.PooledConnectionProvider;

/** Configuration is validated when built, with messages naming the setting, the value and the rule. */
class RedisSessionStoreBuilderTest {
  // Never connected to: building sends nothing.
  private final RedisClient client = RedisClient.builder().hostAndPort(new HostAndPort("127.0.0.1", 1)).build();

  @AfterEach
  void close() {
    client.close();
  }

  private void assertRejected(UnaryOperator<RedisSessionStore.Builder> config, String message) {
    assertThatThrownBy(() -> config.apply(RedisSessionStore.builder(client).name("web")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  /** The rule of every module: a required value never set is IllegalStateException; this builder has none. */
  @Test
  void build_defaults_buildsWithoutTouchingRedis() {
    assertThat(RedisSessionStore.builder(client).build().toString())
        .contains("idleTimeout=PT168H", "absoluteLifetime=PT720H", "maxSessionsPerUser=unlimited");
  }

  @Test
  void build_badValues_failWithFieldValueAndRule() {
    assertRejected(b -> b.idleTimeout(Duration.ZERO),
        "session store 'web': idleTimeout must be at least 1 second but was PT0S");
    assertRejected(b -> b.idleTimeout(Duration.ofDays(40)),
        "session store 'web': idleTimeout must be <= absoluteLifetime (PT720H) but was PT960H");
    assertRejected(b -> b.absoluteLifetime(Duration.ofDays(400)),
        "session store 'web': absoluteLifetime must be between 1 second and 365 days but was PT9600H");
    assertRejected(b -> b.touchThreshold(Duration.ofDays(7)),
        "session store 'web': touchThreshold must be >= 0 and < idleTimeout (PT168H) but was PT168H");
    assertRejected(b -> b.touchThreshold(Duration.ofSeconds(-1)),
        "session store 'web': touchThreshold must be >= 0 and < idleTimeout (PT168H) but was PT-1S");
    assertRejected(b -> b.maxSessionsPerUser(0), "session store 'web': maxSessionsPerUser must be >= 1 but was 0");
    assertRejected(b -> b.maxAttributesBytes(10),
        "session store 'web': maxAttributesBytes must be between 64 and 16777216 but was 10");
    assertRejected(b -> b.maxUpdateAttempts(0),
        "session store 'web': maxUpdateAttempts must be between 1 and 1000 but was 0");
    assertRejected(b -> b.keyPrefix("app:{x}:"),
        "session store 'web': keyPrefix must be at most 128 printable ASCII characters without spaces or braces "
            + "but was 'app:{x}:'");
    assertRejected(b -> b.name("my store"),
        "session store 'my store': name must be 1 to 64 characters of [A-Za-z0-9._-] but was 'my store'");
    assertRejected(b -> b.keyPrefix("p".repeat(129)),
        "session store 'web': keyPrefix must be at most 128 printable ASCII characters without spaces or braces "
            + "but was '" + "p".repeat(129) + "'");
  }

  @Test
  @SuppressWarnings("deprecation") // the plainest UnifiedJedis constructor left in Jedis 8: exactly the bare client
  void build_badReplicaAcknowledgement_failsNamingTheSettingAndTheRule() {
    assertRejected(b -> b.replicaAcknowledgement(0, Duration.ofMillis(100)),
        "session store 'web': replicaAcknowledgement replicas must be between 1 and 16 but was 0");
    assertRejected(b -> b.replicaAcknowledgement(17, Duration.ofMillis(100)),
        "session store 'web': replicaAcknowledgement replicas must be between 1 and 16 but was 17");
    assertRejected(b -> b.replicaAcknowledgement(1, Duration.ZERO),
        "session store 'web': replicaAcknowledgement timeout must be between 1 ms and 60 s but was PT0S");
    assertRejected(b -> b.replicaAcknowledgement(1, Duration.ofSeconds(61)),
        "session store 'web': replicaAcknowledgement timeout must be between 1 ms and 60 s but was PT1M1S");
    assertThatThrownBy(() -> RedisSessionStore.builder(client).replicaAcknowledgement(1, null))
        .isInstanceOf(NullPointerException.class).hasMessage("timeout");
    // A bare UnifiedJedis gives no way to the write's own connection (built lazily: nothing is sent).
    try (UnifiedJedis bare = new UnifiedJedis(new PooledConnectionProvider(new HostAndPort("127.0.0.1", 1)), 1,
        Duration.ofSeconds(1))) {
      assertThatThrownBy(() -> RedisSessionStore.builder(bare).name("web")
          .replicaAcknowledgement(1, Duration.ofMillis(100)).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("session store 'web': replicaAcknowledgement needs a RedisClient, RedisSentinelClient or "
              + "RedisClusterClient (WAIT must run on the write's own connection) but the client was a "
              + "redis.clients.jedis.UnifiedJedis");
    }
  }

  @Test
  void toString_showsReplicaAcknowledgement() {
    assertThat(RedisSessionStore.builder(client).build().toString()).contains("replicaAcknowledgement=off");
    assertThat(RedisSessionStore.builder(client).replicaAcknowledgement(1, Duration.ofMillis(250)).build().toString())
        .contains("replicaAcknowledgement=1 within PT0.25S");
  }

  @Test
  void setters_rejectNullNamingTheParameter() {
    RedisSessionStore.Builder b = RedisSessionStore.builder(client);
    assertThatThrownBy(() -> b.clock(null)).isInstanceOf(NullPointerException.class).hasMessage("clock");
    assertThatThrownBy(() -> b.idleTimeout(null)).isInstanceOf(NullPointerException.class).hasMessage("idleTimeout");
    assertThatThrownBy(() -> b.name(null)).isInstanceOf(NullPointerException.class).hasMessage("name");
    assertThatThrownBy(() -> b.keyPrefix(null)).isInstanceOf(NullPointerException.class).hasMessage("keyPrefix");
    assertThatThrownBy(() -> RedisSessionStore.builder(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("jedis");
  }

  @Test
  void build_badIdHashKeys_failNamingTheLengthNeverTheKey() {
    byte[] key = new byte[32];
    byte[] other = new byte[32];
    other[0] = 1;
    assertRejected(b -> b.idHashKey(new byte[31]),
        "session store 'web': idHashKey must be at least 32 bytes but was 31 bytes");
    assertRejected(b -> b.idHashKey(key, other, new byte[8]),
        "session store 'web': previous idHashKey [1] must be at least 32 bytes but was 8 bytes");
    assertRejected(b -> b.idHashKey(key, other, key.clone()),
        "session store 'web': previous idHashKey [1] must differ from the current key but was equal to it");
    byte[][] five = new byte[5][];
    for (int i = 0; i < five.length; i++) {
      five[i] = new byte[32];
      five[i][1] = (byte) (i + 1);
    }
    assertRejected(b -> b.idHashKey(key, five),
        "session store 'web': previous idHashKeys must be at most 4 but were 5");
    assertThatThrownBy(() -> RedisSessionStore.builder(client).idHashKey(null))
        .isInstanceOf(NullPointerException.class).hasMessage("current");
    assertThatThrownBy(() -> RedisSessionStore.builder(client).idHashKey(key, other, null))
        .isInstanceOf(NullPointerException.class).hasMessage("previous[1]");
  }

  @Test
  void toString_saysWhetherAKeyIsSet_neverTheKey() {
    byte[] key = "0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    assertThat(RedisSessionStore.builder(client).build().toString()).contains("idHashKey=none (plain SHA-256)");
    assertThat(RedisSessionStore.builder(client).idHashKey(key).build().toString()).contains("idHashKey=set]")
        .doesNotContain("0123456789abcdef");
    assertThat(RedisSessionStore.builder(client).idHashKey(key, new byte[32]).build().toString())
        .contains("idHashKey=set, with previous keys]");
  }
}
