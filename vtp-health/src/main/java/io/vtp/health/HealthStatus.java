package io.vtp.health;

/** The status of one check or of a whole report, as the IETF health+json draft names it. Thread-safe. */
public enum HealthStatus {
  /** Healthy. */
  PASS("pass"),
  /** Healthy with concerns: a non-critical dependency failing, or a saturated pool. Still HTTP 200. */
  WARN("warn"),
  /** Unhealthy: a critical dependency failing, or the instance draining. HTTP 503. */
  FAIL("fail");

  private final String ietf;

  HealthStatus(String ietf) {
    this.ietf = ietf;
  }

  /**
   * Returns the health+json value: {@code pass}, {@code warn} or {@code fail}.
   *
   * @return the health+json value: {@code pass}, {@code warn} or {@code fail}; never {@code null}
   */
  public String ietf() {
    return ietf;
  }

  /**
   * Returns the worse of two statuses ({@code FAIL} over {@code WARN} over {@code PASS}).
   *
   * @param other the other status; not {@code null}
   * @return the worse one; never {@code null}
   * @throws NullPointerException when {@code other} is {@code null}
   */
  public HealthStatus worst(HealthStatus other) {
    return compareTo(other) >= 0 ? this : other;
  }
}
