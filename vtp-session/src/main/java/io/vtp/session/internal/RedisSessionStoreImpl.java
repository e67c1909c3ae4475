package io.vtp.session.internal;

import io.vtp.redis.RedisScript;
import io.vtp.session.RedisSessionStore;
import io.vtp.session.PipelinedFind;
import io.vtp.session.Session;
import io.vtp.session.SessionConflictException;
import io.vtp.session.SessionInfo;
import io.vtp.session.SessionStore;
import io.vtp.session.SessionStoreListener;
import io.vtp.session.SessionStoreListener.Operation;
import io.vtp.session.SessionStoreListener.Outcome;
import io.vtp.session.SessionStoreUnavailableException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The Redis session store; see {@link RedisSessionStore} for the layout and the reasoning. Every public operation
 * is one round trip: one script (one {@code EVALSHA}), or for {@code find} of a session this process saw less than
 * the touch threshold ago, one plain {@code HMGET} (no slide can be due then, so no script is needed; see
 * {@link RecentSessions}). Rare cases cost one more: a record whose JSON turns out to be corrupt (to delete it), a
 * session found by {@code HMGET} to have expired (the script confirms and cleans up), and an update whose
 * compare-and-set finds the record changed by another instance (the full update script then decides, one more
 * per retry), and, only with previous id-hash keys configured ({@link IdHasher}), an operation that misses under the
 * current key (one more per previous key tried; a session found that way is moved to the current key). Replica
 * acknowledgement adds a pipelined {@code WAIT} to create, rotate and the deletes ({@link ReplicaWait}).
 *
 * <p>Thread-safe. State: its configuration and the bounded {@link RecentSessions} memory.
 */
public final class RedisSessionStoreImpl implements SessionStore {
  private static final Logger LOG = LoggerFactory.getLogger(RedisSessionStore.class);
  /** Longest accepted user id, in characters. */
  public static final int MAX_USER_ID_LENGTH = 512;

  private static final RedisScript FIND = script("find.lua");
  private static final RedisScript CREATE = script("create.lua");
  private static final RedisScript UPDATE = script("update.lua");
  private static final RedisScript CAS = script("cas.lua");
  private static final RedisScript ROTATE = script("rotate.lua");
  private static final RedisScript DELETE = script("delete.lua");
  private static final RedisScript FIND_ALL = script("find-all.lua");
  private static final RedisScript DELETE_ALL = script("delete-all.lua");

  private static final int FOUND = 1;
  private static final int UNKNOWN = 0;
  private static final int EXPIRED = 2;
  private static final int CORRUPT = 3;
  private static final int CONFLICT = 4;

  private final UnifiedJedis jedis;
  private final StoreConfig config;
  private final StoreCalls calls;
  private final RecordCodec codec;
  private final SessionIds ids = new SessionIds(new SecureRandom());
  private final String idleMs;
  private final String touchMs;
  private final long touchThresholdMs;
  private final RecentSessions recent = new RecentSessions();
  private final String maxSessions;
  private final IdHasher hasher;

  /**
   * Creates the store; use {@link RedisSessionStore#builder(UnifiedJedis)}.
   *
   * @param jedis the client
   * @param config the validated configuration
   */
  public RedisSessionStoreImpl(UnifiedJedis jedis, StoreConfig config) {
    this.jedis = Objects.requireNonNull(jedis, "jedis");
    this.config = Objects.requireNonNull(config, "config");
    this.calls = new StoreCalls(jedis, config, LOG);
    this.codec = new RecordCodec(config.maxAttributesBytes());
    this.idleMs = Long.toString(config.idleTimeout().toMillis());
    this.touchThresholdMs = config.touchThreshold().toMillis();
    this.touchMs = Long.toString(touchThresholdMs);
    this.maxSessions = Integer.toString(config.maxSessionsPerUser());
    this.hasher = config.idHasher();
  }

  private static RedisScript script(String name) {
    return RedisScript.fromResource(RedisSessionStoreImpl.class, name);
  }

