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
import io.vtp.app.config.SecurityConfig;
import io.vtp.app.http.ApiException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 * <p>Authorization: every room belongs to a course ({@link RoomPolicy}); a member is let in after authenticating
 * only when the policy allows, else closed with 1008. Membership and the session are checked again when they can
 * change: a revocation published through Redis ({@link Revocations}: logout, logout everywhere, rotation, role
 * change, un-enrolment, course deletion) closes the affected sockets on every instance as soon as it arrives
 * (milliseconds); a revalidation timer checks every open socket's session and membership every
 * {@code WS_REVALIDATE_INTERVAL} (default 30 s) and closes those that lost either, so a lost revocation or an
 * expired session closes a socket within that interval plus the duration of one pass. Closes for these reasons use
 * 1008 and are counted in {@code ws.policy.closes{reason}}.
 *
 * <p>Abuse limits, kept in this process: each connection has a token bucket ({@code WS_MESSAGES_PER_SECOND},
 * burst {@code WS_MESSAGE_BURST}); a client over it is closed with 1008 ({@code reason=message-rate}). A user may
 * hold {@code WS_MAX_CONNECTIONS_PER_USER} room connections per instance; one more is closed with 1008
 * ({@code reason=connection-cap}). Local on purpose: a connection lives on one instance, so its bucket is exact
 * there without a Redis round trip per message, and a per-user count of open connections kept in Redis would leak
 * whenever an instance dies without decrementing it (locking users out until a TTL), while the local cap still
 * bounds a user to the cap times the number of instances.
 *
 * <p>Thread-safe.
 */
