package io.vtp.session;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Server-side sessions shared by every instance of a horizontally scaled backend: any instance reads any
 * session, so no sticky sessions are needed and an instance can die without logging anyone out.
 *
 * <p>Every operation is one round trip to the backend and atomic there. Ids are opaque strings of 59 URL-safe
 * characters carrying 256 random bits; the store rejects anything else before touching the backend, so any
 * client-supplied cookie value may be passed in as is.
 *
 * <p>Failures: a backend error or timeout raises {@link SessionStoreUnavailableException} (answer 503); the
 * store never turns an outage into "no session". Unknown, expired, malformed and corrupt sessions read as empty.
 * With replica acknowledgement configured, a create, rotate, delete or delete-all that too few replicas confirmed
 * in time raises its subclass {@link SessionNotReplicatedException} (also a 503: the write is applied on the master
 * but not safe from a failover yet).
 *
 * <p>Implementations are thread-safe; share one per application. Create the Redis one with
 * {@link RedisSessionStore#builder(redis.clients.jedis.UnifiedJedis)}.
 */
public interface SessionStore {

  /**
   * Creates a session with a fresh id. When the user already has the configured maximum of sessions, the one
   * that would expire first (the least recently used) is ended to make room.
   *
   * @param userId the user; non-blank, at most 512 characters
   * @param attributes initial attributes, JSON values only (see {@link Session}); may be empty
   * @return the new session, with the id to hand to the client; never {@code null}
   * @throws IllegalArgumentException when the user id is blank or too long, an attribute is not a JSON value, or
   *     the attributes exceed the configured size cap
   * @throws NullPointerException when an argument is {@code null}
   * @throws SessionStoreUnavailableException when the backend fails or times out
   */
  Session create(String userId, Map<String, ?> attributes);

  /**
   * Finds a session and slides its idle expiry (only when the configured touch threshold has passed since the
   * last slide, so a busy user costs no write per request).
   *
   * @param id the session id as the client sent it; any string
   * @return the session, or empty when the id is unknown, expired, malformed or its record corrupt (a corrupt
   *     record is deleted and counted)
   * @throws NullPointerException when {@code id} is {@code null}
   * @throws SessionStoreUnavailableException when the backend fails or times out
   */
  Optional<Session> find(String id);

  /**
   * Prepares {@link #find(String) find(id)} to share a Redis round trip with other libraries' calls: pass it to
   * {@link io.vtp.redis.RoundTrip#send(io.vtp.redis.PipelinedCall...)} together with them, then read
   * {@link PipelinedFind#result()}: the same answer, slide, metrics and exceptions as {@code find(id)}, in the same
   * one round trip (rare cases cost one more, as for {@code find}). {@link PipelinedFind#rememberedUserId()} tells,
   * before the round trip, whose session this store last found under this id.
   *
   * <p>The default implementation shares no round trip: it runs {@code find(id)} when the call is completed and
   * remembers no user.
   *
   * @param id the session id as the client sent it; any string
   * @return the call, to be sent once; never {@code null}
   * @throws NullPointerException when {@code id} is {@code null}
   */
  default PipelinedFind findCall(String id) {
    return PipelinedFind.direct(this, id);
  }

  /**
   * Changes a session's attributes atomically, from its current stored state, with the same concurrency policy
   * as {@link #update(Session, Consumer)}. When this store has read or written the session recently, the change
   * is computed on that state and written conditionally: one round trip while nobody else wrote the session since
   * (otherwise a conflict, counted, and the change applied again to the current record, which the rejection
   * returns; see {@link #update(Session, Consumer)}). Otherwise one read and one conditional write, as
   * {@code find(id).flatMap(s -> update(s, change))}.
   *
   * @param id the session id; any string
   * @param change edits a mutable copy of the attributes; may run more than once (see
   *     {@link #update(Session, Consumer)}), so it must have no other side effects
   * @return the updated session (never {@code null}), or empty when there is no such session
   * @throws IllegalArgumentException when the changed attributes are not JSON values or exceed the size cap
   * @throws SessionConflictException when concurrent writers win every one of the configured attempts
   * @throws NullPointerException when an argument is {@code null}
   * @throws SessionStoreUnavailableException when the backend fails or times out
   */
  Optional<Session> update(String id, Consumer<Map<String, Object>> change);

  /**
   * Changes a session's attributes atomically, starting from a session read earlier in the same request: one
   * round trip when nobody else wrote it in between.
   *
   * <p>Concurrency policy: <b>optimistic, retry</b>. The write carries the version it was computed from; when
   * another instance wrote the session since, the backend rejects it and returns the current record (one more
   * round trip), and {@code change} is applied again to that record. So two instances changing one session never
   * lose each other's writes, whether they change different attributes or the same one (two increments of one
   * counter give +2). After the configured number of attempts a {@link SessionConflictException} is thrown.
   * Each successful update increments the version and, like {@link #find(String)}, slides the idle expiry when
   * the touch threshold has passed since the last slide.
   *
   * @param current the session as read earlier; not {@code null}
   * @param change edits a mutable copy of the attributes; may run more than once, so it must have no other side
   *     effects
   * @return the updated session (never {@code null}), or empty when the session no longer exists
   * @throws IllegalArgumentException when the changed attributes are not JSON values or exceed the size cap
   * @throws SessionConflictException when concurrent writers win every one of the configured attempts
   * @throws NullPointerException when an argument is {@code null}
   * @throws SessionStoreUnavailableException when the backend fails or times out
   */
  Optional<Session> update(Session current, Consumer<Map<String, Object>> change);

  /**
   * Gives a session a new id, keeping its user, attributes, creation time and absolute expiry; the old id stops
   * working at once (in the same atomic step). Call it on login and on every privilege change (OWASP ASVS 7.2.4).
   *
   * @param id the current session id; any string
   * @return the session under its new id, or empty when there is no such session
   * @throws NullPointerException when an argument is {@code null}
   * @throws SessionStoreUnavailableException when the backend fails or times out
   */
  Optional<Session> rotate(String id);

  /**
   * Ends one session (logout).
   *
   * @param id the session id; any string
   * @return whether a session record was removed
   * @throws NullPointerException when an argument is {@code null}
   * @throws SessionStoreUnavailableException when the backend fails or times out
   */
  boolean delete(String id);

  /**
   * Lists a user's live sessions, e.g. for a "your devices" page. Expired entries are pruned on the way.
   *
   * @param userId the user; non-blank, at most 512 characters
   * @return the sessions, soonest expiry first; empty when none; never {@code null}
   * @throws IllegalArgumentException when the user id is blank or too long
   * @throws NullPointerException when an argument is {@code null}
   * @throws SessionStoreUnavailableException when the backend fails or times out
   */
  List<SessionInfo> findAllForUser(String userId);

  /**
   * Ends every session of a user (log out everywhere, OWASP ASVS 7.4.3), e.g. after a password change.
   *
   * @param userId the user; non-blank, at most 512 characters
   * @return how many live sessions were ended
   * @throws IllegalArgumentException when the user id is blank or too long
   * @throws NullPointerException when an argument is {@code null}
   * @throws SessionStoreUnavailableException when the backend fails or times out
   */
  int deleteAllForUser(String userId);
}
