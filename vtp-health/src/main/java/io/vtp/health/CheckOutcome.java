package io.vtp.health;

import java.util.Map;
import java.util.Objects;

/**
 * What one run of a {@link HealthCheck} observed. Latency and time are measured by the registry, not here.
 *
 * <p>Immutable and thread-safe.
 *
 * @param status the observed status; never {@code null}
 * @param message a short human-readable explanation, e.g. the error; {@code null} when passing
 * @param details extra values for the full report (numbers, strings, booleans); never {@code null}, may be empty
 */
public record CheckOutcome(HealthStatus status, String message, Map<String, Object> details) {
  /**
   * Validates and copies.
   *
   * @param status the observed status; never {@code null}
   * @param message a short human-readable explanation, e.g. the error; {@code null} when passing
   * @param details extra values for the full report (numbers, strings, booleans); never {@code null}, may be empty
   * @throws NullPointerException when {@code status} or {@code details} (or one of its keys or values) is
   *     {@code null}
   */
  public CheckOutcome {
    Objects.requireNonNull(status, "status");
    details = Map.copyOf(Objects.requireNonNull(details, "details"));
  }

  /**
   * Returns a passing outcome with no details.
   *
   * @return a passing outcome with no details; never {@code null}
   */
  public static CheckOutcome pass() {
    return new CheckOutcome(HealthStatus.PASS, null, Map.of());
  }

  /**
   * Returns a passing outcome with details.
   *
   * @param details extra values; not {@code null}
   * @return the outcome; never {@code null}
   * @throws NullPointerException when {@code details} (or one of its keys or values) is {@code null}
   */
  public static CheckOutcome pass(Map<String, Object> details) {
    return new CheckOutcome(HealthStatus.PASS, null, details);
  }

  /**
   * Returns a warning outcome.
   *
   * @param message why; not {@code null}
   * @param details extra values; not {@code null}
   * @return the outcome; never {@code null}
   * @throws NullPointerException when an argument (or a key or value of {@code details}) is {@code null}
   */
  public static CheckOutcome warn(String message, Map<String, Object> details) {
    return new CheckOutcome(HealthStatus.WARN, Objects.requireNonNull(message, "message"), details);
  }

  /**
   * Returns a failing outcome.
   *
   * @param message why; not {@code null}
   * @return the outcome; never {@code null}
   * @throws NullPointerException when {@code message} is {@code null}
   */
  public static CheckOutcome fail(String message) {
    return new CheckOutcome(HealthStatus.FAIL, Objects.requireNonNull(message, "message"), Map.of());
  }
}
