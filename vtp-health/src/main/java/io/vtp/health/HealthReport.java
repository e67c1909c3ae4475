package io.vtp.health;

import io.vtp.health.internal.HealthJson;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One health answer: a view (liveness, readiness or full), its overall status and the checks behind it. Built
 * from the registry's snapshot; building one never touches a dependency.
 *
 * <p>Immutable and thread-safe.
 *
 * @param view which probe this answers
 * @param status the overall status
 * @param instance the instance id, e.g. {@code backend-1}
 * @param time when the report was made
 * @param draining whether the instance is draining (shutting down)
 * @param reason why it is unhealthy, e.g. {@code database unreachable}; {@code null} unless {@code status} is
 *     {@link HealthStatus#FAIL}
 * @param checks the checks behind the status; empty for liveness
 */
public record HealthReport(
    View view, HealthStatus status, String instance, Instant time, boolean draining, String reason,
    List<CheckResult> checks) {

  /** Which probe a report answers. */
  public enum View {
    /** Is the process alive? Never touches a dependency; fails only when the process should be restarted. */
    LIVENESS,
    /** Should this instance get traffic? Critical dependencies and the draining flag. */
    READINESS,
    /** Everything: every check with its details. */
    FULL
  }

  /**
   * Validates and copies.
   *
   * @param view which probe this answers
   * @param status the overall status
   * @param instance the instance id, e.g. {@code backend-1}
   * @param time when the report was made
   * @param draining whether the instance is draining (shutting down)
   * @param reason why it is unhealthy, e.g. {@code database unreachable}; {@code null} unless {@code status} is
   *     {@link HealthStatus#FAIL}
   * @param checks the checks behind the status; empty for liveness
   * @throws NullPointerException when {@code view}, {@code status}, {@code instance}, {@code time} or {@code checks}
   *     is {@code null}
   */
  public HealthReport {
    Objects.requireNonNull(view, "view");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(time, "time");
    checks = List.copyOf(Objects.requireNonNull(checks, "checks"));
  }

  /**
   * Returns the HTTP status for this report: 503 when {@link HealthStatus#FAIL}, else 200.
   *
   * @return the HTTP status for this report: 503 when {@link HealthStatus#FAIL}, else 200
   */
  public int httpStatus() {
    return status == HealthStatus.FAIL ? 503 : 200;
  }

  /**
   * Returns whether the status is not {@link HealthStatus#FAIL}.
   *
   * @return whether the status is not {@link HealthStatus#FAIL}
   */
  public boolean isHealthy() {
    return status != HealthStatus.FAIL;
  }

  /**
   * Renders the report as JSON.
   *
   * @param format the shape; see {@link HealthFormat#contentType()} for the matching content type; not
   *     {@code null}
   * @return the JSON document; never {@code null}
   * @throws NullPointerException when {@code format} is {@code null}
   */
  public String toJson(HealthFormat format) {
    return HealthJson.write(this, Objects.requireNonNull(format, "format"));
  }
}
