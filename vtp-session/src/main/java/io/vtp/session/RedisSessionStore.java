package io.vtp.session;

import io.vtp.redis.internal.Names;
import io.vtp.session.internal.IdHasher;
import io.vtp.session.internal.RedisSessionStoreImpl;
import io.vtp.session.internal.ReplicaWait;
import io.vtp.session.internal.StoreConfig;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import redis.clients.jedis.UnifiedJedis;

/**
 * Builds the Redis {@link SessionStore}. Works with any Jedis 8 client ({@code RedisClient},
 * {@code RedisClusterClient}, {@code RedisSentinelClient}) and Redis 7.0 or newer; needs no keyspace
 * notifications and no module.
 *
 * <pre>{@code
 * SessionStore sessions = RedisSessionStore.builder(redisClient)
 *     .name("web")
 *     .idleTimeout(Duration.ofHours(8))
 *     .absoluteLifetime(Duration.ofDays(7))
 *     .maxSessionsPerUser(10)
 *     .build();
 * Session s = sessions.create("user-42", Map.of("role", "admin"));
 * // hand s.id() to the client in an HttpOnly, Secure, SameSite=Lax cookie
 * }</pre>
 *
 * <h2>Layout in Redis, and why it is correct on Redis Cluster</h2>
 * A session id is {@code userTag + secret}: 16 characters derived from SHA-256 of the user id (96 bits), then 43
 * characters encoding 32 bytes from {@link java.security.SecureRandom}. Every session of a user lives in two keys
 * that share the hash tag {@code {userTag}} and so one hash slot:
 * <ul>
 *   <li>{@code <prefix>{userTag}:s}, a hash: per session, field {@code m:<h>} (version and the four instants,
 *       parsed by the scripts) and {@code d:<h>} (a JSON document with a schema version, the user id and the
 *       attributes, written and read only by Java), where {@code <h>} is the base64url HMAC-SHA256 of the id's
 *       secret part under the key set with {@link Builder#idHashKey(byte[], byte[]...)} (its plain SHA-256 when
 *       no key is set);</li>
 *   <li>{@code <prefix>{userTag}:i}, the per-user index: a sorted set of {@code <h>} scored by each session's
 *       expiry, pruned lazily by the same scripts.</li>
 * </ul>
 * Both keys can be computed from the id alone (for find, update, rotate, delete) and from the user id alone (for
 * listing and log-out-everywhere), so every operation is one Lua script whose keys all arrive in {@code KEYS[]}
 * and sit in one slot: one {@code EVALSHA} round trip, atomic, with no {@code RENAME}, no cross-slot command and
 * no keyspace notification. One refinement on the hottest path: {@code find} of a session this store found less
 * than the touch threshold ago is a plain {@code HMGET} of the two fields instead of the script, because no slide
 * can be due yet (the last access only moves forward) and the expiry check needs no atomicity; it is still one
 * round trip and always reads Redis, so a session deleted or rotated by any instance is gone at once. A small
 * bounded memory (4096 entries of id hash, last access, metadata and decoded attributes, never an id) makes this
 * possible and lets {@code find} reuse decoded attributes while the stored JSON is unchanged.
 *
 * <p>Updates are cheap in Redis too. When no slide is due, an update is a compare-and-set script of one key and
 * five arguments: the caller sends the metadata its change was computed from and the new metadata, and when the
 * stored metadata is byte-for-byte the former (no other writer) the script writes, parsing nothing. Otherwise, and
 * whenever a slide is due, the full update script checks and decides, and only the version decides a conflict (a
 * lost race costs one more round trip). The same memory lets {@code update(id, change)} start from the state this
 * store last saw: one round trip instead of a read and a write.
 *
 * <p>Both keys carry a TTL equal to the latest expiry among the user's sessions, so nothing outlives its
 * sessions. Redis holds only hashes of ids: a dump, {@code MONITOR} output or a replica yields no usable token.
 * With a key set, write access to Redis without the key does not let anyone plant a session either.
 *
 * <p>The user tag in the id lets anyone holding an id tell which other ids (if they hold them too) belong to the
 * same user; it reveals nothing else. Two users whose tags collide (a 96-bit hash: needs about 2<sup>96</sup>
 * work for a chosen victim) would share one index: listings are still filtered by user id, but log-out-everywhere
 * and the per-user maximum would act on both.
 *
 * <h2>Time</h2>
 * Expiry decisions use the configured {@link Clock} (instances need synchronized clocks; skew moves expiry by the
 * skew), and every key also carries a Redis TTL derived from it, so expired data disappears even if no instance
 * ever looks at it again.
 *
 * <h2>Durability across a failover</h2>
 * Redis replicates asynchronously, so by default a write the master acknowledged is lost when the master dies
 * before its replica has it (a Sentinel failover measured here lost acknowledged logins and revived acknowledged
 * logouts; see {@code docs/RELIABILITY.md}). {@link Builder#replicaAcknowledgement(int, Duration)} makes create,
 * rotate, delete and delete-all wait for replicas ({@code WAIT}), at the cost of a replica's round trip on those
 * calls.
 *
 * <h2>Timeouts</h2>
 * The store inherits the client's timeouts: configure finite connect and socket timeouts, and a finite pool
 * wait (a Jedis pool waits forever by default), or an outage becomes hung requests instead of 503s.
 */
