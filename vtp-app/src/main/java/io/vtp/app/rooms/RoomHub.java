package io.vtp.app.rooms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vtp.app.auth.AuthService;
import io.vtp.app.auth.Principal;
import io.vtp.app.http.ApiException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * WebSocket rooms that span every instance: a message sent to a room on one instance is published to Redis
 * ({@code PUBLISH vtp:room:<id>}) and every instance, subscribed to {@code vtp:room:*}, delivers it to its own
 * members of that room. So a room's members may be connected to different instances, and nginx stickiness is
 * only an optimisation.
 *
 * <p>Protocol (JSON text frames): authenticate with the session cookie on the upgrade request, or with a first
 * message {@code {"type":"auth","token":"..."}} within 10 s (never a token in the URL). Then send
 * {@code {"type":"message","data":...}} or {@code {"type":"signal","to":<userId>?,"data":...}} (relayed as opaque
 * JSON for the media server). Members receive {@code message}, {@code signal}, {@code join} and {@code leave}
 * events, each with the room, the sender and the instance that relayed it.
 *
 * <p>Thread-safe.
 */
public final class RoomHub implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RoomHub.class);
  private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final String CHANNEL_PREFIX = "vtp:room:";
  /** RFC 6455 close codes. */
  private static final int POLICY_VIOLATION = 1008;
  private static final int GOING_AWAY = 1001;
  private static final int TRY_AGAIN_LATER = 1013;
  private static final int MAX_MESSAGE_CHARS = 64 * 1024;

  private final UnifiedJedis redis;
  private final AuthService auth;
  private final ObjectMapper json;
  private final String instanceId;
  private final Clock clock;
  private final Map<String, Member> members = new ConcurrentHashMap<>();
  private final Map<String, Set<Member>> rooms = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timers;
  private final Thread subscriber;
  private final Counter relayed;
  private final Counter publishErrors;
  private volatile JedisPubSub pubSub;
  private volatile boolean closed;

  /**
   * Creates the hub and starts its Redis subscriber thread.
   *
   * @param redis the shared client
   * @param auth resolves session tokens
   * @param json the JSON mapper
   * @param instanceId this instance
   * @param clock the clock for timestamps
   * @param meters where counters go
   */
  public RoomHub(UnifiedJedis redis, AuthService auth, ObjectMapper json, String instanceId, Clock clock,
      MeterRegistry meters) {
    this.redis = redis;
    this.auth = auth;
    this.json = json;
    this.instanceId = instanceId;
    this.clock = clock;
    this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "vtp-rooms-timer");
      t.setDaemon(true);
      return t;
    });
    this.relayed = Counter.builder("ws.messages.relayed").description("Room events delivered to local members")
        .register(meters);
    this.publishErrors = Counter.builder("ws.publish.errors").description("Room events Redis did not accept")
        .register(meters);
    Gauge.builder("ws.connections", members, Map::size).description("Open WebSocket connections").register(meters);
    this.subscriber = new Thread(this::subscribeLoop, "vtp-rooms-subscriber");
    subscriber.setDaemon(true);
    subscriber.start();
  }

  /**
   * Configures the {@code /ws/rooms/{roomId}} endpoint.
   *
   * @param ws the endpoint's configuration
   */
  public void configure(WsConfig ws) {
    ws.onConnect(ctx -> {
      String room = ctx.pathParam("roomId");
      if (!ROOM.matcher(room).matches()) {
        ctx.closeSession(POLICY_VIOLATION, "room id must match [A-Za-z0-9_-]{1,64}");
        return;
      }
      Member member = new Member(ctx, room);
      members.put(ctx.sessionId(), member);
      ctx.enableAutomaticPings(15, TimeUnit.SECONDS);
      String token = tokenOf(ctx);
      if (token != null && authenticate(member, token)) {
        return;
      }
      if (member.principal == null && ctx.session.isOpen()) {
        timers.schedule(() -> {
          if (member.principal == null) {
            member.close(POLICY_VIOLATION, "authentication required");
          }
        }, 10, TimeUnit.SECONDS);
      }
    });
    ws.onMessage(ctx -> {
      Member member = members.get(ctx.sessionId());
      if (member == null) {
        return;
      }
      String text = ctx.message();
      if (text.length() > MAX_MESSAGE_CHARS) {
        member.sendError("message too large (max " + MAX_MESSAGE_CHARS + " characters)");
        return;
      }
      JsonNode msg;
      try {
        msg = json.readTree(text);
      } catch (java.io.IOException e) {
        member.sendError("malformed JSON");
        return;
      }
      String type = msg.path("type").asText("");
      if (member.principal == null) {
        if (type.equals("auth") && msg.path("token").isTextual()) {
          if (!authenticate(member, msg.path("token").asText())) {
            member.close(POLICY_VIOLATION, "authentication failed");
          }
        } else {
          member.close(POLICY_VIOLATION, "authenticate first: {\"type\":\"auth\",\"token\":\"...\"}");
        }
        return;
      }
      switch (type) {
        case "message":
          publish(member, "message", msg.path("data"), null);
          break;
        case "signal":
          publish(member, "signal", msg.path("data"), msg.hasNonNull("to") ? msg.get("to").asText() : null);
          break;
        case "ping":
          member.send(event("pong", member.room));
          break;
        default:
          member.sendError("unknown type '" + type + "': use message, signal or ping");
      }
    });
    ws.onClose(ctx -> leave(ctx.sessionId()));
    ws.onError(ctx -> leave(ctx.sessionId()));
  }

  private String tokenOf(WsContext ctx) {
    String header = ctx.header("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return header.substring(7).trim();
    }
    String cookie = ctx.cookie("__Host-vtp_session");
    return cookie != null ? cookie : ctx.cookie("vtp_session");
  }

  private boolean authenticate(Member member, String token) {
    Optional<Principal> p;
    try {
      p = auth.authenticate(token);
    } catch (ApiException e) {
      member.close(TRY_AGAIN_LATER, "session store unavailable");
      return false;
    }
    if (p.isEmpty()) {
      return false;
    }
    member.principal = p.get();
    rooms.computeIfAbsent(member.room, r -> ConcurrentHashMap.newKeySet()).add(member);
    ObjectNode welcome = event("welcome", member.room);
    welcome.put("userId", member.principal.userId());
    member.send(welcome);
    publish(member, "join", null, null);
    return true;
  }

  private void leave(String sessionId) {
    Member member = members.remove(sessionId);
    if (member == null || member.principal == null) {
      return;
    }
    Set<Member> set = rooms.get(member.room);
    if (set != null) {
      set.remove(member);
      if (set.isEmpty()) {
        rooms.remove(member.room, set);
      }
    }
    if (!closed) {
      publish(member, "leave", null, null);
    }
  }

  private ObjectNode event(String type, String room) {
    ObjectNode e = json.createObjectNode();
    e.put("type", type);
    e.put("room", room);
    e.put("instance", instanceId);
    e.put("ts", clock.millis());
    return e;
  }

  private void publish(Member from, String type, JsonNode data, String to) {
    ObjectNode e = event(type, from.room);
    ObjectNode sender = e.putObject("from");
    sender.put("userId", from.principal.userId());
    sender.put("name", from.principal.fullName());
    if (to != null) {
      e.put("to", to);
    }
    if (data != null && !data.isMissingNode()) {
      e.set("data", data);
    }
    try {
      redis.publish(CHANNEL_PREFIX + from.room, json.writeValueAsString(e));
    } catch (JedisException | com.fasterxml.jackson.core.JsonProcessingException ex) {
      publishErrors.increment();
      from.sendError("room relay unavailable, try again");
    }
  }

  private void deliver(String channel, String message) {
    String room = channel.substring(CHANNEL_PREFIX.length());
    Set<Member> local = rooms.get(room);
    if (local == null || local.isEmpty()) {
      return;
    }
    String to = null;
    try {
      JsonNode e = json.readTree(message);
      if (e.hasNonNull("to")) {
        to = e.get("to").asText();
      }
    } catch (java.io.IOException ex) {
      return;
    }
    for (Member m : local) {
      if (to == null || to.equals(Long.toString(m.principal.userId()))) {
        m.sendRaw(message);
        relayed.increment();
      }
    }
  }

  private void subscribeLoop() {
    long backoff = 100;
    while (!closed) {
      JedisPubSub listener = new JedisPubSub() {
        @Override
        public void onPMessage(String pattern, String channel, String message) {
          deliver(channel, message);
        }
      };
      pubSub = listener;
      try {
        redis.psubscribe(listener, CHANNEL_PREFIX + "*");
        backoff = 100;
      } catch (JedisException | IllegalStateException e) {
        if (closed) {
          return;
        }
        LOG.warn("instance={} room subscription lost ({}); retrying in {} ms", instanceId, e.toString(), backoff);
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
        backoff = Math.min(2000, backoff * 2);
      }
    }
  }

  /** Returns the number of open connections on this instance. */
  public int connections() {
    return members.size();
  }

  /** Closes every connection with 1001 "going away" (clients reconnect to another instance). */
  public void goingAway() {
    closed = true;
    for (Member m : members.values()) {
      m.close(GOING_AWAY, "instance shutting down");
    }
  }

  @Override
  public void close() {
    goingAway();
    JedisPubSub p = pubSub;
    if (p != null) {
      try {
        p.punsubscribe();
      } catch (RuntimeException e) {
        // the connection is already gone
      }
    }
    timers.shutdownNow();
  }

  /** One connection. */
  private final class Member {
    final WsContext ctx;
    final String room;
    volatile Principal principal;

    Member(WsContext ctx, String room) {
      this.ctx = ctx;
      this.room = room;
    }

    synchronized void sendRaw(String text) {
      try {
        if (ctx.session.isOpen()) {
          ctx.send(text);
        }
      } catch (RuntimeException e) {
        LOG.debug("send to a closing WebSocket failed: {}", e.toString());
      }
    }

    void send(ObjectNode node) {
      try {
        sendRaw(json.writeValueAsString(node));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        LOG.debug("cannot write event", e);
      }
    }

    void sendError(String error) {
      ObjectNode e = event("error", room);
      e.put("error", error);
      send(e);
    }

    synchronized void close(int code, String reason) {
      try {
        if (ctx.session.isOpen()) {
          ctx.closeSession(code, reason);
        }
      } catch (RuntimeException e) {
        LOG.debug("close of a WebSocket failed: {}", e.toString());
      }
    }
  }
}