  @Override
  public Session create(String userId, Map<String, ?> attributes) {
    checkUserId(userId);
    Objects.requireNonNull(attributes, "attributes");
    Map<String, Object> attrs = normalize(attributes);
    String data = encode(userId, attrs);
    long start = System.nanoTime();
    String tag = SessionIds.userTag(userId);
    String id = ids.newId(tag);
    long now = config.clock().millis();
    long idleExpiry = now + config.idleTimeout().toMillis();
    long absoluteExpiry = now + config.absoluteLifetime().toMillis();
    String meta = SessionMeta.format(1, now, now, idleExpiry, absoluteExpiry);
    List<?> reply = calls.runGuardedList(Operation.CREATE, CREATE, tag, start, hasher.hash(id), Long.toString(now),
        meta, data, Long.toString(Math.min(idleExpiry, absoluteExpiry)), maxSessions);
    int evicted = (int) ScriptReplies.asLong(reply.get(0));
    if (ScriptReplies.asLong(reply.get(1)) != 0) {
      calls.corrupt("foreign values under the user's keys");
    }
    if (evicted > 0) {
      calls.fire(l -> l.onEvicted(evicted));
    }
    Session session = new Session(id, userId, attrs, Instant.ofEpochMilli(now), Instant.ofEpochMilli(now),
        Instant.ofEpochMilli(idleExpiry), Instant.ofEpochMilli(absoluteExpiry), 1);
    calls.done(Operation.CREATE, Outcome.SUCCESS, start);
    return session;
  }

  @Override
  public Optional<Session> find(String id) {
    Objects.requireNonNull(id, "id");
    long start = System.nanoTime();
    if (!SessionIds.isWellFormed(id)) {
      return calls.miss(Operation.FIND, start);
    }
    String h = hasher.hash(id);
    String tag = SessionIds.tagOf(id);
    long now = config.clock().millis();
    RecentSessions.Entry seen = recent.get(h);
    if (noSlideDue(seen, now)) {
      // No slide can be due (the last access only moves forward): one plain HMGET, no script.
      Optional<Session> found = findWithoutSlide(id, tag, h, now, seen, start);
      if (found != null) {
        return found;
      }
      // Expired, corrupt or not what we thought: the script decides and cleans up (a rare second round trip).
    }
    return findByScript(id, tag, h, now, start);
  }

  @Override
  public PipelinedFind findCall(String id) {
    Objects.requireNonNull(id, "id");
    return new FindCall(id);
  }

  private boolean noSlideDue(RecentSessions.Entry seen, long now) {
    return seen != null && now >= seen.lastAccess() && now - seen.lastAccess() < touchThresholdMs;
  }

  /** The find script (it slides when due), then what its reply means. */
  private Optional<Session> findByScript(String id, String tag, String h, long now, long start) {
    List<?> reply = calls.run(Operation.FIND, FIND, tag, start, h, Long.toString(now), idleMs, touchMs);
    return afterFindScript(id, tag, h, reply, start);
  }

  private Optional<Session> afterFindScript(String id, String tag, String h, List<?> reply, long start) {
    int code = (int) ScriptReplies.asLong(reply.get(0));
    if (code != FOUND) {
      recent.remove(h);
      if (code == CORRUPT) {
        calls.corrupt("wrong Redis type or unreadable metadata");
      }
      Session moved = code == UNKNOWN ? rekey(Operation.FIND, id, tag, h, start) : null;
      if (moved != null) {
        calls.done(Operation.FIND, Outcome.SUCCESS, start);
        return Optional.of(moved);
      }
      return calls.miss(Operation.FIND, start);
    }
    Session session = decodeOrDelete(id, tag, h, reply.get(1), reply.get(2));
    if (session == null) {
      return calls.miss(Operation.FIND, start);
    }
    calls.done(Operation.FIND, Outcome.SUCCESS, start);
    return Optional.of(session);
  }

  /**
   * {@link #find(String)} queued on a shared pipeline: the same {@code HMGET} or find script, decoded the same way
   * once the round trip is done. The rare second round trips of {@code find} are direct calls.
   */
  private final class FindCall extends PipelinedFind {
    private final String id;
    private final long start = System.nanoTime();
    private final boolean wellFormed;
    private String h;
    private String tag;
    private long now;
    private RecentSessions.Entry seen;
    private boolean fast;
    private Response<List<String>> fields;
    private RedisScript.Queued script;

