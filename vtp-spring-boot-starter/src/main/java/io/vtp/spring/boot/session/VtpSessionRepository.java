package io.vtp.spring.boot.session;

import io.vtp.session.SessionInfo;
import io.vtp.session.SessionStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.PrincipalNameIndexResolver;
import org.springframework.session.Session;

/**
 * Spring Session on {@code vtp-session}: what {@code spring-session-data-redis} does, correct on Redis Cluster and
 * with fewer round trips. Each session is one {@code vtp-session} session whose user is the principal name (as
 * {@link FindByIndexNameSessionRepository#PRINCIPAL_NAME_INDEX_NAME} or Spring Security's context give it), so the
 * store's per-user index answers {@link #findByPrincipalName(String)} without keyspace notifications, and no
 * operation uses {@code RENAME} or a command across hash slots. Attributes are JSON (see
 * {@link SessionAttributeCodec}); the idle timeout, absolute lifetime and id hashing are the store's.
 *
 * <p>Redis round trips per operation: {@link #findById(String)} 1 (0 for the second read of one id in a
 * {@linkplain #openRequestScope() request scope}); {@link #save(VtpSession)} 0 when the request
 * changed nothing, 1 for a new session or changed attributes (only the changed ones are sent, and concurrent
 * requests changing different attributes of one session both keep their change), 2 when the id changes
 * ({@link Session#changeSessionId()}, or a new principal: the session moves to the new user and the old id ends);
 * {@link #deleteById(String)} 1.
 *
 * <p>A session without a principal (before login) is stored under a random user of its own
 * ({@code $anonymous:<random>}); the login that sets a principal moves it to that principal under a new id.
 *
 * <p>Failures: {@link io.vtp.session.SessionStoreUnavailableException} (a
 * {@link io.vtp.redis.BackendUnavailableException}) when Redis fails; the auto-configuration answers it with 503
 * and {@code Retry-After}. A session ended elsewhere while a request ran is not written back.
 *
 * <p>Thread-safe.
 */
public final class VtpSessionRepository implements FindByIndexNameSessionRepository<VtpSession> {
  private static final String ANONYMOUS = "$anonymous:";
  private static final String ATTRIBUTES = "a";
  private static final String SECURITY_CONTEXT = "SPRING_SECURITY_CONTEXT";

  private final SessionStore store;
  private final SessionAttributeCodec codec;
  private final Duration idleTimeout;
  private final Clock clock;
  private final PrincipalNameIndexResolver<Session> principals = new PrincipalNameIndexResolver<>();
  private final SecureRandom random = new SecureRandom();
  private final ThreadLocal<Map<String, Optional<io.vtp.session.Session>>> requestMemo = new ThreadLocal<>();

