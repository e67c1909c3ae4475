package io.vtp.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vtp.testkit.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The plumbing the modules share, on a clock the test moves. */
class SharedPartsTest {
  private final MutableClock clock = MutableClock.atMillis(1_000_000);

  @Test
  void circuitBreaker_opensAfterThresholdAndLetsOneProbeThrough() {
    CircuitBreaker breaker = new CircuitBreaker(clock, 3, Duration.ofMillis(1_000));
    breaker.onFailure();
    breaker.onFailure();
    assertThat(breaker.allow()).isTrue();
    breaker.onFailure();
    assertThat(breaker.allow()).isFalse();
    assertThat(breaker.remainingOpenMillis()).isEqualTo(1_000);
    clock.advance(Duration.ofMillis(999));
    assertThat(breaker.allow()).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(breaker.allow()).isTrue(); // the probe
    assertThat(breaker.allow()).isFalse(); // only one at a time
    breaker.onFailure();
    assertThat(breaker.remainingOpenMillis()).isEqualTo(1_000); // a failed probe opens it again at once
    clock.advance(Duration.ofSeconds(1));
    assertThat(breaker.allow()).isTrue();
    breaker.onSuccess();
    assertThat(breaker.isOpen()).isFalse();
    assertThat(breaker.allow()).isTrue();
    assertThat(breaker.allow()).isTrue();
  }

  @Test
  void circuitBreaker_successResetsTheConsecutiveCount() {
    CircuitBreaker breaker = new CircuitBreaker(clock, 2, Duration.ofMillis(1_000));
    breaker.onFailure();
    breaker.onSuccess();
    breaker.onFailure();
    assertThat(breaker.allow()).isTrue();
  }

  @Test
  void circuitBreaker_releasedProbeCanBeRetried() {
    CircuitBreaker breaker = new CircuitBreaker(clock, 1, Duration.ofMillis(1_000));
    breaker.onFailure();
    clock.advance(Duration.ofSeconds(1));
    assertThat(breaker.allow()).isTrue();
    breaker.release();
    assertThat(breaker.allow()).isTrue();
  }

  @Test
  void logThrottle_letsOneThroughPerIntervalAndCountsTheRest() {
    ThrottledLog throttle = new ThrottledLog(LoggerFactory.getLogger(SharedPartsTest.class), clock,
        Duration.ofMinutes(1));
    assertThat(throttle.tryAcquire()).isZero();
    for (int i = 0; i < 5; i++) {
      assertThat(throttle.tryAcquire()).isEqualTo(-1);
    }
    clock.advance(Duration.ofSeconds(59));
    assertThat(throttle.tryAcquire()).isEqualTo(-1);
    clock.advance(Duration.ofSeconds(1));
    assertThat(throttle.tryAcquire()).isEqualTo(6);
    assertThat(throttle.tryAcquire()).isEqualTo(-1);
  }

  @Test
  void circuitBreaker_rejectsBadSettingsNamingTheField() {
    assertThatThrownBy(() -> new CircuitBreaker(clock, 0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threshold must be >= 1 but was 0");
    assertThatThrownBy(() -> new CircuitBreaker(clock, 1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("openDuration must be > 0");
    assertThatThrownBy(() -> new CircuitBreaker(null, 1, Duration.ofSeconds(1)))
        .isInstanceOf(NullPointerException.class).hasMessage("clock");
  }

  @Test
  void keyHasher_givesTheBase64UrlSha256() {
    // SHA-256("abc") = ba7816bf...15ad, base64url without padding.
    assertThat(KeyHasher.sha256("abc")).isEqualTo("ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
    assertThat(KeyHasher.sha256("é")).hasSize(43).matches("[A-Za-z0-9_-]+");
  }

  @Test
  void listenerGuard_keepsAThrowingListenerOutOfTheDataPath() {
    java.util.List<String> seen = new java.util.ArrayList<>();
    java.util.function.Consumer<String> listener = event -> {
      seen.add(event);
      throw new IllegalStateException("listener bug");
    };
    ListenerGuard<java.util.function.Consumer<String>> guard = new ListenerGuard<>(listener, "cache 'c'",
        LoggerFactory.getLogger(SharedPartsTest.class), clock);
    guard.fire(l -> l.accept("a"));
    guard.fire(l -> l.accept("b"));
    guard.failed(new IllegalStateException("reported directly"));
    assertThat(seen).containsExactly("a", "b");
    assertThat(guard.listener()).isSameAs(listener);
    assertThatThrownBy(() -> new ListenerGuard<>(null, "x", LoggerFactory.getLogger(SharedPartsTest.class), clock))
        .isInstanceOf(NullPointerException.class).hasMessage("listener");
  }
}
