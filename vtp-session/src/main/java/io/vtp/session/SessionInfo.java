package io.vtp.session;

import io.vtp.session.internal.JsonValues;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A session listed by {@link SessionStore#findAllForUser(String)}. It has no id: the store keeps only a hash of
 * each id, so it cannot hand ids back (and a listing could not leak a usable token anyway). The {@code handle}
 * names the session without being able to authenticate as it, e.g. to mark "this device" in a list.
 *
 * <p>An immutable snapshot; thread-safe.
 *
 * @param handle a stable, non-secret name of the session (URL-safe, 43 characters); never {@code null}
 * @param userId the user; never {@code null}
 * @param attributes the attributes (see {@link Session}); never {@code null}, deeply unmodifiable
 * @param createdAt when the session was created
 * @param lastAccessedAt when the idle expiry was last slid
 * @param idleExpiresAt when the session ends unless it is used again
 * @param absoluteExpiresAt when the session ends however busy it is
 * @param version the record's version
 */
public record SessionInfo(String handle, String userId, Map<String, Object> attributes, Instant createdAt,
    Instant lastAccessedAt, Instant idleExpiresAt, Instant absoluteExpiresAt, long version) {

  /**
   * Validates and copies the values.
   *
   * @param handle the non-secret name of the session; not {@code null}
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
  public SessionInfo {
    Objects.requireNonNull(handle, "handle");
    Objects.requireNonNull(userId, "userId");
    attributes = JsonValues.copyOf(Objects.requireNonNull(attributes, "attributes"));
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(lastAccessedAt, "lastAccessedAt");
    Objects.requireNonNull(idleExpiresAt, "idleExpiresAt");
    Objects.requireNonNull(absoluteExpiresAt, "absoluteExpiresAt");
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
   * Returns the earlier of the idle and absolute expiry.
   *
   * @return the expiry instant; never {@code null}
   */
  public Instant expiresAt() {
    return idleExpiresAt.isBefore(absoluteExpiresAt) ? idleExpiresAt : absoluteExpiresAt;
  }
}
