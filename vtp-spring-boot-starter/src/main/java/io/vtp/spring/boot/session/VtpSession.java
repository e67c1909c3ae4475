package io.vtp.spring.boot.session;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.springframework.session.Session;

/**
 * A Spring Session {@link Session} of {@link VtpSessionRepository}: a request's working copy of one
 * {@code vtp-session} session. It records which attributes the request set or removed, and
 * {@link VtpSessionRepository#save(VtpSession)} writes only those (one round trip).
 *
 * <p><b>Ids.</b> {@code vtp-session} chooses ids and ties each to its user (the principal), so an id is final only
 * once saved: {@link #getId()} of a session not yet saved, and the value {@link #changeSessionId()} returns, are
 * provisional until the end of the request, when the save assigns the real id and Spring Session puts that in the
 * cookie. Code that keeps a session id should read it in a later request.
 *
 * <p>Not thread-safe: one request uses it, as Spring Session does.
 */
public final class VtpSession implements Session {
  private static final Object REMOVED = new Object();

  private final Duration maxInactiveInterval;
  private final boolean readOnly;
  private io.vtp.session.Session stored; // null until saved
  private String id;
  private Instant creationTime;
  private Instant lastAccessedTime;
  private Map<String, Object> raw; // name -> stored JSON value
  private final Map<String, Object> decoded = new HashMap<>();
  private final Map<String, Object> changes = new LinkedHashMap<>(); // name -> value or REMOVED
  private boolean rotate;
  private final SessionAttributeCodec codec;
  private final VtpSessionRepository repository;

  VtpSession(VtpSessionRepository repository, io.vtp.session.Session stored, String id, Instant creationTime,
      Instant lastAccessedTime, Map<String, Object> raw, Duration maxInactiveInterval, boolean readOnly) {
    this.repository = repository;
    this.codec = repository.codec();
    this.stored = stored;
    this.id = id;
    this.creationTime = creationTime;
    this.lastAccessedTime = lastAccessedTime;
    this.raw = raw;
    this.maxInactiveInterval = maxInactiveInterval;
    this.readOnly = readOnly;
  }

  /**
   * Returns the session id: the final one once saved, a provisional one before (see the class comment). For a
   * session listed by {@link VtpSessionRepository#findByPrincipalName(String)} it is the session's non-secret
   * handle, which names the session but cannot authenticate as it.
   *
   * @return the id; never {@code null}
   */
  @Override
  public String getId() {
    return id;
  }

  /**
   * Asks for a new id (session fixation protection): the save at the end of the request gives the session a new
   * id and ends the old one on every instance. Returns a provisional id (see the class comment).
   *
   * @return the provisional new id; never {@code null}
   * @throws UnsupportedOperationException for a session listed by {@code findByPrincipalName}
   */
  @Override
  public String changeSessionId() {
    checkWritable();
    rotate = stored != null;
    id = repository.provisionalId(stored);
    return id;
  }

  /**
   * Returns an attribute, decoded from JSON on first use.
   *
   * @param attributeName the name; not {@code null}
   * @param <T> the expected type
   * @return the value, or {@code null} when absent or not readable (see {@link SessionAttributeCodec#decode})
   */
  @Override
  @SuppressWarnings("unchecked")
  public <T> T getAttribute(String attributeName) {
    Objects.requireNonNull(attributeName, "attributeName");
    Object change = changes.get(attributeName);
    if (change != null) {
      return change == REMOVED ? null : (T) change;
    }
    if (decoded.containsKey(attributeName)) {
      return (T) decoded.get(attributeName);
    }
    Object json = raw.get(attributeName);
    if (json == null) {
      return null;
    }
    Object value = codec.decode(attributeName, json);
    decoded.put(attributeName, value);
    return (T) value;
  }

  /**
   * Returns the names of the attributes.
   *
   * @return an unmodifiable snapshot; never {@code null}
   */
  @Override
  public Set<String> getAttributeNames() {
    Set<String> names = new LinkedHashSet<>(raw.keySet());
    changes.forEach((name, value) -> {
      if (value == REMOVED) {
        names.remove(name);
      } else {
        names.add(name);
      }
    });
    return Collections.unmodifiableSet(names);
  }

