package io.vtp.javalin;

import io.javalin.config.JavalinState;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.plugin.Plugin;
import io.vtp.health.CheckResult;
import io.vtp.health.HealthFormat;
import io.vtp.health.HealthRegistry;
import io.vtp.health.HealthReport;
import io.vtp.health.HealthStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code /health}, {@code /health/live} and {@code /health/ready} from a {@link HealthRegistry}. They read the
 * registry's snapshot only: no probe touches a database, Redis, the session store or a rate limit.
 *
 * <ul>
 *   <li>{@code /health/live}: 200 while the process runs ({@code application/health+json}).</li>
 *   <li>{@code /health/ready}: 503 while draining or when a critical check fails; a non-critical check failing
 *       only degrades it to {@code warn} (200) ({@code application/health+json}).</li>
 *   <li>{@code /health}: every check; 503 when any check fails. The compatible shape ({@code status}
 *       healthy/unhealthy, {@code instance}, {@code timestamp}, {@code reason}) by default,
 *       {@code application/health+json} when the request's {@code Accept} asks for it.</li>
 * </ul>
 * Without {@link Config#details}, checks show status, latency and reason but no message or details (exception
 * text, host:port, pool sizes): set it on a management port only. With {@link Config#drainOnStop} (the default)
 * readiness fails as soon as the server begins to stop. The plugin neither starts nor closes the registry.
 *
 * <pre>{@code
 * cfg.registerPlugin(new HealthPlugin(h -> h.registry = healthRegistry));
 * }</pre>
 *
 * <p>Thread-safe once built.
 */
public final class HealthPlugin extends Plugin<HealthPlugin.Config> {

  /**
   * The plugin's settings, changed in the {@code Consumer} given to the constructor. Not thread-safe: the plugin
   * reads it once, when it is created.
   */
  public static final class Config {
    /** The registry whose snapshots are served; required. */
    public HealthRegistry registry;
    /** Whether check messages and details are shown; default false (for a public port). */
    public boolean details;
    /** Whether readiness starts failing when the server begins to stop; default true. */
    public boolean drainOnStop = true;

    /** Creates the default settings; the plugin does. */
    Config() {}
  }

  /**
   * Creates the plugin.
   *
   * @param userConfig changes the default settings; not {@code null}
   * @throws IllegalArgumentException when {@code registry} is not set
   * @throws NullPointerException when {@code userConfig} is {@code null}
   */
  public HealthPlugin(Consumer<Config> userConfig) {
    super(userConfig, new Config());
    if (pluginConfig.registry == null) {
      throw new IllegalArgumentException("health plugin: registry must be set (a HealthRegistry, e.g. "
          + "HealthRegistry.builder().register(..).build()) but was null");
    }
  }

  @Override
  public void onInitialize(JavalinState state) {
    register(state.routes);
    if (pluginConfig.drainOnStop) {
      state.events.serverStopping(pluginConfig.registry::startDraining);
    }
  }

  private void register(RoutesConfig routes) {
    HealthRegistry health = pluginConfig.registry;
    routes.get("/health/live", ctx -> write(ctx, shown(health.liveness()), HealthFormat.HEALTH_JSON));
    routes.get("/health/ready", ctx -> write(ctx, shown(health.readiness()), HealthFormat.HEALTH_JSON));
    routes.get("/health", ctx -> {
      String accept = ctx.header("Accept");
      HealthFormat format = accept != null && accept.contains("application/health+json")
          ? HealthFormat.HEALTH_JSON : HealthFormat.COMPAT;
      write(ctx, shown(strict(health.report())), format);
    });
  }

  @Override
  public String name() {
    return "vtp-health";
  }

  private HealthReport shown(HealthReport report) {
    return pluginConfig.details ? report : redacted(report);
  }

  /** The report without what only operators should read: check messages and details. */
  private static HealthReport redacted(HealthReport report) {
    List<CheckResult> checks = new ArrayList<>();
    for (CheckResult c : report.checks()) {
      checks.add(new CheckResult(c.name(), c.criticality(), c.componentType(), c.status(), c.observed(),
          c.message() == null ? null : "see the management port", c.latency(), c.time(), c.consecutiveFailures(),
          c.consecutiveSuccesses(), c.unhealthyReason(), Map.of()));
    }
    return new HealthReport(report.view(), report.status(), report.instance(), report.time(), report.draining(),
        report.reason(), checks);
  }

  /** The full report, strict: any failing check makes the instance unhealthy (503). */
  private static HealthReport strict(HealthReport report) {
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
