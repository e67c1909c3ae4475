package io.vtp.ratelimit.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vtp.ratelimit.Outcome;
import io.vtp.ratelimit.RateLimitListener;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class RateLimitMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void onDecision_countsByLimiterAndOutcomeAndTimes() {
    RateLimitMetrics api = RateLimitMetrics.create(registry, "api");
    RateLimitMetrics login = RateLimitMetrics.create(registry, "login");
    api.onDecision("api", Outcome.ALLOWED, 1_000);
    api.onDecision("api", Outcome.ALLOWED, 3_000);
    api.onDecision("api", Outcome.FAIL_OPEN, 2_000);
    login.onDecision("login", Outcome.LOCAL_DENIED, 500);
    assertThat(registry.get("vtp.ratelimit.decisions").tags("name", "api", "outcome", "allowed").counter().count())
        .isEqualTo(2);
    assertThat(registry.get("vtp.ratelimit.decisions").tags("name", "api", "outcome", "fail_open").counter()
        .count()).isEqualTo(1);
    assertThat(registry.get("vtp.ratelimit.decisions").tags("name", "login", "outcome", "local_denied").counter()
        .count()).isEqualTo(1);
    assertThat(registry.get("vtp.ratelimit.decision.latency").tags("name", "api").timer().count()).isEqualTo(3);
  }

  @Test
  void onRedisError_countsByExceptionType() {
    RateLimitMetrics metrics = RateLimitMetrics.create(registry, "api");
    metrics.onRedisError("api", new TimeoutException());
    metrics.onRedisError("api", new TimeoutException());
    assertThat(registry.get("vtp.ratelimit.redis.errors").tags("name", "api", "error", "TimeoutException").counter()
        .count()).isEqualTo(2);
  }

  @Test
  void close_removesItsMeters() {
    RateLimitMetrics metrics = RateLimitMetrics.create(registry, "api");
    metrics.onDecision("api", Outcome.DENIED, 1);
    metrics.onRedisError("api", new IllegalStateException());
    assertThat(registry.getMeters()).hasSize(3);
    metrics.close();
    assertThat(registry.getMeters()).isEmpty();
    metrics.onDecision("api", Outcome.ALLOWED, 1);
    metrics.onRedisError("api", new TimeoutException());
    assertThat(registry.getMeters()).as("nothing registered after close").isEmpty();
  }

  @Test
  void create_rejectsAMissingOrBlankName() {
    assertThatThrownBy(() -> RateLimitMetrics.create(registry, null)).isInstanceOf(NullPointerException.class)
        .hasMessage("name");
    assertThatThrownBy(() -> RateLimitMetrics.create(null, "api")).isInstanceOf(NullPointerException.class)
        .hasMessage("registry");
    assertThatThrownBy(() -> RateLimitMetrics.create(registry, "")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name must not be blank");
  }

  @Test
  void noop_isOneSharedInstance() {
    assertThat(RateLimitListener.noop()).isSameAs(RateLimitListener.noop());
  }
}
