package io.vtp.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimitPolicyTest {

  @Test
  void of_defaultsToGcraWithBurstEqualToLimit() {
    RateLimitPolicy p = RateLimitPolicy.of("api", 100, Duration.ofMinutes(1));
    assertThat(p.burst()).isEqualTo(100);
    assertThat(p.algorithm()).isEqualTo(Algorithm.GCRA);
    assertThat(p.maxPermits()).isEqualTo(100);
    assertThat(p.withBurst(5).maxPermits()).isEqualTo(5);
  }

  @Test
  void constructor_zeroLimit_namesPolicyFieldValueAndRule() {
    assertThatThrownBy(() -> RateLimitPolicy.of("login", 0, Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rate limit 'login': limit must be > 0 and <= 1000000000 but was 0");
  }

  @Test
  void constructor_badValues_areRejected() {
    assertThatThrownBy(() -> RateLimitPolicy.of("bad name", 1, Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rate limit 'bad name': name must be 1 to 64 characters of [A-Za-z0-9._-] but was 'bad name'");
    assertThatThrownBy(() -> RateLimitPolicy.of(null, 1, Duration.ofMinutes(1)))
        .isInstanceOf(NullPointerException.class).hasMessage("name");
    assertThatThrownBy(() -> RateLimitPolicy.of("w", 1, Duration.ZERO))
        .hasMessageContaining("window must be >= 1ms").hasMessageContaining("PT0S");
    assertThatThrownBy(() -> RateLimitPolicy.of("w", 1, null)).isInstanceOf(NullPointerException.class)
        .hasMessage("window");
    assertThatThrownBy(() -> RateLimitPolicy.of("w", 1, Duration.ofDays(400))).hasMessageContaining("366 days");
    assertThatThrownBy(() -> RateLimitPolicy.of("b", 10, Duration.ofMinutes(1)).withBurst(0))
        .hasMessageContaining("burst must be > 0").hasMessageContaining("was 0");
    assertThatThrownBy(() -> RateLimitPolicy.of("b", 10, Duration.ofMinutes(1)).withBurst(5)
        .withAlgorithm(Algorithm.FIXED_WINDOW)).hasMessageContaining("burst applies only to GCRA");
    assertThatThrownBy(() -> RateLimitPolicy.of("fast", 2_000, Duration.ofMillis(1)))
        .hasMessageContaining("limit must be <= the window in microseconds (1000) but was 2000");
    assertThatThrownBy(() -> RateLimitPolicy.of("a", 1, Duration.ofSeconds(1)).withAlgorithm(null))
        .isInstanceOf(NullPointerException.class).hasMessage("algorithm");
  }
}