  /**
   * Creates the repository.
   *
   * @param store the session store, configured with the idle timeout given here; not {@code null}
   * @param codec the attribute codec; not {@code null}
   * @param idleTimeout the store's idle timeout, reported as every session's max inactive interval; not {@code null}
   * @param clock the clock for the creation time of sessions not yet saved; not {@code null}
   * @throws NullPointerException when an argument is {@code null}
   */
  public VtpSessionRepository(SessionStore store, SessionAttributeCodec codec, Duration idleTimeout, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.codec = Objects.requireNonNull(codec, "codec");
    this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Returns a new session, not yet in Redis (no round trip); {@link #save(VtpSession)} stores it.
   *
   * @return the session, with a provisional id; never {@code null}
   */
  @Override
  public VtpSession createSession() {
    Instant now = clock.instant();
    return new VtpSession(this, null, provisionalId(null), now, now, Map.of(), idleTimeout, false);
  }

  /**
   * Writes what the request changed (see the class comment for the round trips).
   *
   * @param session a session from this repository; not {@code null}
   * @throws UnsupportedOperationException for a session listed by {@link #findByPrincipalName(String)}
   * @throws IllegalArgumentException when an attribute cannot be stored as JSON or the attributes exceed the store's
   *     size cap
   * @throws io.vtp.session.SessionStoreUnavailableException when Redis fails or times out
   */
  @Override
  public void save(VtpSession session) {
    Objects.requireNonNull(session, "session");
    if (session.readOnly()) {
      throw new UnsupportedOperationException("a session listed by findByPrincipalName is a read-only snapshot");
    }
    io.vtp.session.Session stored = session.stored();
    if (stored == null) {
      String principal = principals.resolveIndexValueFor(session);
      Map<String, Object> attributes = session.encodedAttributes();
      io.vtp.session.Session created = store.create(principal != null ? principal : newAnonymousUser(),
          Map.of(ATTRIBUTES, attributes));
      session.saved(created, attributes);
      remember(created.id(), Optional.of(created));
      return;
    }
    boolean principalMayChange = session.changed(SECURITY_CONTEXT) || session.changed(PRINCIPAL_NAME_INDEX_NAME);
    if (!principalMayChange && !session.rotateRequested() && !session.hasChanges()) {
      return;
    }
    String user = stored.userId();
    String wanted = user;
    if (principalMayChange) {
      String principal = principals.resolveIndexValueFor(session);
      wanted = principal != null ? principal : user.startsWith(ANONYMOUS) ? user : newAnonymousUser();
    }
    if (!wanted.equals(user)) {
      // A new principal: ids belong to their user in vtp-session, so the session moves: created under the new user
      // with every attribute, then the old id ended (two keys in different slots on a cluster: two round trips).
      Map<String, Object> attributes = session.encodedAttributes();
      io.vtp.session.Session created = store.create(wanted, Map.of(ATTRIBUTES, attributes));
      store.delete(stored.id());
      session.saved(created, attributes);
      remember(stored.id(), Optional.empty());
      remember(created.id(), Optional.of(created));
      return;
    }
    io.vtp.session.Session base = stored;
    if (session.rotateRequested()) {
      Optional<io.vtp.session.Session> rotated = store.rotate(stored.id());
      remember(stored.id(), Optional.empty());
      if (rotated.isEmpty()) {
        session.gone();
        return;
      }
      base = rotated.get();
    }
    if (session.hasChanges()) {
      Map<String, Object> delta = session.encodedChanges();
      Optional<io.vtp.session.Session> updated = store.update(base, applying(delta));
      if (updated.isEmpty()) {
        session.gone(); // ended elsewhere (logout, log out everywhere): never written back
        remember(base.id(), Optional.empty());
        return;
      }
      base = updated.get();
    }
    session.saved(base, attributesOf(base));
    remember(base.id(), Optional.of(base));
  }

  /**
   * Opens a request scope on this thread: until it is closed, a second {@link #findById(String)} of the same id
   * answers from the first instead of Redis. Spring Session's filter reads the requested session twice per request
   * (when the application asks for it, and again when it commits), so this saves one round trip per request; the
   * auto-configuration opens one around the filter. Saves and deletes in the scope record what they wrote, so a
   * read after them sees the new state (or nothing, for an id they ended).
   *
   * @return the scope; close it when the request ends; never {@code null}
   */
  public RequestScope openRequestScope() {
    Map<String, Optional<io.vtp.session.Session>> previous = requestMemo.get();
    requestMemo.set(new HashMap<>());
    return () -> {
      if (previous == null) {
        requestMemo.remove();
      } else {
        requestMemo.set(previous);
      }
    };
  }

  /** A request scope (see {@link #openRequestScope()}); close it on the thread that opened it. */
  public interface RequestScope extends AutoCloseable {
    /** Ends the scope: later reads go to Redis again. */
    @Override
    void close();
  }

  /** Records in the request scope, if one is open, what this request now knows of an id. */
  private void remember(String id, Optional<io.vtp.session.Session> state) {
    Map<String, Optional<io.vtp.session.Session>> memo = requestMemo.get();
    if (memo != null) {
      memo.put(id, state);
    }
  }

  private static Consumer<Map<String, Object>> applying(Map<String, Object> delta) {
    return attrs -> {
      Map<String, Object> a = new LinkedHashMap<>(mapOrEmpty(attrs.get(ATTRIBUTES)));
      delta.forEach((name, json) -> {
        if (json == null) {
          a.remove(name);
        } else {
          a.put(name, json);
        }
      });
      attrs.put(ATTRIBUTES, a);
    };
  }

  /**
   * Finds a live session (one round trip; slides its idle expiry as the store does).
   *
   * @param id the id from the client; not {@code null}, any string
   * @return the session, or {@code null} when unknown, expired or malformed
   * @throws io.vtp.session.SessionStoreUnavailableException when Redis fails or times out
   */
  @Override
  public VtpSession findById(String id) {
    Objects.requireNonNull(id, "id");
    Map<String, Optional<io.vtp.session.Session>> memo = requestMemo.get();
    Optional<io.vtp.session.Session> found = memo == null ? null : memo.get(id);
    if (found == null) {
      found = store.find(id);
      if (memo != null) {
        memo.put(id, found);
      }
    }
    return found.map(s -> new VtpSession(this, s, s.id(), s.createdAt(), s.lastAccessedAt(), attributesOf(s),
        idleTimeout, false)).orElse(null);
  }

  /**
   * Ends a session (one round trip); a provisional id ends the session it was given for.
   *
   * @param id the id; not {@code null}, any string
   * @throws io.vtp.session.SessionStoreUnavailableException when Redis fails or times out
   */
  @Override
  public void deleteById(String id) {
    Objects.requireNonNull(id, "id");
    int dot = id.indexOf('.');
    String stored = dot < 0 ? id : id.substring(0, dot);
    remember(stored, Optional.empty());
    store.delete(stored);
  }

  /**
   * Finds sessions by an index: only {@link #PRINCIPAL_NAME_INDEX_NAME} is indexed.
   *
   * @param indexName the index name; not {@code null}
   * @param indexValue the principal name; not {@code null}
   * @return the sessions (see {@link #findByPrincipalName(String)}), or an empty map for another index
   * @throws io.vtp.session.SessionStoreUnavailableException when Redis fails or times out
   */
  @Override
  public Map<String, VtpSession> findByIndexNameAndIndexValue(String indexName, String indexValue) {
    Objects.requireNonNull(indexName, "indexName");
    Objects.requireNonNull(indexValue, "indexValue");
    if (!PRINCIPAL_NAME_INDEX_NAME.equals(indexName) || indexValue.isBlank() || indexValue.startsWith(ANONYMOUS)
        || indexValue.length() > 512) {
      return Map.of();
    }
    List<SessionInfo> sessions = store.findAllForUser(indexValue);
    Map<String, VtpSession> out = new LinkedHashMap<>();
    for (SessionInfo s : sessions) {
      out.put(s.handle(), new VtpSession(this, null, s.handle(), s.createdAt(), s.lastAccessedAt(),
          attributesOf(s.attributes()), idleTimeout, true));
    }
    return out;
  }

  /**
   * Lists a principal's live sessions (one round trip), soonest expiry first. The store keeps only hashes of ids,
   * so the keys (and each session's {@link VtpSession#getId()}) are non-secret handles, not ids, and the sessions
   * are read-only snapshots: end them with {@link SessionStore#deleteAllForUser(String)} (log out everywhere) or
   * cap them with {@code vtp.session.max-sessions-per-user}.
   *
   * @param principalName the principal name; not {@code null}
   * @return handle to session; never {@code null}
   * @throws io.vtp.session.SessionStoreUnavailableException when Redis fails or times out
   */
  @Override
  public Map<String, VtpSession> findByPrincipalName(String principalName) {
    return findByIndexNameAndIndexValue(PRINCIPAL_NAME_INDEX_NAME, principalName);
  }

  private static Map<String, Object> attributesOf(io.vtp.session.Session s) {
    return attributesOf(s.attributes());
  }

  private static Map<String, Object> attributesOf(Map<String, Object> stored) {
    return mapOrEmpty(stored.get(ATTRIBUTES));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> mapOrEmpty(Object value) {
    return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  private String newAnonymousUser() {
    return ANONYMOUS + randomText();
  }

  /** A provisional id: never well formed, so it finds nothing; after a stored id, it names that session. */
  String provisionalId(io.vtp.session.Session stored) {
    return (stored == null ? "new" : stored.id()) + "." + randomText();
  }

  SessionAttributeCodec codec() {
    return codec;
  }

  /** 128 random bits, base64url. */
  private String randomText() {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