public final class RoomHub implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RoomHub.class);
  private static final String CHANNEL_PREFIX = "vtp:room:";
  /** The field a relayed event carries its producer span's trace context in (tracing on only; never delivered). */
  private static final String TRACEPARENT = "traceparent";
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
  private final RoomPolicy policy;
  private final SecurityConfig limits;
  private final Map<String, Counter> policyCloses = new ConcurrentHashMap<>();
  private final MeterRegistry meters;
  private final Map<String, Member> members = new ConcurrentHashMap<>();
  private final Map<String, Set<Member>> rooms = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timers;
  private final Thread subscriber;
  private final Counter relayed;
  private final Counter publishErrors;
  private final io.vtp.app.tracing.Tracing tracing;
  private volatile JedisPubSub pubSub;
  /**
   * Whether this instance's pattern subscription is live: Redis pub/sub delivers at most once, so a message published
   * while the subscriber is reconnecting (after a Redis restart) would reach nobody here, the sender included. It is
   * refused with an error frame instead of being lost silently.
   */
  private volatile boolean subscribed;
  private final java.util.concurrent.CountDownLatch firstSubscription = new java.util.concurrent.CountDownLatch(1);
  private volatile boolean closed;
  /** Standalone Redis counts every receiver in PUBLISH's reply; a cluster node counts only its own clients. */
  private final boolean countsReceivers;

  /**
   * Creates the hub and starts its Redis subscriber thread.
   *
   * @param redis the shared client
   * @param auth resolves session tokens
   * @param json the JSON mapper
   * @param instanceId this instance
   * @param clock the clock for timestamps
   * @param meters where counters go
   * @param policy who may be in which room
   * @param limits the message and connection limits and the revalidation interval
   */
  public RoomHub(UnifiedJedis redis, AuthService auth, ObjectMapper json, String instanceId, Clock clock,
      MeterRegistry meters, RoomPolicy policy, SecurityConfig limits) {
    this(redis, auth, json, instanceId, clock, meters, policy, limits, io.vtp.app.tracing.Tracing.off());
  }

  /**
   * Like the constructor above, with tracing of the relay when it is on: a producer span ({@code PUBLISH vtp:room})
   * around each publish of a room event, whose traceparent the event carries through Redis, and on every instance a
   * consumer span ({@code process vtp:room}) in the same trace around its delivery to the local members.
   *
   * @param redis the Redis of the rooms
   * @param auth re-validates sessions
   * @param json the mapper
   * @param instanceId this instance
   * @param clock the clock
   * @param meters the registry
   * @param policy who may join which room
   * @param limits the WebSocket limits
   * @param tracing the tracing (possibly off)
   */
  public RoomHub(UnifiedJedis redis, AuthService auth, ObjectMapper json, String instanceId, Clock clock,
      MeterRegistry meters, RoomPolicy policy, SecurityConfig limits, io.vtp.app.tracing.Tracing tracing) {
    this.tracing = tracing;
    this.redis = redis;
    this.countsReceivers = !(redis instanceof redis.clients.jedis.RedisClusterClient);
    this.auth = auth;
    this.json = json;
    this.instanceId = instanceId;
    this.clock = clock;
    this.policy = policy;
    this.limits = limits;
    this.meters = meters;
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
    try {
      // Bounded: with Redis down the hub still starts, and refuses room messages until the subscription is live.
      firstSubscription.await(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long every = limits.wsRevalidateInterval().toMillis();
    timers.scheduleWithFixedDelay(this::revalidateAll, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * Configures the {@code /ws/rooms/{roomId}} endpoint.
   *
   * @param ws the endpoint's configuration
   */
  public void configure(WsConfig ws) {
    ws.onConnect(ctx -> {
      String room = ctx.pathParam("roomId");
      OptionalLong course = RoomPolicy.courseOf(room);
      if (course.isEmpty()) {
        ctx.closeSession(POLICY_VIOLATION, "room id must be " + RoomPolicy.ROOM_RULE);
        return;
      }
      Member member = new Member(ctx, room, course.getAsLong(), limits.wsMessageBurst());
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
      if (!member.take(System.nanoTime(), limits.wsMessagesPerSecond(), limits.wsMessageBurst())) {
        closeForPolicy(member, "message-rate", "message rate exceeded (" + limits.wsMessagesPerSecond()
            + "/s, burst " + limits.wsMessageBurst() + ")");
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
    Principal principal = p.get();
    long open = members.values().stream()
        .filter(m -> m.principal != null && m.principal.userId() == principal.userId()).count();
    if (open >= limits.wsMaxConnectionsPerUser()) {
      closeForPolicy(member, "connection-cap", "too many connections (at most " + limits.wsMaxConnectionsPerUser()
          + " per user)");
      return true;
    }
    RoomPolicy.Decision d;
    try {
      d = policy.decide(principal, member.courseId);
    } catch (ApiException e) {
      member.close(TRY_AGAIN_LATER, "room policy cannot be checked right now");
      return true;
    }
    if (d != RoomPolicy.Decision.ALLOWED) {
      closeForPolicy(member, "not-member", denial(d, member.courseId));
      return true;
    }
    member.tokenHash = Revocations.hash(token);
    member.principal = principal;
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
    if (!subscribed) {
      publishErrors.increment();
      from.sendError("room relay unavailable, try again");
      return;
    }
    try {
      String payload = json.writeValueAsString(e);
      String channel = CHANNEL_PREFIX + from.room;
      // With tracing on, the event carries its producer span's traceparent (the receivers remove it before
      // delivering), so each instance's delivery joins the sender's trace.
      long receivers = tracing.producerSpan("PUBLISH vtp:room", channel,
          traceparent -> redis.publish(channel, traceparent == null ? payload : withTraceparent(payload, traceparent)));
      if (receivers == 0 && countsReceivers) {
        // Nobody received it, this instance included: its subscription died and it has not noticed yet.
        publishErrors.increment();
        from.sendError("room relay unavailable, try again");
      }
    } catch (JedisException | com.fasterxml.jackson.core.JsonProcessingException ex) {
      publishErrors.increment();
      from.sendError("room relay unavailable, try again");
    }
  }

  /** Adds {@code "traceparent"} as the last field of a serialized event (an object, so it ends with '}'). */
  private static String withTraceparent(String event, String traceparent) {
    return event.substring(0, event.length() - 1) + ",\"" + TRACEPARENT + "\":\"" + traceparent + "\"}";
  }

  private void deliver(String channel, String message) {
    String room = channel.substring(CHANNEL_PREFIX.length());
    Set<Member> local = rooms.get(room);
    if (local == null || local.isEmpty()) {
      return;
    }
    String to = null;
    String traceparent = null;
    String frame = message;
    try {
      JsonNode e = json.readTree(message);
      if (e.hasNonNull("to")) {
        to = e.get("to").asText();
      }
      if (e instanceof ObjectNode && e.hasNonNull(TRACEPARENT)) {
        // The members get the event as it was sent, without the relay's trace context.
        traceparent = ((ObjectNode) e).remove(TRACEPARENT).asText();
        frame = json.writeValueAsString(e);
      }
    } catch (java.io.IOException ex) {
      return;
    }
    String recipient = to;
    String text = frame;
    int delivered = tracing.consumerSpan("process vtp:room", channel, traceparent, () -> {
      int n = 0;
      for (Member m : local) {
        if (recipient == null || recipient.equals(Long.toString(m.principal.userId()))) {
          m.sendRaw(text);
          n++;
        }
      }
      return n;
    });
    relayed.increment(delivered);
  }

  private void subscribeLoop() {
    long backoff = 100;
    while (!closed) {
      JedisPubSub listener = new JedisPubSub() {
        @Override
        public void onPSubscribe(String pattern, int subscribedChannels) {
          if (subscribedChannels == 2) {
            subscribed = true;
            firstSubscription.countDown();
          }
        }

        @Override
        public void onPMessage(String pattern, String channel, String message) {
          if (channel.equals(Revocations.CHANNEL)) {
            revoke(message);
          } else {
            deliver(channel, message);
          }
        }
      };
      pubSub = listener;
      try {
        redis.psubscribe(listener, CHANNEL_PREFIX + "*", Revocations.CHANNEL);
        subscribed = false;
        backoff = 100;
      } catch (JedisException | IllegalStateException e) {
        if (subscribed) {
          backoff = 100; // it had been live: a fresh failure, not a Redis that stays down
        }
        subscribed = false;
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

  private static String denial(RoomPolicy.Decision d, long courseId) {
    return d == RoomPolicy.Decision.NO_SUCH_COURSE ? "course " + courseId + " does not exist"
        : "not a member of course " + courseId;
  }

  private void closeForPolicy(Member m, String reason, String text) {
    policyCloses.computeIfAbsent(reason, r -> Counter.builder("ws.policy.closes").tag("reason", r)
        .description("WebSockets closed with 1008 by the room policy or the abuse limits").register(meters))
        .increment();
    m.close(POLICY_VIOLATION, text);
  }

  /** Handles a revocation from {@link Revocations}; runs on the subscriber thread, so database work is handed off. */
  private void revoke(String message) {
    JsonNode r;
    try {
      r = json.readTree(message);
    } catch (java.io.IOException e) {
      return;
    }
    String session = r.path("session").asText(null);
    long user = r.path("user").asLong(-1);
    long course = r.path("course").asLong(-1);
    List<Member> recheck = new ArrayList<>();
    for (Member m : members.values()) {
      Principal p = m.principal;
      if (p == null) {
        continue;
      }
      if (session != null && session.equals(m.tokenHash)) {
        closeForPolicy(m, "revoked", "session ended");
      } else if (course < 0 && user >= 0 && p.userId() == user) {
        closeForPolicy(m, "revoked", "session ended");
      } else if (course >= 0 && m.courseId == course && (user < 0 || p.userId() == user)) {
        recheck.add(m);
      }
    }
    if (!recheck.isEmpty()) {
      timers.execute(() -> recheck.forEach(m -> revalidate(m, false)));
    }
  }

  /** The backstop: every open socket's session and membership, checked again. */
  private void revalidateAll() {
    for (Member m : members.values()) {
      if (closed) {
        return;
      }
      if (m.principal != null && !revalidate(m, true)) {
        return; // a dependency is down: the rest would each wait for its timeout; the next tick tries again
      }
    }
  }

  /** Checks one member again; returns false when a dependency could not answer. */
  private boolean revalidate(Member m, boolean session) {
    Principal p = m.principal;
    try {
      if (session) {
        Optional<Principal> now = auth.authenticate(p.token());
        if (now.isEmpty() || !now.get().role().equals(p.role())) {
          closeForPolicy(m, "revoked", "session ended");
          return true;
        }
      }
      RoomPolicy.Decision d = policy.decide(p, m.courseId);
      if (d != RoomPolicy.Decision.ALLOWED) {
        closeForPolicy(m, "not-member", denial(d, m.courseId));
      }
      return true;
    } catch (ApiException | JedisException e) {
      // A dependency outage is not a revocation: keep the socket, try again on the next tick.
      LOG.debug("instance={} revalidation skipped: {}", instanceId, e.toString());
      return false;
    } catch (RuntimeException e) {
      LOG.warn("instance={} revalidation failed: {}", instanceId, e.toString(), e);
      return true;
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
    final long courseId;
    volatile Principal principal;
    volatile String tokenHash;
    private double tokens;
    private long refilledAt = System.nanoTime();

    Member(WsContext ctx, String room, long courseId, int burst) {
      this.ctx = ctx;
      this.room = room;
      this.courseId = courseId;
      this.tokens = burst;
    }

    /** The token bucket: refills at {@code perSecond} up to {@code burst}; takes one token per message. */
    synchronized boolean take(long nowNanos, int perSecond, int burst) {
      tokens = Math.min(burst, tokens + (nowNanos - refilledAt) * perSecond / 1e9);
      refilledAt = nowNanos;
      if (tokens < 1) {
        return false;
      }
      tokens -= 1;
      return true;
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