public final class RedisSessionStore {
  private RedisSessionStore() {}

  /**
   * Starts a builder for a store on the given client.
   *
   * @param jedis any Jedis 8 client; the store does not close it
   * @return a new builder with the defaults described on each setter; never {@code null}
   * @throws NullPointerException when {@code jedis} is {@code null}
   */
  public static Builder builder(UnifiedJedis jedis) {
    return new Builder(Objects.requireNonNull(jedis, "jedis"));
  }

  /**
   * Configures a Redis session store, the same way as every VTP Scale builder: setters only store the value (and
   * reject {@code null} with a {@link NullPointerException} naming the parameter); {@link #build()} checks every
   * value and throws an {@link IllegalArgumentException} in the form
   * {@code session store '<name>': <field> must <rule> but was <value>}, e.g.
   * {@code session store 'web': maxSessionsPerUser must be >= 1 but was 0}. The store it returns never changes.
   *
   * <p>Not thread-safe: configure it on one thread; the store is thread-safe.
   */
  public static final class Builder {
    private static final String COMPONENT = "session store";
    private static final int MIN_KEY_BYTES = 32;
    private static final int MAX_PREVIOUS_KEYS = 4;

    private final UnifiedJedis jedis;
    private String name = "default";
    private String keyPrefix = "vtp:session:";
    private Duration idleTimeout = Duration.ofDays(7);
    private Duration absoluteLifetime = Duration.ofDays(30);
    private Duration touchThreshold = Duration.ofMinutes(1);
    private Integer maxSessionsPerUser; // null: unlimited
    private int maxAttributesBytes = 64 * 1024;
    private int maxUpdateAttempts = 10;
    private Clock clock = Clock.systemUTC();
    private SessionStoreListener listener = SessionStoreListener.noop();
    private byte[] idHashKey; // null: plain SHA-256
    private List<byte[]> previousIdHashKeys = List.of();
    private boolean replicaAckSet;
    private int replicaAcks; // 0: off
    private Duration replicaAckTimeout = Duration.ZERO;

    private Builder(UnifiedJedis jedis) {
      this.jedis = jedis;
    }

    /**
     * Names the store in log lines, exception messages and metric tags. Default {@code "default"}.
     *
     * @param name 1 to 64 characters of {@code [A-Za-z0-9._-]}, checked by {@link #build()}
     * @return this builder
     * @throws NullPointerException when {@code name} is {@code null}
     */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Sets the prefix of every key the store writes. Default {@code "vtp:session:"}.
     *
     * @param keyPrefix 0 to 128 printable ASCII characters without spaces or braces (braces would break the
     *     hash tag that keeps a user's keys in one Redis Cluster slot); checked by {@link #build()}
     * @return this builder
     * @throws NullPointerException when {@code keyPrefix} is {@code null}
     */
    public Builder keyPrefix(String keyPrefix) {
      this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
      return this;
    }

    /**
     * Sets the idle timeout: a session not used for this long ends. It slides forward on use (see
     * {@link #touchThreshold(Duration)}). Default 7 days: a deliberate choice for a consumer web app where
     * re-login costs more than the risk of a long-lived idle session on a personal device, mitigated by the
     * absolute lifetime, rotation on login and log-out-everywhere. Shorten it for sensitive applications (OWASP
     * ASVS 7.3.1 leaves the value to a documented risk decision).
     *
     * @param idleTimeout at least 1 second and at most the absolute lifetime
     * @return this builder
     * @throws NullPointerException when {@code idleTimeout} is {@code null}
     */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
      return this;
    }

