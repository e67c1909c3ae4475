package io.vtp.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class MutableClockTest {

  @Test
  void advanceAndSet_moveTheClockOnlyWhenAsked() {
    MutableClock clock = MutableClock.atMillis(1_000);
    assertThat(clock.millis()).isEqualTo(1_000);
    assertThat(clock.millis()).isEqualTo(1_000);
    clock.advance(Duration.ofSeconds(2));
    assertThat(clock.instant()).isEqualTo(Instant.ofEpochMilli(3_000));
    clock.set(Instant.parse("2030-01-01T00:00:00Z"));
    assertThat(clock.instant()).isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
    assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
  }

  @Test
  void startingNow_isInWholeMilliseconds() {
    assertThat(MutableClock.startingNow().instant().getNano() % 1_000_000).isZero();
  }
}
