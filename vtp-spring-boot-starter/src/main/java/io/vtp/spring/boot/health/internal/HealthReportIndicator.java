package io.vtp.spring.boot.health.internal;

import io.vtp.health.CheckResult;
import io.vtp.health.HealthRegistry;
import io.vtp.health.HealthReport;
import io.vtp.health.HealthStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * An Actuator indicator that answers from one view of a {@link HealthRegistry} snapshot (never calling a
 * dependency): {@code pass} and {@code warn} are UP (details say which), {@code fail} is DOWN, or OUT_OF_SERVICE
 * while draining. Details: the vtp status, the instance, the reason, and per check its status, latency and message.
 * Thread-safe.
 */
public final class HealthReportIndicator implements HealthIndicator {
  private final HealthRegistry registry;
  private final Function<HealthRegistry, HealthReport> view;

  /**
   * Creates the indicator.
   *
   * @param registry the registry; not null
   * @param view which report to read, e.g. {@code HealthRegistry::readiness}; not null
   */
  public HealthReportIndicator(HealthRegistry registry, Function<HealthRegistry, HealthReport> view) {
    this.registry = registry;
    this.view = view;
  }

  @Override
  public Health health() {
    HealthReport report = view.apply(registry);
    Status status = report.status() != HealthStatus.FAIL ? Status.UP
        : report.draining() ? Status.OUT_OF_SERVICE : Status.DOWN;
    Health.Builder b = Health.status(status).withDetail("status", report.status().ietf())
        .withDetail("instance", report.instance());
    if (report.reason() != null) {
      b.withDetail("reason", report.reason());
    }
    if (report.draining()) {
      b.withDetail("draining", true);
    }
    if (!report.checks().isEmpty()) {
      Map<String, Object> checks = new LinkedHashMap<>();
      for (CheckResult c : report.checks()) {
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("status", c.status().ietf());
        one.put("criticality", c.criticality().name().toLowerCase(java.util.Locale.ROOT));
        one.put("latencyMillis", c.latency().toMillis());
        if (c.message() != null) {
          one.put("message", c.message());
        }
        checks.put(c.name(), one);
      }
      b.withDetail("checks", checks);
    }
    return b.build();
  }
}