  /**
   * Sets an attribute; written by the next save. A {@code null} value removes it.
   *
   * @param attributeName the name; not {@code null}
   * @param attributeValue the value, or {@code null}
   * @throws UnsupportedOperationException for a session listed by {@code findByPrincipalName}
   */
  @Override
  public void setAttribute(String attributeName, Object attributeValue) {
    Objects.requireNonNull(attributeName, "attributeName");
    checkWritable();
    changes.put(attributeName, attributeValue == null ? REMOVED : attributeValue);
  }

  /**
   * Removes an attribute; written by the next save.
   *
   * @param attributeName the name; not {@code null}
   * @throws UnsupportedOperationException for a session listed by {@code findByPrincipalName}
   */
  @Override
  public void removeAttribute(String attributeName) {
    setAttribute(attributeName, null);
  }

  /**
   * Returns when the session was created.
   *
   * @return the creation time; never {@code null}
   */
  @Override
  public Instant getCreationTime() {
    return creationTime;
  }

  /**
   * Records the access time for this request only: the store slides the idle expiry itself when the session is
   * read (at most once per {@code vtp.session.touch-threshold}), so no write is needed for it.
   *
   * @param lastAccessedTime the time; not {@code null}
   */
  @Override
  public void setLastAccessedTime(Instant lastAccessedTime) {
    this.lastAccessedTime = Objects.requireNonNull(lastAccessedTime, "lastAccessedTime");
  }

  /**
   * Returns when the session was last used, as precise as the store's touch threshold.
   *
   * @return the time; never {@code null}
   */
  @Override
  public Instant getLastAccessedTime() {
    return lastAccessedTime;
  }

  /**
   * Accepts only the store's idle timeout ({@code vtp.session.idle-timeout}): the idle timeout is one value for the
   * whole store, as with {@code @EnableRedisHttpSession(maxInactiveIntervalInSeconds)}.
   *
   * @param interval the interval; not {@code null}
   * @throws UnsupportedOperationException when it differs from the store's idle timeout (the message says which
   *     property to set instead)
   */
  @Override
  public void setMaxInactiveInterval(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    if (!interval.equals(maxInactiveInterval)) {
      throw new UnsupportedOperationException("a session's max inactive interval is vtp.session.idle-timeout ("
          + maxInactiveInterval + ") for every session; set that property instead of " + interval);
    }
  }

  /**
   * Returns the idle timeout, {@code vtp.session.idle-timeout}.
   *
   * @return the interval; never {@code null}
   */
  @Override
  public Duration getMaxInactiveInterval() {
    return maxInactiveInterval;
  }

  /**
   * Returns {@code false}: the repository hands out live sessions only (the store enforces idle and absolute
   * expiry when it reads).
   *
   * @return {@code false}
   */
  @Override
  public boolean isExpired() {
    return false;
  }

  // ---- for the repository ----

  io.vtp.session.Session stored() {
    return stored;
  }

  boolean readOnly() {
    return readOnly;
  }

  boolean rotateRequested() {
    return rotate;
  }

  boolean hasChanges() {
    return !changes.isEmpty();
  }

  boolean changed(String attributeName) {
    return changes.containsKey(attributeName);
  }

  /** The changes, encoded: name to JSON value, or to {@code null} for a removal. */
  Map<String, Object> encodedChanges() {
    Map<String, Object> out = new LinkedHashMap<>();
    changes.forEach((name, value) -> out.put(name, value == REMOVED ? null : codec.encode(name, value)));
    return out;
  }

  /** Every attribute as stored JSON, with the changes applied. */
  Map<String, Object> encodedAttributes() {
    Map<String, Object> out = new LinkedHashMap<>(raw);
    encodedChanges().forEach((name, json) -> {
      if (json == null) {
        out.remove(name);
      } else {
        out.put(name, json);
      }
    });
    return out;
  }

  /** The save wrote {@code now}: adopt its id and attributes; the changes are now the stored state. */
  void saved(io.vtp.session.Session now, Map<String, Object> nowRaw) {
    stored = now;
    id = now.id();
    creationTime = now.createdAt();
    raw = nowRaw;
    decoded.clear();
    changes.forEach((name, value) -> {
      if (value != REMOVED) {
        decoded.put(name, value);
      }
    });
    changes.clear();
    rotate = false;
  }

  /** The session was ended elsewhere while this request ran: nothing more is written. */
  void gone() {
    changes.clear();
    rotate = false;
  }

  private void checkWritable() {
    if (readOnly) {
      throw new UnsupportedOperationException("a session listed by findByPrincipalName is a read-only snapshot;"
          + " end a user's sessions with SessionStore.deleteAllForUser");
    }
  }
}
