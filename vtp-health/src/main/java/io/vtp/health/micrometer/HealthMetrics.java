package io.vtp.health.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vtp.health.CheckResult;
import io.vtp.health.HealthListener;
import io.vtp.health.HealthRegistry;
import io.vtp.health.HealthStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one {@link HealthRegistry} to Micrometer. Meters, all tagged {@code name=<name>}; the per-check ones
 * also {@code check=<check name>}, nothing else:
 * <ul>
 *   <li>{@code vtp.health.status} (gauge): readiness, 1 pass, 0.5 warn, 0 fail;</li>
 *   <li>{@code vtp.health.draining} (gauge): 1 while draining;</li>
 *   <li>{@code vtp.health.check.status{check}} (gauge): each check after hysteresis, same values;</li>
 *   <li>{@code vtp.health.check.duration{check}} (timer): every run;</li>
 *   <li>{@code vtp.health.check.failures{check}} (counter): failed runs.</li>
 * </ul>
 *
 * <pre>{@code
 * HealthMetrics metrics = HealthMetrics.create(meterRegistry, "app", health);
 * // on shutdown: metrics.close();
 * }</pre>
 *
 * <p>Unlike the other modules' metrics, {@link #create} takes the {@link HealthRegistry} itself: the gauges read
 * its snapshot when scraped (they never run a check), because readiness and draining are states to sample rather
 * than events; and {@code create} subscribes this instance with {@link HealthRegistry#addListener} for the timers
 * and counters. So do not also pass it to {@code HealthRegistry.Builder.listener}: every run would be counted
 * twice.
 *
 * <p>Thread-safe. {@link #close()} stops listening and removes every meter from the registry.
 */
public final class HealthMetrics implements HealthListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HealthMetrics.class);

  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();
  private final Map<String, Timer> durations = new HashMap<>();
  private final Map<String, Counter> failures = new HashMap<>();
  private AutoCloseable subscription;
  private volatile boolean closed;

  private HealthMetrics(MeterRegistry registry, String name, HealthRegistry health) {
    this.registry = registry;
    Tags tags = Tags.of("name", name);
    meters.add(Gauge.builder("vtp.health.status", health, h -> value(h.readiness().status()))
        .tags(tags).description("Readiness: 1 pass, 0.5 warn, 0 fail").register(registry));
    meters.add(Gauge.builder("vtp.health.draining", health, h -> h.isDraining() ? 1 : 0)
        .tags(tags).description("1 while the instance drains").register(registry));
    for (String check : health.checkNames()) {
      Tags checkTags = tags.and("check", check);
      meters.add(Gauge.builder("vtp.health.check.status", health, h -> checkValue(h, check))
          .tags(checkTags).description("Check status after hysteresis: 1 pass, 0.5 warn, 0 fail")
          .register(registry));
      Timer t = Timer.builder("vtp.health.check.duration").tags(checkTags).description("Duration of each check run")
          .register(registry);
      meters.add(t);
      durations.put(check, t);
      Counter c = Counter.builder("vtp.health.check.failures").tags(checkTags).description("Failed check runs")
          .register(registry);
      meters.add(c);
      failures.put(check, c);
    }
  }

  /**
   * Creates the metrics, registers every meter and starts listening to {@code health}.
   *
   * @param registry the meter registry the application owns; not {@code null}
   * @param name the name of the health registry, the {@code name} tag of every meter; not {@code null} or blank
   * @param health the health registry to observe, needed because the gauges read its snapshot; not {@code null}
   * @return the metrics; never {@code null}
   * @throws NullPointerException when an argument is {@code null}
   * @throws IllegalArgumentException when {@code name} is blank
   */
  public static HealthMetrics create(MeterRegistry registry, String name, HealthRegistry health) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(health, "health");
    if (name.isBlank()) {
      throw new IllegalArgumentException("health metrics: name must not be blank but was '" + name + "'");
    }
    HealthMetrics metrics = new HealthMetrics(registry, name, health);
    synchronized (metrics) {
      metrics.subscription = health.addListener(metrics);
    }
    return metrics;
  }

  /**
   * Records the run's duration and, when it failed, a failure. Ignored after {@link #close()}.
   *
   * @param previous the check's result before this run; {@code null} on its first run
   * @param current the check's result after this run; never {@code null}
   */
  @Override
  public void onResult(CheckResult previous, CheckResult current) {
    if (closed) {
      return;
    }
    Timer t = durations.get(current.name());
    if (t != null) {
      t.record(current.latency());
    }
    if (current.observed() == HealthStatus.FAIL) {
      Counter c = failures.get(current.name());
      if (c != null) {
        c.increment();
      }
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

  /** Stops listening and removes every meter this instance registered from the registry. Idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    if (subscription != null) {
      try {
        subscription.close();
      } catch (Exception e) {
        LOG.debug("removing health listener failed", e);
      }
      subscription = null;
    }
    meters.forEach(registry::remove);
    meters.clear();
  }
}
