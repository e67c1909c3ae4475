package io.vtp.app.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vtp.app.http.ApiException;
import io.vtp.redis.RedisScript;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The fleet as the instances see it, for the web page's fleet panel (issue 20): every instance beats every
 * {@link #BEAT} into one Redis hash ({@value #KEY}: its id, the Redis server time of the beat, how many requests it
 * has served and how many room sockets it holds), and {@code GET /api/v1/fleet} (public, API-limited, on the
 * public port: it shows nothing the {@code X-Instance-Id} header does not) answers the whole hash: an instance
 * whose last beat is older than {@link #DOWN_AFTER} is {@code down}, one that beats while draining (SIGTERM
 * received, leaving the load balancer) is {@code draining}, the others {@code up}; one older than
 * {@link #FORGET_AFTER} is dropped, one that stopped cleanly removed itself. Each call is one {@code EVALSHA}; the beats cost one
 * {@code EVALSHA} per instance per second. Both scripts stamp with the Redis server clock, the one clock every
 * instance shares.
 *
 * <p>Requests served are this instance's {@code http.server.requests} count without the health probes; nothing
 * new is counted per request.
 *
 * <p>Thread-safe.
 */
public final class FleetView implements AutoCloseable {
  /** The Redis hash of the instances' beats. */
  public static final String KEY = "vtp:fleet";
  /** How often an instance beats. */
  public static final Duration BEAT = Duration.ofSeconds(1);
  /** An instance without a beat for this long is shown as down. */
  public static final Duration DOWN_AFTER = Duration.ofSeconds(3);
  /** An instance without a beat for this long is forgotten. */
  public static final Duration FORGET_AFTER = Duration.ofMinutes(10);
  private static final Logger LOG = LoggerFactory.getLogger(FleetView.class);
  private static final RedisScript BEAT_SCRIPT = RedisScript.fromResource(FleetView.class, "fleet-beat.lua");
  private static final RedisScript READ_SCRIPT = RedisScript.fromResource(FleetView.class, "fleet-read.lua");
  private static final Duration KEY_EXPIRY = Duration.ofHours(1);

  private final UnifiedJedis redis;
  private final Guard guard;
  private final ObjectMapper json;
  private final String instanceId;
  private final MeterRegistry meters;
  private final IntSupplier sockets;
  private final BooleanSupplier draining;
  private final ScheduledExecutorService beats;
  private volatile boolean failing;

  /**
   * Creates the view and starts beating.
   *
   * @param redis the shared Redis (the session Redis: the fleet hash must not be evicted with cache entries)
   * @param guard the API limit for the endpoint
   * @param json the JSON mapper
   * @param instanceId this instance
   * @param meters where {@code http.server.requests} is recorded
   * @param sockets the number of open room sockets on this instance
   * @param draining whether this instance is draining
   */
  public FleetView(UnifiedJedis redis, Guard guard, ObjectMapper json, String instanceId, MeterRegistry meters,
      IntSupplier sockets, BooleanSupplier draining) {
    this.redis = redis;
    this.guard = guard;
    this.json = json;
    this.instanceId = instanceId;
    this.meters = meters;
    this.sockets = sockets;
    this.draining = draining;
    this.beats = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "vtp-fleet-beat");
      t.setDaemon(true);
      return t;
    });
    beats.scheduleWithFixedDelay(this::beat, 0, BEAT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Registers {@code GET /api/v1/fleet}.
   *
   * @param routes the route config
   */
  public void register(RoutesConfig routes) {
    routes.get("/api/v1/fleet", this::get);
  }

  private void beat() {
    try {
      Map<String, Object> figures = new LinkedHashMap<>();
      figures.put("requests", requestsServed());
      figures.put("sockets", sockets.getAsInt());
      figures.put("draining", draining.getAsBoolean());
      BEAT_SCRIPT.eval(redis, List.of(KEY), List.of(instanceId, json.writeValueAsString(figures),
          Long.toString(KEY_EXPIRY.toMillis())));
      if (failing) {
        failing = false;
        LOG.info("instance={} fleet heartbeat restored", instanceId);
      }
    } catch (JedisException | JsonProcessingException e) {
      if (!failing) {
        failing = true; // logged once per outage: the page shows this instance as down meanwhile
        LOG.warn("instance={} fleet heartbeat failed: {}", instanceId, e.toString());
      }
    } catch (RuntimeException e) {
      LOG.warn("instance={} fleet heartbeat failed: {}", instanceId, e.toString(), e);
    }
  }

  private long requestsServed() {
    long n = 0;
    for (Timer t : meters.find("http.server.requests").timers()) {
      String uri = t.getId().getTag("uri");
      if (uri == null || !uri.startsWith("/health")) {
        n += t.count();
      }
    }
    return n;
  }

  private void get(Context ctx) {
    guard.publicRoute(ctx);
    List<?> reply;
    try {
      reply = (List<?>) READ_SCRIPT.eval(redis, List.of(KEY), List.of(Long.toString(FORGET_AFTER.toMillis())));
    } catch (JedisException e) {
      throw ApiException.unavailable("fleet view unavailable (Redis did not answer)", 1);
    }
    long now = (Long) reply.get(0);
    List<Map<String, Object>> instances = new ArrayList<>();
    for (int i = 1; i + 1 < reply.size(); i += 2) {
      String id = String.valueOf(reply.get(i));
      String value = String.valueOf(reply.get(i + 1));
      int space = value.indexOf(' ');
      long seen = Long.parseLong(value.substring(0, space));
      JsonNode figures;
      try {
        figures = json.readTree(value.substring(space + 1));
      } catch (JsonProcessingException e) {
        continue; // written by another version: leave it out rather than fail the view
      }
      long age = Math.max(0, now - seen);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", id);
      String status = figures.path("draining").asBoolean() ? "draining" : "up";
      m.put("status", age > DOWN_AFTER.toMillis() ? "down" : status);
      m.put("lastBeatMs", age);
      m.put("requests", figures.path("requests").asLong());
      m.put("sockets", figures.path("sockets").asInt());
      instances.add(m);
    }
    instances.sort(Comparator.comparing(m -> (String) m.get("id")));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("instance", instanceId);
    body.put("downAfterMs", DOWN_AFTER.toMillis());
    body.put("instances", instances);
    ctx.header("Cache-Control", "no-store");
    ctx.json(body);
  }

  /** Stops beating and removes this instance from the view (a clean stop is not shown as down). */
  @Override
  public void close() {
    beats.shutdownNow();
    try {
      // A beat under way would put the entry back after the delete.
      if (!beats.awaitTermination(2, TimeUnit.SECONDS)) {
        LOG.debug("instance={} fleet beat still running at close", instanceId);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      redis.hdel(KEY, instanceId);
    } catch (JedisException e) {
      LOG.debug("instance={} could not leave the fleet view: {}", instanceId, e.toString());
    }
  }
}
