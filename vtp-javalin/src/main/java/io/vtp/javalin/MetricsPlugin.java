package io.vtp.javalin;

import io.javalin.Javalin;
import io.javalin.config.JavalinState;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.plugin.Plugin;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Request metrics and the scrape endpoint. Every HTTP request is recorded in the timer {@code http.server.requests}
 * tagged {@code method}, {@code uri} (the route template, {@code NOT_FOUND} when no route matched, never the raw
 * path), {@code status} and {@code outcome} ({@code SUCCESS}, {@code CLIENT_ERROR}, {@code SERVER_ERROR}), as
 * Micrometer's own HTTP server instrumentation names them. With {@link Config#scrape} set, {@code GET /metrics}
 * serves it, on the application's port or, with {@link Config#managementPort}, on a listener of its own that
 * starts and stops with the server (so no proxy rule can expose it by accident).
 *
 * <pre>{@code
 * PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * cfg.registerPlugin(new MetricsPlugin(m -> {
 *   m.registry = prometheus;
 *   m.scrape = prometheus::scrape;
 *   m.managementPort = 9464;
 * }));
 * }</pre>
 *
 * <p>Needs {@code io.micrometer:micrometer-core} on the class path (an optional dependency of this jar). Thread-safe
 * once built.
 */
public final class MetricsPlugin extends Plugin<MetricsPlugin.Config> {
  /** The Prometheus text format's content type. */
  public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** One timer per method, status and route, built once and then looked up without building tags. */
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private volatile Javalin management;

  /**
   * The plugin's settings, changed in the {@code Consumer} given to the constructor. Not thread-safe: the plugin
   * reads it once, when it is created.
   */
  public static final class Config {
    /** The registry requests are recorded in; required. */
    public MeterRegistry registry;
    /** Whether requests are recorded ({@code http.server.requests}); default true. */
    public boolean recordRequests = true;
    /** The service level objectives the timer publishes buckets for; default 50, 100 and 250 ms. */
    public List<Duration> serviceLevelObjectives =
        List.of(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250));
    /** The scrape text served at {@code /metrics} (e.g. {@code prometheusRegistry::scrape}); null: no endpoint. */
    public Supplier<String> scrape;
    /** The content type of the scrape text; default {@link #PROMETHEUS_CONTENT_TYPE}. */
    public String scrapeContentType = PROMETHEUS_CONTENT_TYPE;
    /** The port of a separate listener for {@code /metrics} (0 for a free one); null (the default): the app's. */
    public Integer managementPort;
    /** The address the separate listener binds; default {@code 127.0.0.1}. */
    public String managementHost = "127.0.0.1";

    /** Creates the default settings; the plugin does. */
    Config() {}
  }

  /**
   * Creates the plugin.
   *
   * @param userConfig changes the default settings; not {@code null}
   * @throws IllegalArgumentException when a setting breaks its rule; the message names the setting and the rule
   * @throws NullPointerException when {@code userConfig} is {@code null}
   */
  public MetricsPlugin(Consumer<Config> userConfig) {
    super(userConfig, new Config());
    Config c = pluginConfig;
    if (c.registry == null) {
      throw new IllegalArgumentException("metrics plugin: registry must be set (a Micrometer MeterRegistry) but was "
          + "null");
    }
    if (c.serviceLevelObjectives == null || c.serviceLevelObjectives.stream()
        .anyMatch(d -> d == null || d.isNegative() || d.isZero())) {
      throw new IllegalArgumentException("metrics plugin: serviceLevelObjectives must be positive durations but was "
          + c.serviceLevelObjectives);
    }
    if (c.managementPort != null && (c.managementPort < 0 || c.managementPort > 65535)) {
      throw new IllegalArgumentException("metrics plugin: managementPort must be 0..65535 or null but was "
          + c.managementPort);
    }
    if (c.managementPort != null && c.scrape == null) {
      throw new IllegalArgumentException("metrics plugin: managementPort needs scrape (the text to serve at /metrics) "
          + "but scrape was null");
    }
    if (c.scrapeContentType == null || c.scrapeContentType.isBlank()) {
      throw new IllegalArgumentException("metrics plugin: scrapeContentType must not be blank");
    }
    if (c.managementHost == null || c.managementHost.isBlank()) {
      throw new IllegalArgumentException("metrics plugin: managementHost must not be blank");
    }
  }

  @Override
  public void onInitialize(JavalinState state) {
    Config c = pluginConfig;
    if (c.recordRequests) {
      state.requestLogger.http(this::record);
    }
    if (c.scrape != null) {
      Handler scrape = ctx -> ctx.contentType(c.scrapeContentType).result(c.scrape.get());
      if (c.managementPort == null) {
        state.routes.get("/metrics", scrape);
      } else {
        state.events.serverStarted(() -> {
          management = Javalin.create(m -> {
            m.startup.showJavalinBanner = false;
            m.startup.showOldJavalinVersionWarning = false;
            m.jetty.host = c.managementHost;
            m.jetty.port = c.managementPort;
            m.jetty.modifyServer(server -> server.setStopAtShutdown(false));
            m.routes.get("/metrics", scrape);
          }).start();
        });
        state.events.serverStopped(() -> {
          Javalin m = management;
          if (m != null) {
            m.stop();
          }
        });
      }
    }
  }

  /**
   * Returns the port of the separate {@code /metrics} listener.
   *
   * @return the port it listens on, or -1 when there is none or it is not running
   */
  public int managementPort() {
    Javalin m = management;
    return m == null ? -1 : m.port();
  }

  @Override
  public String name() {
    return "vtp-metrics";
  }

  private void record(Context ctx, Float ms) {
    String route;
    try {
      route = ctx.endpoint().path;
    } catch (RuntimeException e) {
      route = "NOT_FOUND";
    }
    int status = ctx.statusCode();
    String method = ctx.method().name();
    String uri = route;
    timers.computeIfAbsent(method + ' ' + status + ' ' + uri, k -> Timer.builder("http.server.requests")
        .description("HTTP requests by route template, method and status")
        .publishPercentileHistogram()
        .serviceLevelObjectives(pluginConfig.serviceLevelObjectives.toArray(new Duration[0]))
        .tags("method", method, "uri", uri, "status", Integer.toString(status),
            "outcome", status >= 500 ? "SERVER_ERROR" : status >= 400 ? "CLIENT_ERROR" : "SUCCESS")
        .register(pluginConfig.registry))
        .record((long) (ms * 1_000_000), TimeUnit.NANOSECONDS);
  }
}
