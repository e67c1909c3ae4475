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

/** Configuration is checked when set, with messages naming the cache, the field, the value and the rule. */
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
  void ttl_zeroIsRejectedWithFieldValueAndRule() {
    assertThatThrownBy(() -> builder().ttl(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("cache 'courses': ttl must be > 0 but was PT0S");
  }

  @Test
  void setters_rejectOutOfRangeValues() {
    assertThatThrownBy(() -> builder().notFoundTtl(Duration.ofSeconds(-1)))
        .hasMessage("cache 'courses': notFoundTtl must be > 0 but was PT-1S");
    assertThatThrownBy(() -> builder().jitter(0.6))
        .hasMessage("cache 'courses': jitter must be within [0, 0.5] but was 0.6");
    assertThatThrownBy(() -> builder().staleGrace(Duration.ofMillis(-1)))
        .hasMessage("cache 'courses': staleGrace must be >= 0 but was PT-0.001S");
    assertThatThrownBy(() -> builder().lease(Duration.ofSeconds(1), Duration.ofSeconds(2)))
        .hasMessage("cache 'courses': leaseWait must be < leaseTtl (PT1S) but was PT2S");
    assertThatThrownBy(() -> builder().circuitBreaker(0, Duration.ofSeconds(1)))
        .hasMessage("cache 'courses': failureThreshold must be within [1, 1000] but was 0");
    assertThatThrownBy(() -> builder().bypass(0, Duration.ZERO))
        .hasMessage("cache 'courses': bypassPermits must be within [1, 10000] but was 0");
    assertThatThrownBy(() -> builder().l1(0, Duration.ofSeconds(1)))
        .hasMessage("cache 'courses': l1MaximumSize must be within [1, 10000000] but was 0");
    assertThatThrownBy(() -> builder().earlyRefreshBeta(-1))
        .hasMessage("cache 'courses': earlyRefreshBeta must be within [0, 10] but was -1.0");
    assertThatThrownBy(() -> builder().keyPrefix("a*"))
        .hasMessageStartingWith("cache 'courses': keyPrefix must match");
  }

  @Test
  void name_isValidatedAndRequired() {
    assertThatThrownBy(() -> RedisCacheAside.builder(client, Item.class).name("Courses!"))
        .hasMessageContaining("name must match").hasMessageContaining("Courses!");
    assertThatThrownBy(() -> RedisCacheAside.builder(client, Item.class).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("cache of Item: name is required; call name(\"...\")");
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