    FindCall(String id) {
      super(jedis);
      this.id = id;
      this.wellFormed = SessionIds.isWellFormed(id);
      if (wellFormed) {
        h = hasher.hash(id);
        tag = SessionIds.tagOf(id);
        now = config.clock().millis();
        seen = recent.get(h);
        fast = noSlideDue(seen, now);
      }
    }

    @Override
    public Optional<String> rememberedUserId() {
      return seen == null ? Optional.empty() : Optional.of(seen.userId());
    }

    @Override
    protected boolean needsRedis() {
      return wellFormed;
    }

    @Override
    protected void queue(AbstractPipeline pipeline) {
      if (fast) {
        fields = pipeline.hmget(SessionIds.recordKey(config.keyPrefix(), tag), "m:" + h, "d:" + h);
      } else {
        script = FIND.queue(pipeline, SessionIds.keys(config.keyPrefix(), tag),
            List.of(h, Long.toString(now), idleMs, touchMs));
      }
    }

    @Override
    protected Optional<Session> complete(JedisException failure) {
      if (!wellFormed) {
        return calls.miss(Operation.FIND, start);
      }
      if (failure != null) {
        throw calls.unavailable(Operation.FIND, start, failure);
      }
      if (fast) {
        List<String> reply;
        try {
          reply = fields.get();
        } catch (JedisDataException e) {
          reply = null; // WRONGTYPE, or a cluster redirection: the script path decides, as in find
        }
        Optional<Session> found = reply == null ? null : afterHmget(id, tag, h, now, seen, start, reply);
        return found != null ? found : findByScript(id, tag, h, now, start);
      }
      Object reply;
      try {
        reply = script.reply(jedis);
      } catch (JedisException e) {
        throw calls.unavailable(Operation.FIND, start, e);
      }
      if (!(reply instanceof List<?> list)) {
        throw calls.unavailable(Operation.FIND, start, new JedisException("unexpected reply from " + FIND.name()));
      }
      return afterFindScript(id, tag, h, list, start);
    }
  }

  /**
   * After a miss under the current key: tries each previous key (one round trip each) and moves a session found
   * under one to the current key with the rotate script (same id, new name in Redis; it slides like a find).
   *
   * @return the moved session, or {@code null} when no previous key names a live, readable session
   */
  private Session rekey(Operation op, String id, String tag, String h, long start) {
    for (String old : hasher.previousHashes(id)) {
      List<?> reply = calls.run(op, ROTATE, tag, start, old, h, Long.toString(config.clock().millis()), idleMs);
      int code = (int) ScriptReplies.asLong(reply.get(0));
      if (code == FOUND) {
        return decodeOrDelete(id, tag, h, reply.get(1), reply.get(2));
      }
      if (code != UNKNOWN) {
        if (code == CORRUPT) {
          calls.corrupt("wrong Redis type or unreadable metadata");
        }
        return null; // expired or corrupt: the script deleted it
      }
    }
    return null;
  }

  /**
   * The script-free find: {@code HMGET} of the record, checked against the clock here exactly as the script would.
   *
   * @return the answer, or {@code null} when the script must decide (expired, slide due, corrupt)
   */
  private Optional<Session> findWithoutSlide(String id, String tag, String h, long now, RecentSessions.Entry seen,
      long start) {
    List<String> reply;
    try {
      reply = jedis.hmget(SessionIds.recordKey(config.keyPrefix(), tag), "m:" + h, "d:" + h);
    } catch (JedisDataException e) {
      return null; // WRONGTYPE: a foreign value under our key; the script deletes it
    } catch (JedisException e) {
      throw calls.unavailable(Operation.FIND, start, e);
    }
    return afterHmget(id, tag, h, now, seen, start, reply);
  }