    /**
     * Sets the absolute lifetime: a session ends this long after creation however busy it is (rotation keeps
     * the original creation time). Default 30 days.
     *
     * @param absoluteLifetime at least 1 second and at most 365 days
     * @return this builder
     * @throws NullPointerException when {@code absoluteLifetime} is {@code null}
     */
    public Builder absoluteLifetime(Duration absoluteLifetime) {
      this.absoluteLifetime = Objects.requireNonNull(absoluteLifetime, "absoluteLifetime");
      return this;
    }

    /**
     * Sets how much time must pass since the last slide before {@link SessionStore#find(String)} or an update
     * slides the idle expiry again. Within the threshold a find only reads and an update writes only the record
     * (no index or key-expiry writes). Trade-off: a session may end up to this much earlier than "idle timeout
     * after the last request", and {@link Session#lastAccessedAt()} is only this precise. Default 1 minute; zero
     * slides on every find and update.
     *
     * @param touchThreshold zero or more, and less than the idle timeout
     * @return this builder
     * @throws NullPointerException when {@code touchThreshold} is {@code null}
     */
    public Builder touchThreshold(Duration touchThreshold) {
      this.touchThreshold = Objects.requireNonNull(touchThreshold, "touchThreshold");
      return this;
    }

    /**
     * Limits the live sessions per user; creating one more ends the one that would expire first (the least
     * recently used). Default: unlimited.
     *
     * @param maxSessionsPerUser at least 1
     * @return this builder
     */
    public Builder maxSessionsPerUser(int maxSessionsPerUser) {
      this.maxSessionsPerUser = maxSessionsPerUser;
      return this;
    }

    /**
     * Caps the size of a session's attributes, as UTF-8 JSON. Default 64 KiB. Larger attributes are rejected
     * with an {@link IllegalArgumentException} when creating or updating.
     *
     * @param maxAttributesBytes between 64 and 16 MiB
     * @return this builder
     */
    public Builder maxAttributesBytes(int maxAttributesBytes) {
      this.maxAttributesBytes = maxAttributesBytes;
      return this;
    }

    /**
     * Sets how many times an update is attempted when concurrent writers keep winning. Default 10.
     *
     * @param maxUpdateAttempts between 1 and 1000
     * @return this builder
     */
    public Builder maxUpdateAttempts(int maxUpdateAttempts) {
      this.maxUpdateAttempts = maxUpdateAttempts;
      return this;
    }

