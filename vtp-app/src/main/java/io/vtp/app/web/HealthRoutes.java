package io.vtp.app.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vtp.health.CheckResult;
import io.vtp.health.HealthFormat;
import io.vtp.health.HealthRegistry;
import io.vtp.health.HealthReport;
import io.vtp.health.HealthStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code /health}, {@code /health/live}, {@code /health/ready} and, on the management port only, {@code /metrics}.
 * They read snapshots only: no probe touches PostgreSQL, Redis, sessions or rate limits. On the public port the
 * checks carry their status, latency and reason but no message or details (exception text, host:port, pool
 * sizes); the management port ({@link io.vtp.app.ManagementServer}) shows everything.
 *
 * <ul>
 *   <li>{@code /health/live}: 200 while the process runs (health+json).</li>
 *   <li>{@code /health/ready}: 503 while draining or when PostgreSQL fails; Redis down only degrades it to
 *       {@code warn} (200), because cached reads are still served and authenticated routes answer 503 on their
 *       own (health+json).</li>
 *   <li>{@code /health}: the original platform's shape ({@code status} healthy/unhealthy, {@code instance},
 *       {@code timestamp}, {@code reason}) with every check; 503 when any dependency fails, as the original did.
 *       {@code Accept: application/health+json} gets the IETF shape.</li>
 * </ul>
 */
public final class HealthRoutes {
  private final HealthRegistry health;
  private final PrometheusMeterRegistry meters;
  private final boolean management;

  /**
   * Creates the routes.
   *
   * @param health the registry
   * @param meters the Prometheus registry
   * @param management true for the management port (details and {@code /metrics}), false for the public port
   */
  public HealthRoutes(HealthRegistry health, PrometheusMeterRegistry meters, boolean management) {
    this.health = health;
    this.meters = meters;
    this.management = management;
  }

  /**
   * Registers the routes.
   *
   * @param routes the route config
   */
  public void register(RoutesConfig routes) {
    routes.get("/health/live", ctx -> write(ctx, shown(health.liveness()), HealthFormat.HEALTH_JSON));
    routes.get("/health/ready", ctx -> write(ctx, shown(health.readiness()), HealthFormat.HEALTH_JSON));
    routes.get("/health", ctx -> {
      String accept = ctx.header("Accept");
      HealthFormat format = accept != null && accept.contains("application/health+json")
          ? HealthFormat.HEALTH_JSON : HealthFormat.COMPAT;
      write(ctx, shown(strict(health.report())), format);
    });
    if (management) {
      routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
          .result(meters.scrape()));
    }
  }

  private HealthReport shown(HealthReport report) {
    return management ? report : redacted(report);
  }

  /** The report without what only operators should read: check messages and details. */
  static HealthReport redacted(HealthReport report) {
    List<CheckResult> checks = new ArrayList<>();
    for (CheckResult c : report.checks()) {
      checks.add(new CheckResult(c.name(), c.criticality(), c.componentType(), c.status(), c.observed(),
          c.message() == null ? null : "see the management port", c.latency(), c.time(), c.consecutiveFailures(),
          c.consecutiveSuccesses(), c.unhealthyReason(), Map.of()));
    }
    return new HealthReport(report.view(), report.status(), report.instance(), report.time(), report.draining(),
        report.reason(), checks);
  }

  /** The original /health: any failing dependency makes the instance unhealthy (503). */
  static HealthReport strict(HealthReport report) {
    if (report.status() == HealthStatus.FAIL) {
      return report;
    }
    List<String> reasons = new ArrayList<>();
    for (CheckResult c : report.checks()) {
      if (c.status() == HealthStatus.FAIL) {
        reasons.add(c.unhealthyReason());
      }
    }
    if (reasons.isEmpty()) {
      return report;
    }
    return new HealthReport(report.view(), HealthStatus.FAIL, report.instance(), report.time(), report.draining(),
        String.join(", ", reasons), report.checks());
  }

  private static void write(Context ctx, HealthReport report, HealthFormat format) {
    ctx.status(report.httpStatus())
        .header("Cache-Control", "no-store")
        .contentType(format.contentType())
        .result(report.toJson(format));
  }
}
