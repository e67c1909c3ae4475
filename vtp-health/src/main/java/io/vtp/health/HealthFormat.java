package io.vtp.health;

/** How a {@link HealthReport} is rendered as JSON. Thread-safe. */
public enum HealthFormat {
  /**
   * The IETF health+json shape ({@code application/health+json}): top-level {@code status} is {@code pass},
   * {@code warn} or {@code fail}; plus {@code instance}, {@code timestamp} and {@code reason}.
   */
  HEALTH_JSON("application/health+json"),
  /**
   * A plain-JSON shape ({@code application/json}) for scripts and dashboards that expect a healthy/unhealthy word:
   * top-level {@code status} is {@code healthy} or {@code unhealthy} (a {@code warn} is healthy), the health+json
   * status moves to {@code health}; everything else is as in {@link #HEALTH_JSON}.
   */
  COMPAT("application/json");

  private final String contentType;

  HealthFormat(String contentType) {
    this.contentType = contentType;
  }

  /**
   * Returns the HTTP {@code Content-Type} for this format.
   *
   * @return the HTTP {@code Content-Type} for this format; never {@code null}
   */
  public String contentType() {
    return contentType;
  }
}