  /**
   * What the {@code HMGET} of the script-free find found.
   *
   * @return the answer, or {@code null} when the script must decide (expired, slide due, corrupt)
   */
  private Optional<Session> afterHmget(String id, String tag, String h, long now, RecentSessions.Entry seen,
      long start, List<String> reply) {
    String metaText = reply.size() == 2 ? reply.get(0) : null;
    String data = reply.size() == 2 ? reply.get(1) : null;
    if (metaText == null && data == null) {
      recent.remove(h); // deleted, rotated or logged out elsewhere
      if (hasher.hasPrevious()) {
        return null; // or moved to a previous key by an instance not yet rotated: the script path looks there
      }
      return calls.miss(Operation.FIND, start);
    }
    long[] m = SessionMeta.parse(metaText);
    if (m == null || data == null || m[3] <= now || m[4] <= now || now - m[2] >= touchThresholdMs) {
      return null;
    }
    RecentSessions.Entry e = seen;
    if (!data.equals(seen.data())) {
      RecordCodec.Decoded d = decodeData(tag, h, data);
      if (d == null) {
        recent.remove(h);
        return calls.miss(Operation.FIND, start);
      }
      e = new RecentSessions.Entry(h, m[2], metaText, data, d.userId(), d.attributes());
      recent.put(e);
    } else if (!metaText.equals(seen.meta())) {
      recent.put(new RecentSessions.Entry(h, Math.max(m[2], seen.lastAccess()), metaText, data, seen.userId(),
          seen.attributes()));
    }
    calls.done(Operation.FIND, Outcome.SUCCESS, start);
    return Optional.of(session(id, e.userId(), e.attributes(), m));
  }

