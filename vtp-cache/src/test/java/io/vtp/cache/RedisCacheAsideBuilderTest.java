package io.vtp.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;

/** Configuration is checked when built, with messages naming the cache, the field, the value and the rule. */
class RedisCacheAsideBuilderTest {
  // Never connected: building a cache without L1 sends nothing.
  private final RedisClient client = RedisClient.builder().hostAndPort(new HostAndPort("127.0.0.1", 1)).build();

  @AfterEach
  void close() {
    client.close();
  }

  private RedisCacheAside.Builder<Item> builder() {
    return RedisCacheAside.builder(client, Item.class).name("courses");
  }

  @Test
  void build_zeroTtlIsRejectedWithFieldValueAndRule() {
    RedisCacheAside.Builder<Item> b = builder().ttl(Duration.ZERO); // setters only store
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalArgumentException.class).hasMessage("cache 'courses': ttl must be > 0 but was PT0S");
  }

  @Test
  void build_rejectsOutOfRangeValues() {
    assertThatThrownBy(() -> builder().notFoundTtl(Duration.ofSeconds(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cache 'courses': notFoundTtl must be > 0 but was PT-1S");
    assertThatThrownBy(() -> builder().jitter(0.6).build())
        .hasMessage("cache 'courses': jitter must be within [0, 0.5] but was 0.6");
    assertThatThrownBy(() -> builder().staleGrace(Duration.ofMillis(-1)).build())
        .hasMessage("cache 'courses': staleGrace must be >= 0 but was PT-0.001S");
    assertThatThrownBy(() -> builder().lease(Duration.ofSeconds(1), Duration.ofSeconds(2)).build())
        .hasMessage("cache 'courses': leaseWait must be < leaseTtl (PT1S) but was PT2S");
    assertThatThrownBy(() -> builder().circuitBreaker(0, Duration.ofSeconds(1)).build())
        .hasMessage("cache 'courses': failureThreshold must be within [1, 1000] but was 0");
    assertThatThrownBy(() -> builder().bypass(0, Duration.ZERO).build())
        .hasMessage("cache 'courses': bypassPermits must be within [1, 10000] but was 0");
    assertThatThrownBy(() -> builder().l1(0, Duration.ofSeconds(1)).build())
        .hasMessage("cache 'courses': l1MaximumSize must be within [1, 10000000] but was 0");
    assertThatThrownBy(() -> builder().earlyRefreshBeta(-1).build())
        .hasMessage("cache 'courses': earlyRefreshBeta must be within [0, 10] but was -1.0");
    assertThatThrownBy(() -> builder().valueVersion(-1).build())
        .hasMessage("cache 'courses': valueVersion must be >= 0 but was -1");
    assertThatThrownBy(() -> builder().maxKeyLength(8).build())
        .hasMessage("cache 'courses': maxKeyLength must be within [16, 512] but was 8");
    assertThatThrownBy(() -> builder().keyPrefix("a b").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cache 'courses': keyPrefix must be at most 128 printable ASCII characters without spaces or "
            + "braces but was 'a b'");
    assertThatThrownBy(() -> builder().keyPrefix("app:{x}:").build()).hasMessageContaining("keyPrefix must be");
    assertThatThrownBy(() -> builder().keyPrefix("p".repeat(129)).build()).hasMessageContaining("keyPrefix must be");
  }

  @Test
  void setters_rejectNullNamingTheParameter() {
    RedisCacheAside.Builder<Item> b = builder();
    assertThatThrownBy(() -> b.name(null)).isInstanceOf(NullPointerException.class).hasMessage("name");
    assertThatThrownBy(() -> b.keyPrefix(null)).isInstanceOf(NullPointerException.class).hasMessage("keyPrefix");
    assertThatThrownBy(() -> b.ttl((Duration) null)).isInstanceOf(NullPointerException.class).hasMessage("ttl");
    assertThatThrownBy(() -> b.lease(Duration.ofSeconds(1), null)).isInstanceOf(NullPointerException.class)
        .hasMessage("wait");
  }

  @Test
  void name_isValidatedAndRequired() {
    assertThatThrownBy(() -> RedisCacheAside.builder(client, Item.class).name("Courses!").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cache 'Courses!': name must be 1 to 64 characters of [A-Za-z0-9._-] but was 'Courses!'");
    assertThatThrownBy(() -> RedisCacheAside.builder(client, Item.class).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("cache of Item: name must be set (e.g. .name(\"courses\"))");
  }

  @Test
  void build_mixedCaseNameAndWiderPrefix_areAccepted() {
    try (CacheAside<Item> cache = RedisCacheAside.builder(client, Item.class).name("Courses.v2")
        .keyPrefix("app#1/cache:").build()) {
      assertThat(cache.name()).isEqualTo("Courses.v2");
    }
  }

  @Test
  void ttlPresets_matchTheOriginalPlatform() {
    assertThat(CacheTtl.SHORT.duration()).isEqualTo(Duration.ofMinutes(5));
    assertThat(CacheTtl.MEDIUM.duration()).isEqualTo(Duration.ofMinutes(30));
    assertThat(CacheTtl.LONG.duration()).isEqualTo(Duration.ofHours(2));
    assertThat(CacheTtl.DAY.duration()).isEqualTo(Duration.ofHours(24));
    assertThat(CacheTtl.WEEK.duration()).isEqualTo(Duration.ofDays(7));
    assertThat(CacheTtl.SESSION.duration()).isEqualTo(Duration.ofDays(7));
  }

  @Test
  void build_withTypeReferenceNamesTheCache() {
    try (CacheAside<List<Long>> pages = RedisCacheAside.builder(client, new TypeReference<List<Long>>() {})
        .name("pages").ttl(CacheTtl.SHORT).build()) {
      assertThat(pages.name()).isEqualTo("pages");
      assertThat(pages.stats().hits()).isZero();
    }
    assertThat(builder().toString()).contains("courses").contains("l1=off");
  }
}
