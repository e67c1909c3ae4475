package io.vtp.app.rooms;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vtp.app.auth.SessionEvents;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Publishes WebSocket revocations on the Redis channel {@value #CHANNEL}; every instance's {@link RoomHub} is
 * subscribed and closes its affected sockets (1008) when one arrives, usually within milliseconds. Messages are
 * JSON: {@code {"session":"<sha-256 of the id>"}}, {@code {"user":5}}, {@code {"course":42,"user":5}} (re-check
 * that member) or {@code {"course":42}} (re-check every member of the course). A session id is never published,
 * only its hash.
 *
 * <p>Redis pub/sub is at most once: an instance whose subscription is down when a revocation is published misses
 * it. {@link RoomHub}'s revalidation timer is the backstop, so every affected socket is closed within
 * {@code WS_REVALIDATE_INTERVAL} (default 30 s) at the latest. A failed publish is counted in
 * {@code ws.revocations{result=error}} and left to the same backstop.
 *
 * <p>Thread-safe.
 */
public final class Revocations implements SessionEvents {
  /** The channel. */
  public static final String CHANNEL = "vtp:ws-revoke";
  private static final Logger LOG = LoggerFactory.getLogger(Revocations.class);

  private final UnifiedJedis redis;
  private final ObjectMapper json;
  private final Counter published;
  private final Counter failed;

  /**
   * Creates the publisher.
   *
   * @param redis the shared client
   * @param json the JSON mapper
   * @param meters where {@code ws.revocations} goes
   */
  public Revocations(UnifiedJedis redis, ObjectMapper json, MeterRegistry meters) {
    this.redis = redis;
    this.json = json;
    this.published = Counter.builder("ws.revocations").tag("result", "published")
        .description("WebSocket revocations published to every instance").register(meters);
    this.failed = Counter.builder("ws.revocations").tag("result", "error")
        .description("WebSocket revocations published to every instance").register(meters);
  }

  /** Returns the hash under which a session id is revoked. */
  static String hash(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  @Override
  public void sessionEnded(String token) {
    ObjectNode m = json.createObjectNode();
    m.put("session", hash(token));
    publish(m);
  }

  @Override
  public void userSessionsEnded(long userId) {
    ObjectNode m = json.createObjectNode();
    m.put("user", userId);
    publish(m);
  }

  /**
   * A user's membership of a course may have ended (un-enrolment): that user's sockets in the course's rooms are
   * checked against {@link RoomPolicy} again.
   *
   * @param courseId the course
   * @param userId the user
   */
  public void membershipChanged(long courseId, long userId) {
    ObjectNode m = json.createObjectNode();
    m.put("course", courseId);
    m.put("user", userId);
    publish(m);
  }

  /**
   * A course was deleted: every socket in its rooms is checked again (and closed).
   *
   * @param courseId the course
   */
  public void courseChanged(long courseId) {
    ObjectNode m = json.createObjectNode();
    m.put("course", courseId);
    publish(m);
  }

  private void publish(ObjectNode m) {
    try {
      redis.publish(CHANNEL, json.writeValueAsString(m));
      published.increment();
    } catch (JedisException | com.fasterxml.jackson.core.JsonProcessingException e) {
      failed.increment();
      LOG.warn("WebSocket revocation not published ({}); the revalidation timer closes the sockets", e.toString());
    }
  }
}