  @Override
  public Optional<Session> update(String id, Consumer<Map<String, Object>> change) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(change, "change");
    if (SessionIds.isWellFormed(id)) {
      // Seen here before: start from that state; the write is conditional on it being still current (one round
      // trip), and a stale memory costs a conflict and a retry on the state the script returns, never a write.
      RecentSessions.Entry seen = recent.get(hasher.hash(id));
      long[] m = seen == null ? null : SessionMeta.parse(seen.meta());
      if (m != null) {
        return update(session(id, seen.userId(), seen.attributes(), m), change);
      }
    }
    return find(id).flatMap(s -> update(s, change));
  }

  @Override
  public Optional<Session> update(Session current, Consumer<Map<String, Object>> change) {
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(change, "change");
    long start = System.nanoTime();
    String id = current.id();
    if (!SessionIds.isWellFormed(id)) {
      return calls.miss(Operation.UPDATE, start);
    }
    String h = hasher.hash(id);
    String tag = SessionIds.tagOf(id);
    Session base = current;
    boolean rekeyed = false;
    for (int attempt = 1; ; attempt++) {
      Map<String, Object> edited = JsonValues.mutableCopy(base.attributes());
      change.accept(edited);
      Map<String, Object> attrs = normalize(edited);
      String data = encode(base.userId(), attrs);
      long now = config.clock().millis();
      // The fast path (cas.lua): when the same clock reading shows the session as read neither expired nor due a
      // slide, the new meta is known here, and the write is conditional on the stored meta being the one read.
      long[] read = SessionMeta.of(base);
      if (Math.min(read[3], read[4]) > now && now - read[2] < touchThresholdMs) {
        long[] next = {read[0] + 1, read[1], read[2], read[3], read[4]};
        String newMeta = SessionMeta.format(next);
        if (ScriptReplies.asLong(calls.runRaw(Operation.UPDATE, CAS, List.of(SessionIds.recordKey(config.keyPrefix(), tag)), start,
            "m:" + h, "d:" + h, SessionMeta.format(read), newMeta, data)) == 1) {
          recent.put(new RecentSessions.Entry(h, next[2], newMeta, data, base.userId(), attrs));
          calls.done(Operation.UPDATE, Outcome.SUCCESS, start);
          return Optional.of(session(id, base.userId(), attrs, next));
        }
      }
      List<?> reply = calls.run(Operation.UPDATE, UPDATE, tag, start, h, Long.toString(now), idleMs,
          Long.toString(base.version()), data, touchMs);
      int code = (int) ScriptReplies.asLong(reply.get(0));
      if (code == FOUND) {
        String written = ScriptReplies.asString(reply.get(1));
        long[] m = SessionMeta.parse(written);
        if (m != null) {
          recent.put(new RecentSessions.Entry(h, m[2], written, data, base.userId(), attrs));
        }
        calls.done(Operation.UPDATE, Outcome.SUCCESS, start);
        return Optional.of(session(id, base.userId(), attrs, m));
      }
      if (code != CONFLICT) {
        recent.remove(h);
        if (code == CORRUPT) {
          calls.corrupt("wrong Redis type or unreadable metadata");
        }
        Session moved = code == UNKNOWN && !rekeyed ? rekey(Operation.UPDATE, id, tag, h, start) : null;
        if (moved == null) {
          return calls.miss(Operation.UPDATE, start);
        }
        rekeyed = true; // once per call: the change is applied to the session as found under the previous key
        base = moved;
        continue;
      }
      calls.fire(SessionStoreListener::onUpdateConflict);
      if (attempt >= config.maxUpdateAttempts()) {
        calls.done(Operation.UPDATE, Outcome.CONFLICT, start);
        throw new SessionConflictException(config.name(), attempt);
      }
      base = decodeOrDelete(id, tag, h, reply.get(1), reply.get(2));
      if (base == null) {
        return calls.miss(Operation.UPDATE, start);
      }
    }
  }

  @Override
  public Optional<Session> rotate(String id) {
    Objects.requireNonNull(id, "id");
    long start = System.nanoTime();
    if (!SessionIds.isWellFormed(id)) {
      return calls.miss(Operation.ROTATE, start);
    }
    String tag = SessionIds.tagOf(id);
    String h = hasher.hash(id);
    String newId = ids.newId(tag);
    String newH = hasher.hash(newId);
    List<?> reply = calls.runGuardedList(Operation.ROTATE, ROTATE, tag, start, h, newH, Long.toString(config.clock().millis()), idleMs);
    int code = (int) ScriptReplies.asLong(reply.get(0));
    for (String old : hasher.previousHashes(id)) {
      if (code != UNKNOWN) {
        break;
      }
      // Written under a previous key: rotate straight from there to the new id's name under the current key.
      reply = calls.runGuardedList(Operation.ROTATE, ROTATE, tag, start, old, newH, Long.toString(config.clock().millis()), idleMs);
      code = (int) ScriptReplies.asLong(reply.get(0));
    }
    if (code != FOUND) {
      if (code == CORRUPT) {
        calls.corrupt("wrong Redis type or unreadable metadata");
      }
      return calls.miss(Operation.ROTATE, start);
    }
    Session session = decodeOrDelete(newId, tag, newH, reply.get(1), reply.get(2));
    if (session == null) {
      return calls.miss(Operation.ROTATE, start);
    }
    recent.remove(h);
    calls.done(Operation.ROTATE, Outcome.SUCCESS, start);
    return Optional.of(session);
  }

  @Override
  public boolean delete(String id) {
    Objects.requireNonNull(id, "id");
    long start = System.nanoTime();
    if (!SessionIds.isWellFormed(id)) {
      calls.miss(Operation.DELETE, start);
      return false;
    }
    String h = hasher.hash(id);
    recent.remove(h);
    Object reply = calls.runGuarded(Operation.DELETE, DELETE, SessionIds.tagOf(id), start, h);
    boolean removed = ScriptReplies.asLong(reply) == 1;
    for (String old : hasher.previousHashes(id)) {
      if (removed) {
        break;
      }
      // Written under a previous key and not used since the rotation: a logout must end it too.
      removed = ScriptReplies.asLong(calls.runGuarded(Operation.DELETE, DELETE, SessionIds.tagOf(id), start, old)) == 1;
    }
    calls.done(Operation.DELETE, removed ? Outcome.SUCCESS : Outcome.MISS, start);
    return removed;
  }

  @Override
  public List<SessionInfo> findAllForUser(String userId) {
    checkUserId(userId);
    long start = System.nanoTime();
    String tag = SessionIds.userTag(userId);
    List<?> reply = calls.run(Operation.FIND_ALL_FOR_USER, FIND_ALL, tag, start, Long.toString(config.clock().millis()));
    long corrupt = ScriptReplies.asLong(reply.get(0));
    if (corrupt < 0) {
      calls.corrupt("foreign values under the user's keys");
    }
    for (long i = 0; i < corrupt; i++) {
      calls.corrupt("unreadable metadata");
    }
    List<SessionInfo> sessions = new ArrayList<>((reply.size() - 1) / 3);
    for (int i = 1; i + 2 < reply.size(); i += 3) {
      String h = ScriptReplies.asString(reply.get(i));
      long[] m = SessionMeta.parse(ScriptReplies.asString(reply.get(i + 1)));
      RecordCodec.Decoded d = decodeData(tag, h, ScriptReplies.asString(reply.get(i + 2)));
      if (m == null || d == null || !d.userId().equals(userId)) {
        continue; // corrupt (deleted by decodeData) or another user whose tag collides
      }
      sessions.add(new SessionInfo(h, d.userId(), d.attributes(), Instant.ofEpochMilli(m[1]),
          Instant.ofEpochMilli(m[2]), Instant.ofEpochMilli(m[3]), Instant.ofEpochMilli(m[4]), m[0]));
    }
    calls.done(Operation.FIND_ALL_FOR_USER, sessions.isEmpty() ? Outcome.MISS : Outcome.SUCCESS, start);
    return List.copyOf(sessions);
  }

  @Override
  public int deleteAllForUser(String userId) {
    checkUserId(userId);
    long start = System.nanoTime();
    Object reply = calls.runGuarded(Operation.DELETE_ALL_FOR_USER, DELETE_ALL, SessionIds.userTag(userId), start,
        Long.toString(config.clock().millis()));
    int n = (int) ScriptReplies.asLong(reply);
    calls.done(Operation.DELETE_ALL_FOR_USER, n > 0 ? Outcome.SUCCESS : Outcome.MISS, start);
    return n;
  }

  // ---- decoding ----

  /** Decodes a found record; a corrupt one is deleted (one more round trip) and gives {@code null}. */
  private Session decodeOrDelete(String id, String tag, String h, Object metaReply, Object dataReply) {
    long[] m = SessionMeta.parse(ScriptReplies.asString(metaReply));
    RecordCodec.Decoded d = decodeData(tag, h, ScriptReplies.asString(dataReply));
    if (d == null) {
      return null;
    }
    if (m == null) {
      deleteCorrupt(tag, h, "unreadable metadata");
      return null;
    }
    recent.put(new RecentSessions.Entry(h, m[2], ScriptReplies.asString(metaReply), ScriptReplies.asString(dataReply), d.userId(),
        d.attributes()));
    return session(id, d.userId(), d.attributes(), m);
  }

  private RecordCodec.Decoded decodeData(String tag, String h, String data) {
    try {
      RecordCodec.Decoded d = codec.decode(data);
      if (!SessionIds.userTag(d.userId()).equals(tag)) {
        // Stored under another user's keys: a foreign or tampered record. Never hand it out.
        deleteCorrupt(tag, h, "user id does not match the key");
        return null;
      }
      return d;
    } catch (RecordCodec.CorruptRecordException e) {
      deleteCorrupt(tag, h, e.getMessage());
      return null;
    }
  }

  private void deleteCorrupt(String tag, String h, String reason) {
    calls.corrupt(reason);
    calls.runRaw(Operation.DELETE, DELETE, tag, System.nanoTime(), h);
  }

  private static Session session(String id, String userId, Map<String, Object> attrs, long[] m) {
    return new Session(id, userId, attrs, Instant.ofEpochMilli(m[1]), Instant.ofEpochMilli(m[2]),
        Instant.ofEpochMilli(m[3]), Instant.ofEpochMilli(m[4]), m[0]);
  }

  // ---- validation, metrics, logging ----

  private void checkUserId(String userId) {
    Objects.requireNonNull(userId, "userId");
    if (userId.isBlank()) {
      throw new IllegalArgumentException(label() + "userId must not be blank");
    }
    if (userId.length() > MAX_USER_ID_LENGTH) {
      // The length only: a user id may be an e-mail address, which does not belong in logs.
      throw new IllegalArgumentException(label() + "userId must be at most " + MAX_USER_ID_LENGTH
          + " characters but was " + userId.length() + " characters");
    }
  }

  // JsonValues and RecordCodec name the attribute and the rule but not the store (JsonValues also serves the Session
  // record, which belongs to no store), so their IllegalArgumentException is rethrown with the store's name in front.

  private Map<String, Object> normalize(Map<String, ?> attributes) {
    try {
      return JsonValues.copyOf(attributes);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(label() + e.getMessage(), e);
    }
  }

  private String encode(String userId, Map<String, Object> attributes) {
    try {
      return codec.encode(userId, attributes);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(label() + e.getMessage(), e);
    }
  }

  private String label() {
    return "session store '" + config.name() + "': ";
  }

  @Override
  public String toString() {
    return config.toString();
  }
}
