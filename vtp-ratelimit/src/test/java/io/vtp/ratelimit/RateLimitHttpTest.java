package io.vtp.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateLimitHttpTest {
  private static Decision decision(Outcome outcome, String policy, long limit, long remaining, Duration reset,
      Duration retry) {
    return new Decision(outcome, policy, limit, Duration.ofMinutes(1), remaining, reset, retry, List.of());
  }

  @Test
  void headers_allowed_giveIetfPolicyAndState() {
    Decision d = decision(Outcome.ALLOWED, "api", 100, 42, Duration.ofMillis(35_200), Duration.ZERO);
    assertThat(RateLimitHttp.headers(d)).containsExactly(
        java.util.Map.entry("RateLimit-Policy", "\"api\";q=100;w=60"),
        java.util.Map.entry("RateLimit", "\"api\";r=42;t=36"));
  }

  @Test
  void headers_denied_addRetryAfterRoundedUpAndLegacyFields() {
    Decision d = decision(Outcome.DENIED, "api", 100, 0, Duration.ofSeconds(60), Duration.ofMillis(200));
    assertThat(RateLimitHttp.headers(d, true))
        .containsEntry("Retry-After", "1")
        .containsEntry("X-RateLimit-Limit", "100")
        .containsEntry("X-RateLimit-Remaining", "0")
        .containsEntry("X-RateLimit-Reset", "60");
    assertThat(RateLimitHttp.rejectionStatus(d)).isEqualTo(429);
  }

  @Test
  void headers_multiPolicy_listEveryPolicy() {
    Decision user = decision(Outcome.DENIED, "user", 5, 0, Duration.ofSeconds(60), Duration.ofSeconds(12));
    Decision ip = decision(Outcome.ALLOWED, "ip", 100, 90, Duration.ofSeconds(6), Duration.ZERO);
    Decision d = new Decision(Outcome.DENIED, "user", 5, Duration.ofMinutes(1), 0, Duration.ofSeconds(60),
        Duration.ofSeconds(12), List.of(user, ip));
    assertThat(RateLimitHttp.headers(d))
        .containsEntry("RateLimit-Policy", "\"user\";q=5;w=60, \"ip\";q=100;w=60")
        .containsEntry("RateLimit", "\"user\";r=0;t=60, \"ip\";r=90;t=6")
        .containsEntry("Retry-After", "12");
  }

  @Test
  void headers_withoutRedis_reportNoCounts() {
    Decision open = decision(Outcome.FAIL_OPEN, "api", 100, 100, Duration.ZERO, Duration.ZERO);
    assertThat(RateLimitHttp.headers(open, true)).isEmpty();
    Decision closed = decision(Outcome.FAIL_CLOSED, "api", 100, 0, Duration.ofSeconds(2), Duration.ofSeconds(2));
    assertThat(RateLimitHttp.headers(closed, true)).containsOnlyKeys("Retry-After").containsEntry("Retry-After", "2");
    assertThat(RateLimitHttp.rejectionStatus(closed)).isEqualTo(503);
  }

  @Test
  void problemJson_denied_isRfc9457WithoutUserData() {
    Decision d = decision(Outcome.LOCAL_DENIED, "login", 5, 0, Duration.ofSeconds(60), Duration.ofMillis(11_001));
    assertThat(RateLimitHttp.problemJson(d)).isEqualTo("{\"type\":\"about:blank\",\"title\":\"Too Many Requests\","
        + "\"status\":429,\"detail\":\"rate limit 'login' exceeded; retry after 12 s\",\"policy\":\"login\","
        + "\"retry_after\":12}");
    Decision closed = decision(Outcome.FAIL_CLOSED, "login", 5, 0, Duration.ofSeconds(1), Duration.ofSeconds(1));
    assertThat(RateLimitHttp.problemJson(closed)).contains("\"status\":503", "Service Unavailable");
  }

  @Test
  void rejectionStatus_allowedDecision_isRejected() {
    Decision d = decision(Outcome.SHADOW_DENIED, "api", 1, 0, Duration.ofSeconds(1), Duration.ofSeconds(1));
    assertThat(RateLimitHttp.headers(d)).doesNotContainKey("Retry-After");
    assertThatThrownBy(() -> RateLimitHttp.rejectionStatus(d)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SHADOW_DENIED");
  }
}
