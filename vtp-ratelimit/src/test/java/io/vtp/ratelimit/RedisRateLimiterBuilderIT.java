package io.vtp.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vtp.testkit.KeyNamespace;
import io.vtp.testkit.RedisServer;
import io.vtp.testkit.VtpServers;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClient;

@ExtendWith(VtpServers.class)
class RedisRateLimiterBuilderIT {
  private final RedisClient jedis;
  private final KeyNamespace ns;

  RedisRateLimiterBuilderIT(RedisServer redis, KeyNamespace ns) {
    this.jedis = redis.newClient();
    this.ns = ns;
  }

  @AfterEach
  void close() {
    jedis.close();
  }

  private RedisRateLimiter.Builder valid() {
    return RedisRateLimiter.builder(jedis).name("api").limit(10).window(Duration.ofMinutes(1));
  }

  @Test
  void build_missingOrInvalidSettings_throwNamingFieldValueAndRule() {
    assertThatThrownBy(() -> RedisRateLimiter.builder(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("jedis");
    assertThatThrownBy(() -> valid().name(null)).isInstanceOf(NullPointerException.class).hasMessage("name");
    assertThatThrownBy(() -> RedisRateLimiter.builder(jedis).limit(10).window(Duration.ofMinutes(1)).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("rate limit: name must be set (e.g. .name(\"api\"))");
    assertThatThrownBy(() -> valid().name("my api").build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rate limit 'my api': name must be 1 to 64 characters of [A-Za-z0-9._-] but was 'my api'");
    assertThatThrownBy(() -> RedisRateLimiter.builder(jedis).name("api").window(Duration.ofMinutes(1)).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("rate limit 'api': limit must be set (e.g. .limit(100))");
    assertThatThrownBy(() -> RedisRateLimiter.builder(jedis).name("api").limit(10).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("rate limit 'api': window must be set (e.g. .window(Duration.ofMinutes(1)))");
    assertThatThrownBy(() -> RedisRateLimiter.builder(jedis).buildMulti(RateLimitPolicy.of("p", 1,
        Duration.ofSeconds(1)))).isInstanceOf(IllegalStateException.class)
        .hasMessage("rate limit: name must be set (e.g. .name(\"api\"))");
    assertThatThrownBy(() -> valid().limit(0).build())
        .hasMessage("rate limit 'api': limit must be > 0 and <= 1000000000 but was 0");
    assertThatThrownBy(() -> valid().timeout(Duration.ZERO).build())
        .hasMessage("rate limit 'api': timeout must be >= PT0.001S and <= PT10S but was PT0S");
    assertThatThrownBy(() -> valid().failureMode(FailureMode.LOCAL_FALLBACK).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("expectedInstances must be set with LOCAL_FALLBACK");
    assertThatThrownBy(() -> valid().failureMode(FailureMode.LOCAL_FALLBACK).expectedInstances(0).build())
        .hasMessageContaining("expectedInstances must be >= 1 and <= 10000 but was 0");
    assertThatThrownBy(() -> valid().circuitBreaker(0, Duration.ofSeconds(1)).build())
        .hasMessageContaining("consecutiveFailures must be >= 1 and <= 1000 but was 0");
    assertThatThrownBy(() -> valid().keyPrefix("{x}").build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rate limit 'api': keyPrefix must be at most 128 printable ASCII characters without spaces or "
            + "braces but was '{x}'");
    assertThatThrownBy(() -> valid().keyPrefix("my app:").build()).hasMessageContaining("keyPrefix must be");
    assertThatThrownBy(() -> valid().keyPrefix(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("keyPrefix");
    assertThatThrownBy(() -> valid().localDenyCache(-1).build()).hasMessageContaining("localDenyCache");
    assertThatThrownBy(() -> valid().listener(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("listener");
    assertThatThrownBy(() -> valid().timeout(null)).isInstanceOf(NullPointerException.class).hasMessage("timeout");
    assertThatThrownBy(() -> valid().burst(5).algorithm(Algorithm.SLIDING_WINDOW).build())
        .hasMessageContaining("burst applies only to GCRA");
  }

  @Test
  void buildMulti_policySettingsOnTheBuilderOrRepeatedNames_areRejected() {
    RateLimitPolicy user = RateLimitPolicy.of("user", 5, Duration.ofMinutes(1));
    assertThatThrownBy(() -> valid().buildMulti(user)).hasMessageContaining("belong to the policies");
    assertThatThrownBy(() -> RedisRateLimiter.builder(jedis).name("login").buildMulti(user, user))
        .hasMessageContaining("'user' repeats");
    try (MultiRateLimiter login = RedisRateLimiter.builder(jedis).name("login").keyPrefix(ns.prefix())
        .buildMulti(user, RateLimitPolicy.of("ip", 50, Duration.ofMinutes(1)))) {
      assertThat(login.policies()).extracting(RateLimitPolicy::name).containsExactly("user", "ip");
      assertThatThrownBy(() -> login.tryAcquire(List.of("only-one"))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected 2 keys, one per policy [user, ip], but got 1");
      assertThatThrownBy(() -> login.tryAcquire(java.util.Arrays.asList("u", null)))
          .isInstanceOf(NullPointerException.class).hasMessage("key for policy 'ip'");
      assertThatThrownBy(() -> login.tryAcquire(List.of("u", ""))).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("rate limit 'login': key for policy 'ip' must not be empty");
      assertThatThrownBy(() -> login.tryAcquire(null)).isInstanceOf(NullPointerException.class).hasMessage("keys");
      assertThatThrownBy(() -> login.tryAcquire(List.of("u", "ip"), 6)).hasMessageContaining("permits must be");
    }
  }

  @Test
  void toString_describesPolicyAndMode() {
    try (RateLimiter limiter = valid().keyPrefix(ns.prefix()).shadow(true).build()) {
      assertThat(limiter.toString()).contains("api", "FAIL_OPEN", "shadow");
      assertThat(limiter.policy()).isEqualTo(RateLimitPolicy.of("api", 10, Duration.ofMinutes(1)));
    }
  }
}