    /**
     * Sets the clock used for every expiry decision. Default {@link Clock#systemUTC()}.
     *
     * @param clock the clock
     * @return this builder
     * @throws NullPointerException when {@code clock} is {@code null}
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the listener that receives operation outcomes, conflicts, corrupt records and evictions, e.g.
     * {@code io.vtp.session.micrometer.SessionStoreMetrics}. Default: {@link SessionStoreListener#noop()}.
     *
     * @param listener the listener; not {@code null}
     * @return this builder
     * @throws NullPointerException when {@code listener} is {@code null}
     */
    public Builder listener(SessionStoreListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Keys the names Redis knows sessions by: HMAC-SHA256 of the id's secret part under {@code current} instead of
     * its plain SHA-256. Without a key, anyone who can write to Redis can compute the name of a record for an id of
     * their choosing and so plant a session (with any user id and attributes, a role say) that this store hands
     * out; with a key they cannot without the key. Give every instance of a deployment the same key, from its
     * secret store, never from source code. Default: no key (plain SHA-256, the layout of earlier versions).
     *
     * <p><b>Rotation.</b> List the keys still accepted in {@code previous}, newest first. A lookup that misses under
     * the current key tries each previous key in turn; a session found under one is moved to the current key in
     * the same step (the rotate script with the id unchanged: it slides like a find and bumps the version), so it
     * costs one more round trip per previous key tried, once per session, and only when the current key misses
     * (an unknown id costs one more per previous key: keep the list short). {@code delete} and {@code rotate} fall
     * back the same way, so a logout always ends a session written under a previous key. Sessions are never
     * re-keyed in bulk: drop a previous key once the absolute lifetime has passed since the rotation (any
     * session still under it has expired by then). For a rolling restart without logging anyone out, roll out in
     * two steps: first every instance with the old key current and the new key as previous, then every instance
     * with the new key current and the old one previous; in between, an instance re-keys to its current key and
     * the others still find the session through their previous key. Switching the key without a previous key
     * ends every session.
     *
     * <p>Changing from no key to a key also ends every session (plain SHA-256 names are never accepted by a keyed
     * store: that is the point).
     *
     * @param current the key; at least 32 bytes (256 bits, e.g. from {@link java.security.SecureRandom}), checked
     *     by {@link #build()}; copied
     * @param previous keys still accepted, newest first; each at least 32 bytes, none equal to {@code current}, at
     *     most 4; copied
     * @return this builder
     * @throws NullPointerException when {@code current}, {@code previous} or one of its elements is {@code null}
     */
    public Builder idHashKey(byte[] current, byte[]... previous) {
      Objects.requireNonNull(current, "current");
      Objects.requireNonNull(previous, "previous");
      List<byte[]> old = new ArrayList<>(previous.length);
      for (int i = 0; i < previous.length; i++) {
        old.add(Objects.requireNonNull(previous[i], "previous[" + i + "]").clone());
      }
      this.idHashKey = current.clone();
      this.previousIdHashKeys = List.copyOf(old);
      return this;
    }

    /**
     * Makes the writes whose loss matters wait for replicas: after {@code create}, {@code rotate}, {@code delete}
     * and {@code deleteAllForUser}, the store sends Redis {@code WAIT replicas timeout} on the same connection,
     * pipelined behind the script, and returns only when at least {@code replicas} replicas confirmed the write.
     * Default: off (Redis replication is asynchronous, so a write acknowledged by the master is lost when the
     * master dies before a replica has it: after a Sentinel failover a login can vanish and, worse, a logout can be
     * undone). Reads and attribute updates never wait.
     *
     * <p><b>When fewer replicas confirm in time</b>, the write stays applied on the master (Redis cannot undo it)
     * and the call throws {@link SessionNotReplicatedException}, a {@link SessionStoreUnavailableException}: answer
     * 503 and let the client retry, never tell the user a logout happened that a failover could revert.
     *
     * <p><b>Cost</b>: one more command ({@code WAIT}) per guarded call in the same round trip, and that round trip
     * now lasts until a replica has applied the write (a replica's network round trip and its apply time; see
     * {@code docs/RELIABILITY.md} for figures); at worst {@code timeout} when a replica is slow or gone, so keep
     * {@code timeout} well below the client's socket timeout. With fewer live replicas than {@code replicas} every
     * guarded write fails after {@code timeout}: logins and logouts stop (503) until a replica is back; that
     * includes the time after a failover until the old master rejoins as a replica, so run one more replica than
     * {@code replicas} to stay writable through a failover. Measured on loopback: about 0.1 ms more per guarded
     * call at the median, and no acknowledged login lost or logout revived where the default store lost every
     * write of a 500 ms replication stall (reliability scenario 14). It narrows
     * the loss window, it does not make Redis strongly consistent: a failover may still promote a replica that did
     * not confirm (Sentinel picks the most up-to-date one, which helps with one replica).
     *
     * <p>Needs a {@code RedisClient}, {@code RedisSentinelClient} or {@code RedisClusterClient} (on a cluster the
     * {@code WAIT} goes to the node owning the user's slot and counts that node's replicas).
     *
     * @param replicas replicas that must confirm each guarded write; 1 to 16, checked by {@link #build()}
     * @param timeout how long to wait for them; 1 ms to 60 s (never 0, which is "forever" to Redis), checked by
     *     {@link #build()}
     * @return this builder
     * @throws NullPointerException when {@code timeout} is {@code null}
     */
    public Builder replicaAcknowledgement(int replicas, Duration timeout) {
      this.replicaAckTimeout = Objects.requireNonNull(timeout, "timeout");
      this.replicaAcks = replicas;
      this.replicaAckSet = true;
      return this;
    }

    /**
     * Validates the configuration and builds the store. Sends nothing to Redis.
     *
     * @return the store; thread-safe; never {@code null}
     * @throws IllegalArgumentException when a value breaks its rule or two values conflict, as
     *     {@code session store '<name>': <field> must <rule> but was <value>}
     */
    public SessionStore build() {
      Names.checkName(COMPONENT, name);
      Names.checkKeyPrefix(COMPONENT, name, keyPrefix);
      String label = COMPONENT + " '" + name + "': ";
      if (absoluteLifetime.compareTo(Duration.ofSeconds(1)) < 0 || absoluteLifetime.compareTo(Duration.ofDays(365)) > 0) {
        throw new IllegalArgumentException(label + "absoluteLifetime must be between 1 second and 365 days but was "
            + absoluteLifetime);
      }
      if (idleTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException(label + "idleTimeout must be at least 1 second but was " + idleTimeout);
      }
      if (idleTimeout.compareTo(absoluteLifetime) > 0) {
        throw new IllegalArgumentException(label + "idleTimeout must be <= absoluteLifetime (" + absoluteLifetime
            + ") but was " + idleTimeout);
      }
      if (touchThreshold.isNegative() || touchThreshold.compareTo(idleTimeout) >= 0) {
        throw new IllegalArgumentException(label + "touchThreshold must be >= 0 and < idleTimeout (" + idleTimeout
            + ") but was " + touchThreshold);
      }
      if (maxSessionsPerUser != null && maxSessionsPerUser < 1) {
        throw new IllegalArgumentException(label + "maxSessionsPerUser must be >= 1 but was " + maxSessionsPerUser);
      }
      if (maxAttributesBytes < 64 || maxAttributesBytes > 16 * 1024 * 1024) {
        throw new IllegalArgumentException(label + "maxAttributesBytes must be between 64 and 16777216 but was "
            + maxAttributesBytes);
      }
      if (maxUpdateAttempts < 1 || maxUpdateAttempts > 1000) {
        throw new IllegalArgumentException(label + "maxUpdateAttempts must be between 1 and 1000 but was "
            + maxUpdateAttempts);
      }
      if (replicaAckSet) {
        if (replicaAcks < 1 || replicaAcks > 16) {
          throw new IllegalArgumentException(label + "replicaAcknowledgement replicas must be between 1 and 16 but was "
              + replicaAcks);
        }
        if (replicaAckTimeout.compareTo(Duration.ofMillis(1)) < 0
            || replicaAckTimeout.compareTo(Duration.ofSeconds(60)) > 0) {
          throw new IllegalArgumentException(label + "replicaAcknowledgement timeout must be between 1 ms and 60 s "
              + "but was " + replicaAckTimeout);
        }
        if (!ReplicaWait.supports(jedis)) {
          throw new IllegalArgumentException(label + "replicaAcknowledgement needs a RedisClient, RedisSentinelClient "
              + "or RedisClusterClient (WAIT must run on the write's own connection) but the client was a "
              + jedis.getClass().getName());
        }
      }
      IdHasher idHasher = IdHasher.unkeyed();
      if (idHashKey != null) {
        // Lengths only: a key never goes into a message.
        if (idHashKey.length < MIN_KEY_BYTES) {
          throw new IllegalArgumentException(label + "idHashKey must be at least " + MIN_KEY_BYTES
              + " bytes but was " + idHashKey.length + " bytes");
        }
        if (previousIdHashKeys.size() > MAX_PREVIOUS_KEYS) {
          throw new IllegalArgumentException(label + "previous idHashKeys must be at most " + MAX_PREVIOUS_KEYS
              + " but were " + previousIdHashKeys.size());
        }
        for (int i = 0; i < previousIdHashKeys.size(); i++) {
          byte[] key = previousIdHashKeys.get(i);
          if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException(label + "previous idHashKey [" + i + "] must be at least "
                + MIN_KEY_BYTES + " bytes but was " + key.length + " bytes");
          }
          if (MessageDigest.isEqual(key, idHashKey)) {
            throw new IllegalArgumentException(label + "previous idHashKey [" + i
                + "] must differ from the current key but was equal to it");
          }
        }
        idHasher = IdHasher.keyed(idHashKey, previousIdHashKeys);
      }
      StoreConfig config = new StoreConfig(name, keyPrefix, idleTimeout, absoluteLifetime, touchThreshold,
          maxSessionsPerUser == null ? 0 : maxSessionsPerUser, maxAttributesBytes, maxUpdateAttempts, clock, listener,
          idHasher, replicaAcks, replicaAckTimeout);
      return new RedisSessionStoreImpl(jedis, config);
    }
  }
}
