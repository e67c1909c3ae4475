package io.vtp.app;

import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vtp.app.config.AppConfig;
import io.vtp.health.HealthRegistry;
import io.vtp.javalin.HealthPlugin;
import io.vtp.javalin.MetricsPlugin;

/**
 * The management port ({@code MANAGEMENT_PORT}, default 9464): {@code /metrics} for Prometheus and the health
 * endpoints with every detail (check messages with exception text, host:port, pool sizes). It is a listener of its
 * own so that no proxy rule can expose it by accident: nginx and the Kubernetes Ingress forward only to the public
 * port, and Prometheus scrapes this one directly (inside the cluster or on loopback). Nothing else is served here,
 * and the public port serves no {@code /metrics} (404, with or without a trailing slash).
 *
 * <p>Thread-safe.
 */
final class ManagementServer implements AutoCloseable {
  private final Javalin javalin;
  private final AppConfig config;

  ManagementServer(AppConfig config, HealthRegistry health, PrometheusMeterRegistry meters) {
    this.config = config;
    this.javalin = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.startup.showOldJavalinVersionWarning = false;
      cfg.jetty.host = config.managementHost();
      cfg.jetty.port = config.managementPort();
      cfg.jetty.modifyServer(server -> server.setStopAtShutdown(false));
      cfg.jetty.modifyHttpConfiguration(http -> {
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
      });
      cfg.http.defaultContentType = "application/json";
      cfg.registerPlugin(new HealthPlugin(h -> {
        h.registry = health;
        h.details = true;
        h.drainOnStop = false;
      }));
      cfg.registerPlugin(new MetricsPlugin(m -> {
        m.registry = meters;
        m.recordRequests = false;
        m.scrape = meters::scrape;
      }));
    });
  }

  void start() {
    javalin.start();
  }

  /** Returns the port it listens on. */
  int port() {
    return javalin.port();
  }

  @Override
  public void close() {
    javalin.stop();
  }

  @Override
  public String toString() {
    return "ManagementServer[" + config.instanceId() + " " + config.managementHost() + ":" + config.managementPort()
        + "]";
  }
}
