package io.vtp.session;

import io.vtp.session.internal.JsonValues;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A session as the store returned it: an immutable snapshot, never updated in place; thread-safe.
 *
 * <p>{@code id} is the secret token handed to the client (a cookie value). The store keeps only a SHA-256 hash of
 * it in Redis, so the id exists nowhere but here and in the client; {@link #toString()} masks it.
 *
 * <p>{@code attributes} hold JSON values only: {@code String}, {@code Boolean}, {@code Long} (every integer comes
 * back as {@code Long}, or {@code BigInteger} beyond its range), finite {@code Double}, {@code List} and
 * {@code Map<String, ?>} of those; no {@code null}. The map and everything inside it are unmodifiable.
 *
 * <p>The session ends at {@link #expiresAt()}: the earlier of the idle expiry (slid forward by reads and writes)
 * and the absolute expiry (fixed at creation, kept by rotation).
 *
 * @param id the session id (token); never {@code null}
 * @param userId the user the session belongs to; never {@code null}
 * @param attributes the attributes; never {@code null}, deeply unmodifiable
 * @param createdAt when the session was created
 * @param lastAccessedAt when the idle expiry was last slid (touch throttling makes this coarse, see
 *     {@link RedisSessionStore.Builder#touchThreshold(java.time.Duration)})
 * @param idleExpiresAt when the session ends unless it is used again
 * @param absoluteExpiresAt when the session ends however busy it is
 * @param version starts at 1, incremented by every update and rotation (not by the idle slide of a find, so
 *     concurrent reads never make an update conflict); used for optimistic concurrency
 */
public record Session(String id, String userId, Map<String, Object> attributes, Instant createdAt,
    Instant lastAccessedAt, Instant idleExpiresAt, Instant absoluteExpiresAt, long version) {

  /**
   * Validates and copies the values.
   *
   * @param id the session id (token); not {@code null}
   * @param userId the user; not {@code null}
   * @param attributes the attributes, JSON values only; not {@code null}, copied deeply unmodifiable
   * @param createdAt when the session was created; not {@code null}
   * @param lastAccessedAt when the idle expiry was last slid; not {@code null}
   * @param idleExpiresAt when the session ends unless it is used again; not {@code null}
   * @param absoluteExpiresAt when the session ends however busy it is; not {@code null}
   * @param version the record's version
   * @throws NullPointerException when any reference is {@code null}
   * @throws IllegalArgumentException when an attribute is not a JSON value
   */
  public Session {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(userId, "userId");
    attributes = JsonValues.copyOf(Objects.requireNonNull(attributes, "attributes"));
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(lastAccessedAt, "lastAccessedAt");
    Objects.requireNonNull(idleExpiresAt, "idleExpiresAt");
    Objects.requireNonNull(absoluteExpiresAt, "absoluteExpiresAt");
  }

  /**
   * Returns when the session ends: the earlier of the idle and absolute expiry.
   *
   * @return the expiry instant; never {@code null}
   */
  public Instant expiresAt() {
    return idleExpiresAt.isBefore(absoluteExpiresAt) ? idleExpiresAt : absoluteExpiresAt;
  }

  /**
   * Returns one attribute.
   *
   * @param name the attribute name; not {@code null}
   * @return the value, or {@code null} when absent
   * @throws NullPointerException when {@code name} is {@code null}
   */
  public Object attribute(String name) {
    return attributes.get(Objects.requireNonNull(name, "name"));
  }

  /**
   * Describes the session with the id masked, safe for logs.
   *
   * @return the description, never the id; never {@code null}
   */
  @Override
  public String toString() {
    return "Session[id=<masked>, userId=" + userId + ", attributes=" + attributes.keySet() + ", createdAt=" + createdAt
        + ", lastAccessedAt=" + lastAccessedAt + ", idleExpiresAt=" + idleExpiresAt + ", absoluteExpiresAt="
        + absoluteExpiresAt + ", version=" + version + "]";
  }
}
