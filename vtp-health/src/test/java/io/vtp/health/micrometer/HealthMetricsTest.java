package io.vtp.health.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vtp.health.CheckOutcome;
import io.vtp.health.Criticality;
import io.vtp.health.HealthCheck;
import io.vtp.health.HealthListener;
import io.vtp.health.HealthRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link HealthMetrics} over in-process checks, with a real {@link SimpleMeterRegistry}. */
class HealthMetricsTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final AtomicBoolean up = new AtomicBoolean(true);
  private final HealthRegistry health = HealthRegistry.builder().instanceId("backend-1")
      .interval(Duration.ofHours(1))
      .register(HealthCheck.of("db", Criticality.CRITICAL,
          () -> up.get() ? CheckOutcome.pass() : CheckOutcome.fail("down")))
      .build();

  @AfterEach
  void close() {
    health.close();
  }

  @Test
  void create_registersEveryMeterTaggedWithTheNameAndCountsRuns() {
    HealthMetrics metrics = HealthMetrics.create(meters, "app", health);
    assertThat(meters.getMeters()).hasSize(5)
        .allSatisfy(m -> assertThat(m.getId().getTag("name")).isEqualTo("app"))
        .allSatisfy(m -> assertThat(m.getId().getName()).startsWith("vtp.health."));
    health.start();
    assertThat(meters.get("vtp.health.status").gauge().value()).isEqualTo(1.0);
    assertThat(meters.get("vtp.health.check.duration").tags("check", "db").timer().count()).isEqualTo(1);
    up.set(false);
    health.refresh();
    assertThat(meters.get("vtp.health.check.failures").tags("check", "db").counter().count()).isEqualTo(1.0);
    metrics.close();
    assertThat(meters.getMeters()).isEmpty();
    health.refresh();
    assertThat(meters.getMeters()).as("nothing registered after close").isEmpty();
  }

  @Test
  void create_rejectsAMissingOrBlankName() {
    assertThatThrownBy(() -> HealthMetrics.create(meters, null, health)).isInstanceOf(NullPointerException.class)
        .hasMessage("name");
    assertThatThrownBy(() -> HealthMetrics.create(meters, "app", null)).isInstanceOf(NullPointerException.class)
        .hasMessage("health");
    assertThatThrownBy(() -> HealthMetrics.create(meters, "\t", health))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name must not be blank");
    assertThat(meters.getMeters()).isEmpty();
  }

  @Test
  void noop_isOneSharedInstance() {
    assertThat(HealthListener.noop()).isSameAs(HealthListener.noop());
  }
}
