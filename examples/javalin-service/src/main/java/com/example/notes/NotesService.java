package com.example.notes;

import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vtp.health.Criticality;
import io.vtp.health.HealthChecks;
import io.vtp.health.HealthRegistry;
import io.vtp.javalin.ClientAddressPlugin;
import io.vtp.javalin.HealthPlugin;
import io.vtp.javalin.MetricsPlugin;
import io.vtp.javalin.RateLimitPlugin;
import io.vtp.javalin.SessionPlugin;
import io.vtp.ratelimit.RateLimiter;
import io.vtp.ratelimit.RedisRateLimiter;
import io.vtp.session.RedisSessionStore;
import io.vtp.session.SessionStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.UnifiedJedis;

/**
 * A small notes service: sessions, a rate limit per client address on the notes routes, health and metrics, all
 * from the VTP Scale Javalin plugins over one Redis.
 */
public final class NotesService implements AutoCloseable {
  private final RateLimiter notesLimit;
  private final HealthRegistry health;
  private final PrometheusMeterRegistry meters;
  private final Javalin app;

  /**
   * Creates the service; {@link #start(int)} starts it.
   *
   * @param redis the Redis client (the caller closes it)
   * @param notesPerMinute requests per minute and client address on {@code /notes/*}
   */
  public NotesService(UnifiedJedis redis, int notesPerMinute) {
    SessionStore sessions = RedisSessionStore.builder(redis).name("notes-sessions").build();
    notesLimit = RedisRateLimiter.builder(redis).name("notes").limit(notesPerMinute)
        .window(Duration.ofMinutes(1)).build();
    health = HealthRegistry.builder().instanceId("notes-1")
        .register(HealthChecks.redis(redis, Criticality.CRITICAL)).build();
    meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    app = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.registerPlugin(new ClientAddressPlugin(c -> c.trustedProxies = List.of("127.0.0.1")));
      cfg.registerPlugin(new SessionPlugin(s -> s.store = sessions));
      cfg.registerPlugin(new RateLimitPlugin(r -> r.limit("/notes/*", notesLimit,
          ctx -> "ip:" + ctx.with(ClientAddressPlugin.class).ip())));
      cfg.registerPlugin(new HealthPlugin(h -> h.registry = health));
      cfg.registerPlugin(new MetricsPlugin(m -> {
        m.registry = meters;
        m.scrape = meters::scrape;
      }));
      cfg.routes.post("/login/{user}", ctx -> ctx.result(
          ctx.with(SessionPlugin.class).login(ctx.pathParam("user"), Map.of()).expiresAt().toString()));
      cfg.routes.get("/notes/{id}", ctx -> ctx.result("note " + ctx.pathParam("id") + " of "
          + ctx.with(SessionPlugin.class).require().userId()));
    });
  }

  /**
   * Starts health checks and the server.
   *
   * @param port the port, 0 for a free one
   * @return this
   */
  public NotesService start(int port) {
    health.start();
    app.start("127.0.0.1", port);
    return this;
  }

  /**
   * Returns the port the server listens on.
   *
   * @return the port
   */
  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
    notesLimit.close();
    health.close();
    meters.close();
  }
}
