package io.vtp.cache;

import io.vtp.redis.PipelinedCall;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A cache-aside view of one namespace ("courses", "users") in Redis, in front of a source of truth.
 *
 * <p>Reads go to the optional in-process L1, then Redis, then the loader. Concurrent misses on one key share one
 * load in this JVM, and a short Redis lease lets one instance load while the others wait briefly for its value.
 * Redis failures never fail a read the loader can serve: they are counted, logged at most once per interval, and
 * a circuit breaker stops paying timeouts while Redis is down.
 *
 * <p>Keys are the caller's ids ({@code "42"}, {@code "user:7"}); they are namespaced under the cache's name, and
 * keys outside {@code [A-Za-z0-9_.:-]} or longer than the configured bound are hashed (SHA-256), so any string is
 * safe. Create instances with {@link RedisCacheAside#builder}.
 *
 * <pre>{@code
 * CacheAside<Course> courses = RedisCacheAside.builder(redis, Course.class)
 *     .name("courses").ttl(CacheTtl.MEDIUM).build();
 * Optional<Course> course = courses.get("42", key -> Loaded.fromOptional(db.findCourse(42)));
 * }</pre>
 *
 * <p>Implementations are thread-safe.
 *
 * @param <V> the value type, serialised as JSON with Jackson
 */
public interface CacheAside<V> extends AutoCloseable {

  /**
   * Returns the cached value for a key, loading it on a miss with the cache's time-to-live.
   *
   * @param key the key; not {@code null} or empty
   * @param loader loads the value on a miss; not {@code null}
   * @return the value, or empty when the loader said "not found" (now or within the negative time-to-live)
   * @throws NullPointerException when an argument is {@code null}
   * @throws IllegalArgumentException when the key is empty
   * @throws CacheLoadException when the loader threw a checked exception and no stale value could be served
   * @throws CacheOverloadedException when Redis is unavailable and the bounded bypass stayed full (a
   *     {@link io.vtp.redis.BackendUnavailableException})
   * @throws CacheException when interrupted while waiting for a concurrent load or a bypass slot (the interrupt is
   *     restored), or when the concurrent load of the same key that this call waited for failed
   * @throws RuntimeException the loader's own unchecked exception, unchanged
   */
  Optional<V> get(String key, CacheLoader<V> loader);

  /**
   * Like {@link #get(String, CacheLoader)} with a time-to-live of this call's own for a loaded value (a "not
   * found" result keeps the cache's negative time-to-live).
   *
   * @param key the key; not {@code null} or empty
   * @param ttl how long a loaded value is fresh, before jitter; positive, not {@code null}
   * @param loader loads the value on a miss; not {@code null}
   * @return the value, or empty for "not found"
   * @throws NullPointerException when an argument is {@code null}
   * @throws IllegalArgumentException when the key is empty or {@code ttl} is not positive
   * @throws CacheLoadException when the loader threw a checked exception and no stale value could be served
   * @throws CacheOverloadedException when Redis is unavailable and the bounded bypass stayed full (a
   *     {@link io.vtp.redis.BackendUnavailableException})
   * @throws CacheException when interrupted while waiting for a concurrent load or a bypass slot (the interrupt is
   *     restored), or when the concurrent load of the same key that this call waited for failed
   */
  Optional<V> get(String key, Duration ttl, CacheLoader<V> loader);

  /**
   * Like {@link #get(String, CacheLoader)}, and also tells how this read was answered: {@link Lookup.Outcome#HIT}
   * when this call did not run its loader, {@link Lookup.Outcome#MISS} when it did,
   * {@link Lookup.Outcome#STALE} when the loader failed and the previous entry was served. It costs the same
   * Redis commands as {@code get}; the outcome is this call's own, unlike {@link #stats()}.
   *
   * <p>The default implementation wraps {@code loader} to see whether this call ran it and whether it returned;
   * it suits any implementation that runs a call's loader at most once.
   *
   * @param key the key; not {@code null} or empty
   * @param loader loads the value on a miss; not {@code null}
   * @return the value (empty for "not found") and the outcome; never {@code null}
   * @throws NullPointerException when an argument is {@code null}
   * @throws IllegalArgumentException when the key is empty
   * @throws CacheLoadException when the loader threw a checked exception and no stale value could be served
   * @throws CacheOverloadedException when Redis is unavailable and the bounded bypass stayed full (a
   *     {@link io.vtp.redis.BackendUnavailableException})
   * @throws CacheException when interrupted while waiting for a concurrent load or a bypass slot (the interrupt is
   *     restored), or when the concurrent load of the same key that this call waited for failed
   * @throws RuntimeException the loader's own unchecked exception, unchanged
   */
  default Lookup<V> lookup(String key, CacheLoader<V> loader) {
    Objects.requireNonNull(loader, "loader");
    AtomicReference<Lookup.Outcome> outcome = new AtomicReference<>(Lookup.Outcome.HIT);
    Optional<V> value = get(key, k -> {
      outcome.set(Lookup.Outcome.STALE); // unless the loader returns a result the cache can use
      Loaded<V> loaded = loader.load(k);
      if (loaded != null) {
        outcome.set(Lookup.Outcome.MISS);
      }
      return loaded;
    });
    return new Lookup<>(value, outcome.get());
  }

  /**
   * Returns what the cache holds fresh for a key, without loading: the in-process L1, then one {@code GET}. An
   * expired entry (even within the stale grace), a corrupt one (deleted), an absent one, or Redis being unavailable
   * all read as nothing cached. It takes no lease and starts no early refresh; it counts a hit or a miss like
   * {@link #get(String, CacheLoader)}. For framework adapters whose lookup has no loader (Spring's
   * {@code Cache.get(key)}); prefer {@code get} with a loader, which is single flight.
   *
   * @param key the key; not {@code null} or empty
   * @return empty when nothing fresh is cached; otherwise the entry: {@link Loaded#of} a value, or
   *     {@link Loaded#notFound()} for a cached "not found"; never {@code null}
   * @throws NullPointerException when {@code key} is {@code null}
   * @throws IllegalArgumentException when the key is empty
   */
  Optional<Loaded<V>> peek(String key);

  /**
   * Prepares the cheap part of a read to share a Redis round trip with other libraries' calls
   * ({@link io.vtp.redis.RoundTrip}): the in-process L1 now (a hit sends nothing), else one {@code GET} in the shared
   * round trip. Its {@link PipelinedCall#result() result} is the fresh entry found (kept in L1, like a read's), or
   * empty when the full read must decide: nothing or an expired or corrupt entry cached, an early refresh due,
   * Redis unavailable (never thrown: counted against the circuit breaker like any failed read). On empty, call
   * {@link #get(String, CacheLoader)} or {@link #lookup(String, CacheLoader)}: single flight, lease, load, stale
   * serving, all as usual, at the cost of that read's own round trips (so a miss counts twice in
   * {@link #stats()}). No loader runs inside the shared round trip.
   *
   * <p>The default implementation shares no round trip: it runs {@link #peek(String)} when completed, so an empty
   * key's exception comes from {@link PipelinedCall#result()}.
   *
   * @param key the key; not {@code null} or empty
   * @return the call, to be sent once; never {@code null}
   * @throws NullPointerException when {@code key} is {@code null}
   * @throws IllegalArgumentException when the key is empty
   */
  default PipelinedCall<Optional<Loaded<V>>> readCall(String key) {
    Objects.requireNonNull(key, "key");
    return new PipelinedCall<>(null) {
      @Override
      protected boolean needsRedis() {
        return false;
      }

      @Override
      protected void queue(redis.clients.jedis.AbstractPipeline pipeline) {
        throw new IllegalStateException("nothing to queue");
      }

      @Override
      protected Optional<Loaded<V>> complete(redis.clients.jedis.exceptions.JedisException failure) {
        return peek(key);
      }
    };
  }

  /**
   * Returns the values of many keys: L1 first, then one {@code MGET} (one per hash slot on Redis Cluster, sent in
   * one pipeline), then one call of the bulk loader for the misses only, then one pipelined write-back.
   *
   * @param keys the keys; not {@code null}, no {@code null} or empty element; duplicates are read once
   * @param loader loads the missed keys in one call; not called when everything hits; not {@code null}
   * @return the found values by key, in the order of {@code keys}; keys that are "not found" are absent; never
   *     {@code null}
   * @throws NullPointerException when {@code keys}, one of its keys or {@code loader} is {@code null}
   * @throws IllegalArgumentException when a key is empty
   * @throws CacheLoadException when the loader threw a checked exception and stale values could not be served
   * @throws CacheOverloadedException when Redis is unavailable and the bounded bypass stayed full (a
   *     {@link io.vtp.redis.BackendUnavailableException})
   * @throws CacheException when interrupted while waiting for a concurrent load or a bypass slot (the interrupt is
   *     restored), or when the concurrent load of the same key that this call waited for failed
   */
  Map<String, V> getAll(Collection<String> keys, BulkLoader<V> loader);

  /**
   * Deletes a key's entry everywhere: in Redis, in this instance's L1 and (over Redis pub/sub) in every other
   * instance's L1. A load of the key that is running concurrently on any instance does not write its (possibly
   * older) value back. Call it after the write to the source of truth has committed.
   *
   * <p>When Redis is unavailable the invalidation is kept and retried before this instance's next Redis command;
   * until then other instances may serve the old value (see the class documentation of
   * {@link RedisCacheAside} for the bound).
   *
   * @param key the key; not {@code null} or empty
   * @throws NullPointerException when {@code key} is {@code null}
   * @throws IllegalArgumentException when the key is empty
   */
  void invalidate(String key);

  /**
   * Deletes every entry of this cache's namespace (a {@code SCAN} over every node, so O(keys in Redis)) and
   * clears every instance's L1. Meant for rare events (a migration, a list whose pages all moved).
   */
  void invalidateAll();

  /**
   * Returns the cache's name, as configured.
   *
   * @return the cache's name, as configured; never {@code null}
   */
  String name();

  /**
   * Returns the counters.
   *
   * @return a snapshot; never {@code null}
   */
  CacheStats stats();

  /**
   * Stops the L1 invalidation listener, if any. The Redis client is the caller's and stays open. Idempotent.
   */
  @Override
  void close();
}
