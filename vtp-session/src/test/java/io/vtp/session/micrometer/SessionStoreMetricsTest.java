package io.vtp.session.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vtp.session.SessionStoreListener;
import io.vtp.session.SessionStoreListener.Operation;
import io.vtp.session.SessionStoreListener.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SessionStoreMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void create_registersEveryMeterTaggedWithTheName() {
    SessionStoreMetrics metrics = SessionStoreMetrics.create(registry, "web");
    metrics.onOperation(Operation.ROTATE, Outcome.SUCCESS, Duration.ofMillis(2));
    assertThat(registry.getMeters()).isNotEmpty()
        .allSatisfy(m -> assertThat(m.getId().getTag("name")).isEqualTo("web"))
        .allSatisfy(m -> assertThat(m.getId().getName()).startsWith("vtp.session."));
    assertThat(registry.get("vtp.session.operations").tags("operation", "rotate", "outcome", "success").timer()
        .count()).isEqualTo(1);
    metrics.close();
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void create_rejectsAMissingOrBlankName() {
    assertThatThrownBy(() -> SessionStoreMetrics.create(registry, null)).isInstanceOf(NullPointerException.class)
        .hasMessage("name");
    assertThatThrownBy(() -> SessionStoreMetrics.create(null, "web")).isInstanceOf(NullPointerException.class)
        .hasMessage("registry");
    assertThatThrownBy(() -> SessionStoreMetrics.create(registry, " ")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name must not be blank");
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void noop_isOneSharedInstance() {
    assertThat(SessionStoreListener.noop()).isSameAs(SessionStoreListener.noop());
  }
}
