package io.vtp.ratelimit.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vtp.ratelimit.Outcome;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class MicrometerRateLimitListenerTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void onDecision_countsByLimiterAndOutcomeAndTimes() {
    MicrometerRateLimitListener listener = MicrometerRateLimitListener.create(registry);
    listener.onDecision("api", Outcome.ALLOWED, 1_000);
    listener.onDecision("api", Outcome.ALLOWED, 3_000);
    listener.onDecision("api", Outcome.FAIL_OPEN, 2_000);
    listener.onDecision("login", Outcome.LOCAL_DENIED, 500);
    assertThat(registry.get("ratelimit.decisions").tags("limiter", "api", "outcome", "allowed").counter().count())
        .isEqualTo(2);
    assertThat(registry.get("ratelimit.decisions").tags("limiter", "api", "outcome", "fail_open").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("ratelimit.decisions").tags("limiter", "login", "outcome", "local_denied").counter()
        .count()).isEqualTo(1);
    assertThat(registry.get("ratelimit.decision.latency").tags("limiter", "api").timer().count()).isEqualTo(3);
  }

  @Test
  void onRedisError_countsByExceptionType() {
    MicrometerRateLimitListener listener = MicrometerRateLimitListener.create(registry);
    listener.onRedisError("api", new TimeoutException());
    listener.onRedisError("api", new TimeoutException());
    assertThat(registry.get("ratelimit.redis.errors").tags("limiter", "api", "error", "TimeoutException").counter()
        .count()).isEqualTo(2);
  }

  @Test
  void close_removesItsMeters() {
    MicrometerRateLimitListener listener = MicrometerRateLimitListener.create(registry);
    listener.onDecision("api", Outcome.DENIED, 1);
    listener.onRedisError("api", new IllegalStateException());
    assertThat(registry.getMeters()).hasSize(3);
    listener.close();
    assertThat(registry.getMeters()).isEmpty();
  }
}
