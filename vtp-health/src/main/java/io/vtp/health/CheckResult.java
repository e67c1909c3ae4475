package io.vtp.health;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * The registry's current view of one check: the status after hysteresis, and the last raw observation. Immutable
 * and thread-safe.
 *
 * @param name the check's name
 * @param criticality whether a failure fails readiness
 * @param componentType the health+json component type
 * @param status the status after hysteresis; this is what reports use
 * @param observed the status the last run observed
 * @param message the last run's message; {@code null} when it passed
 * @param latency how long the last run took (the timeout when it timed out)
 * @param time when the last run started
 * @param consecutiveFailures failed runs in a row (0 after a pass)
 * @param consecutiveSuccesses passing runs in a row (0 after a failure)
 * @param unhealthyReason the instance-level reason when this check fails
 * @param details the last run's details; never {@code null}
 */
public record CheckResult(
    String name,
    Criticality criticality,
    String componentType,
    HealthStatus status,
    HealthStatus observed,
    String message,
    Duration latency,
    Instant time,
    int consecutiveFailures,
    int consecutiveSuccesses,
    String unhealthyReason,
    Map<String, Object> details) {

  /**
   * Validates and copies.
   *
   * @param name the check's name
   * @param criticality whether a failure fails readiness
   * @param componentType the health+json component type
   * @param status the status after hysteresis; this is what reports use
   * @param observed the status the last run observed
   * @param message the last run's message; {@code null} when it passed
   * @param latency how long the last run took (the timeout when it timed out)
   * @param time when the last run started
   * @param consecutiveFailures failed runs in a row (0 after a pass)
   * @param consecutiveSuccesses passing runs in a row (0 after a failure)
   * @param unhealthyReason the instance-level reason when this check fails
   * @param details the last run's details; never {@code null}
   * @throws NullPointerException when a reference other than {@code message} is {@code null}
   */
  public CheckResult {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(criticality, "criticality");
    Objects.requireNonNull(componentType, "componentType");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(observed, "observed");
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(unhealthyReason, "unhealthyReason");
    details = Map.copyOf(Objects.requireNonNull(details, "details"));
  }
}
