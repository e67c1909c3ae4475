package io.vtp.health.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vtp.health.CheckResult;
import io.vtp.health.HealthRegistry;
import io.vtp.health.HealthStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Micrometer meters for a {@link HealthRegistry}. Tags are low-cardinality: only the check name.
 * <ul>
 *   <li>{@code health.status}: readiness, 1 pass, 0.5 warn, 0 fail;</li>
 *   <li>{@code health.draining}: 1 while draining;</li>
 *   <li>{@code health.check.status{check}}: each check after hysteresis, same values;</li>
 *   <li>{@code health.check.duration{check}}: timer of every run;</li>
 *   <li>{@code health.check.failures{check}}: counter of failed runs.</li>
 * </ul>
 * Gauges read the registry's snapshot; they never run a check. {@link #close()} removes the meters.
 *
 * <p>Thread-safe. Bind to one meter registry.
 */
public final class HealthMetrics implements MeterBinder, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HealthMetrics.class);

  private final HealthRegistry health;
  private final List<Meter> meters = new ArrayList<>();
  private MeterRegistry bound;
  private AutoCloseable subscription;

  /**
   * Creates the binder.
   *
   * @param health the registry to observe; never {@code null}
   */
  public HealthMetrics(HealthRegistry health) {
    this.health = Objects.requireNonNull(health, "health");
  }

  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    if (bound != null) {
      throw new IllegalStateException("HealthMetrics is already bound to a registry");
    }
    bound = registry;
    meters.add(Gauge.builder("health.status", health, h -> value(h.readiness().status()))
        .description("Readiness: 1 pass, 0.5 warn, 0 fail").register(registry));
    meters.add(Gauge.builder("health.draining", health, h -> h.isDraining() ? 1 : 0)
        .description("1 while the instance drains").register(registry));
    for (String name : health.checkNames()) {
      Tags tags = Tags.of("check", name);
      meters.add(Gauge.builder("health.check.status", health, h -> checkValue(h, name))
          .tags(tags).description("Check status after hysteresis: 1 pass, 0.5 warn, 0 fail").register(registry));
      meters.add(Timer.builder("health.check.duration").tags(tags).description("Duration of each check run")
          .register(registry));
      meters.add(Counter.builder("health.check.failures").tags(tags).description("Failed check runs")
          .register(registry));
    }
    subscription = health.addListener((previous, current) -> record(registry, current));
  }

  private static void record(MeterRegistry registry, CheckResult current) {
    Tags tags = Tags.of("check", current.name());
    registry.timer("health.check.duration", tags).record(current.latency());
    if (current.observed() == HealthStatus.FAIL) {
      registry.counter("health.check.failures", tags).increment();
    }
  }

  private static double checkValue(HealthRegistry h, String name) {
    for (CheckResult r : h.report().checks()) {
      if (r.name().equals(name)) {
        return value(r.status());
      }
    }
    return Double.NaN;
  }

  private static double value(HealthStatus s) {
    switch (s) {
      case PASS:
        return 1;
      case WARN:
        return 0.5;
      default:
        return 0;
    }
  }

  /** Removes the meters and stops listening. */
  @Override
  public synchronized void close() {
    if (subscription != null) {
      try {
        subscription.close();
      } catch (Exception e) {
        LOG.debug("removing health listener failed", e);
      }
    }
    if (bound != null) {
      meters.forEach(bound::remove);
    }
    meters.clear();
  }
}
