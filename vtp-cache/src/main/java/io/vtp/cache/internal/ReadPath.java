package io.vtp.cache.internal;

import io.vtp.cache.CacheException;
import io.vtp.cache.CacheLoader;
import io.vtp.cache.internal.EnvelopeCodec.Envelope;
import io.vtp.cache.internal.Leases.Acquired;
import io.vtp.cache.internal.Leases.Release;
import io.vtp.cache.internal.Leases.Write;
import io.vtp.redis.internal.ThrottledLog;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * The single-key read of one cache: L1, one {@code GET}, then on a miss single flight in this JVM and the
 * cross-instance lease ({@link Leases}): the holder loads and writes, the others poll Redis briefly for its value
 * (then load without writing). A fresh hit may start a probabilistic early refresh; while Redis is unavailable
 * reads load through the bounded bypass. Thread-safe.
 *
 * @param <V> the value type
 */
final class ReadPath<V> {
  private static final long FIRST_POLL_MILLIS = 2;
  private static final long MAX_POLL_MILLIS = 50;

  private final CacheConfig cfg;
  private final String name;
  private final KeyScheme keys;
  private final EnvelopeCodec<V> codec;
  private final RedisAccess redis;
  private final Leases leases;
  private final Loads<V> loads;
  private final Invalidations invalidations;
  private final L1Cache<V> l1;
  private final CacheCounters counters;
  private final ThrottledLog errorLog;
  private final ConcurrentHashMap<String, CompletableFuture<Envelope<V>>> flights = new ConcurrentHashMap<>();

  /**
   * Creates the read path of one cache.
   *
   * @param l1 the L1, or {@code null} without one
   */
  ReadPath(CacheConfig cfg, KeyScheme keys, EnvelopeCodec<V> codec, RedisAccess redis, Leases leases, Loads<V> loads,
      Invalidations invalidations, L1Cache<V> l1, CacheCounters counters, ThrottledLog errorLog) {
    this.cfg = cfg;
    this.name = cfg.name();
    this.keys = keys;
    this.codec = codec;
    this.redis = redis;
    this.leases = leases;
    this.loads = loads;
    this.invalidations = invalidations;
    this.l1 = l1;
    this.counters = counters;
    this.errorLog = errorLog;
  }

  /**
   * Returns the entry of a key (arguments already checked): from L1, Redis, another caller's load, or the loader.
   *
   * @return the entry; never {@code null}; its value is {@code null} for "not found"
   */
  Envelope<V> get(String part, String key, Duration ttl, CacheLoader<V> loader) {
    Envelope<V> local = peekL1(part);
    if (local != null) {
      return local;
    }
    long epoch = l1Epoch(); // read before Redis: an invalidation meanwhile keeps this entry out of L1
    Envelope<V> entry = read(part, key, ttl, loader);
    if (l1 != null) {
      l1.put(part, entry, epoch);
    }
    return entry;
  }

  /**
   * Returns the fresh entry of a key from L1 or one {@code GET}, without loading, leasing or refreshing.
   *
   * @return the entry, or {@code null} when nothing fresh is cached or Redis is unavailable
   */
  Envelope<V> peek(String part) {
    Envelope<V> local = peekL1(part);
    if (local != null) {
      return local;
    }
    if (!invalidations.redisAllowed()) {
      counters.misses.increment();
      return null;
    }
    String raw;
    try {
      raw = redis.client().get(keys.valueKey(part));
    } catch (RuntimeException e) {
      return peekAfter(part, null, e);
    }
    return peekAfter(part, raw, null);
  }

  /**
   * The L1 step of {@link #get} and {@link #peek}: a fresh L1 entry (counted as a hit), or {@code null} (counted as an L1 miss when
   * there is an L1).
   */
  Envelope<V> peekL1(String part) {
    if (l1 != null) {
      Envelope<V> local = l1.get(part, cfg.clock().millis());
      if (local != null) {
        counters.l1Hits.increment();
        counters.hits.increment();
        return local;
      }
      counters.l1Misses.increment();
    }
    return null;
  }

  /** Whether a peek may read Redis now (see {@link Invalidations#redisAllowed()}); a peek that may not is a miss. */
  boolean peekAllowed() {
    if (invalidations.redisAllowed()) {
      return true;
    }
    counters.misses.increment();
    return false;
  }

  /** The current L1 epoch (0 without L1), read before a Redis read whose entry may go into L1. */
  long l1Epoch() {
    return l1 == null ? 0 : l1.epoch();
  }

  /**
   * The Redis step of {@link #peek}, after its {@code GET} (sent here or in a shared round trip): the fresh entry, or
   * {@code null} for a miss, a stale, corrupt or early-refresh-due entry (the caller's full read decides then) or a
   * failure (counted against the breaker, never thrown).
   *
   * @param raw the stored value, or {@code null}
   * @param failure the {@code GET}'s failure, or {@code null}
   */
  Envelope<V> peekAfter(String part, String raw, RuntimeException failure) {
    if (failure != null) {
      redis.failed("GET", failure);
      counters.misses.increment();
      return null;
    }
    redis.succeeded();
    long now = cfg.clock().millis();
    Envelope<V> entry = raw == null ? null : codec.decode(raw);
    if (raw != null && entry == null) {
      corrupt(keys.valueKey(part));
    }
    if (entry == null || entry.freshUntil() <= now) {
      counters.misses.increment();
      return null;
    }
    counters.hits.increment();
    return entry;
  }

  /**
   * {@link #peekAfter} for a read that wants the same early refresh as {@link #get}: a fresh entry due an early
   * refresh reads as {@code null} (uncounted), so the caller's full read makes the refresh decision.
   */
  Envelope<V> peekForRead(String part, String raw, RuntimeException failure, long epoch) {
    if (failure != null) {
      redis.failed("GET", failure);
      counters.misses.increment();
      return null;
    }
    redis.succeeded();
    long now = cfg.clock().millis();
    Envelope<V> entry = raw == null ? null : codec.decode(raw);
    if (raw != null && entry == null) {
      corrupt(keys.valueKey(part));
    }
    if (entry == null || entry.freshUntil() <= now) {
      counters.misses.increment();
      return null;
    }
    if (shouldRefreshEarly(entry, now)) {
      return null; // uncounted: the caller's full read counts it and decides the refresh
    }
    counters.hits.increment();
    if (l1 != null) {
      l1.put(part, entry, epoch);
    }
    return entry;
  }

  private Envelope<V> read(String part, String key, Duration ttl, CacheLoader<V> loader) {
    if (!invalidations.redisAllowed()) {
      counters.misses.increment();
      return flight(part, () -> bypassLoad(key, part, ttl, loader, null));
    }
    String valueKey = keys.valueKey(part);
    String raw;
    try {
      raw = redis.client().get(valueKey);
      redis.succeeded();
    } catch (RuntimeException e) {
      redis.failed("GET", e);
      counters.misses.increment();
      return flight(part, () -> bypassLoad(key, part, ttl, loader, null));
    }
    Envelope<V> stale = null;
    if (raw != null) {
      Envelope<V> entry = codec.decode(raw);
      long now = cfg.clock().millis();
      if (entry == null) {
        corrupt(valueKey);
      } else if (entry.freshUntil() > now) {
        counters.hits.increment();
        if (shouldRefreshEarly(entry, now)) {
          return refreshEarly(part, key, ttl, loader, entry);
        }
        return entry;
      } else {
        stale = entry;
      }
    }
    counters.misses.increment();
    Envelope<V> fallback = stale;
    return flight(part, () -> loadWithLease(part, key, ttl, loader, fallback));
  }

  /** Runs {@code load} once per key in this JVM; concurrent callers wait for and share its outcome. */
  private Envelope<V> flight(String part, Supplier<Envelope<V>> load) {
    CompletableFuture<Envelope<V>> mine = new CompletableFuture<>();
    CompletableFuture<Envelope<V>> running = flights.putIfAbsent(part, mine);
    if (running != null) {
      counters.coalesced.increment();
      return await(running);
    }
    try {
      Envelope<V> result = load.get();
      mine.complete(result);
      return result;
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      flights.remove(part, mine);
    }
  }

  private Envelope<V> await(CompletableFuture<Envelope<V>> running) {
    try {
      return running.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheException("cache '" + name + "': interrupted while waiting for a concurrent load", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new CacheException("cache '" + name + "': concurrent load failed", cause);
    }
  }

  private Envelope<V> loadWithLease(String part, String key, Duration ttl, CacheLoader<V> loader, Envelope<V> stale) {
    String token = Leases.newToken();
    String skip = stale == null ? null : stale.raw();
    long deadline = System.nanoTime() + cfg.leaseWait().toNanos();
    long pause = FIRST_POLL_MILLIS;
    boolean waited = false;
    int corruptSeen = 0;
    while (true) {
      Acquired reply;
      try {
        reply = leases.acquire(part, token, skip);
        redis.succeeded();
      } catch (RuntimeException e) {
        redis.failed("lease", e);
        return bypassLoad(key, part, ttl, loader, stale);
      }
      switch (reply.outcome()) {
        case LEASED -> {
          return loadAndPut(part, key, ttl, loader, token, stale);
        }
        case FOUND -> {
          Envelope<V> entry = codec.decode(reply.entry());
          if (entry == null) {
            counters.corruptValues.increment();
            skip = reply.entry(); // the lease holder will overwrite it
            if (++corruptSeen > 3) {
              return loadDirect(key, part, ttl, loader, stale);
            }
          } else if (entry.freshUntil() > cfg.clock().millis()) {
            if (waited) {
              counters.coalesced.increment();
            }
            return entry;
          } else {
            stale = entry;
            skip = entry.raw();
          }
        }
        case BUSY -> {
          // Another caller (usually another instance) holds the lease: poll for its value, briefly.
          if (System.nanoTime() >= deadline) {
            return loadDirect(key, part, ttl, loader, stale);
          }
          waited = true;
          pause(pause);
          pause = Math.min(pause * 2, MAX_POLL_MILLIS);
        }
      }
    }
  }

  /** Loads while holding the lease and writes the entry back unless an invalidation took the lease meanwhile. */
  private Envelope<V> loadAndPut(String part, String key, Duration ttl, CacheLoader<V> loader, String token,
      Envelope<V> fallback) {
    Envelope<V> entry;
    try {
      entry = loads.load(key, part, ttl, loader);
    } catch (RuntimeException | Error e) {
      leases.release(new Release(part, token));
      Envelope<V> served = loads.fallback(fallback, e);
      if (served == null) {
        throw e;
      }
      return served;
    }
    if (entry.raw() == null) {
      leases.release(new Release(part, token));
    } else {
      leases.put(new Write(part, token, entry));
    }
    return entry;
  }

  /** Loads without writing back: the lease holder is slow or dead, and only the holder may write. */
  private Envelope<V> loadDirect(String key, String part, Duration ttl, CacheLoader<V> loader, Envelope<V> stale) {
    try {
      return loads.load(key, part, ttl, loader);
    } catch (RuntimeException | Error e) {
      Envelope<V> served = loads.fallback(stale, e);
      if (served == null) {
        throw e;
      }
      return served;
    }
  }

  /** Loads straight from the source while Redis is unavailable, at most {@code bypassPermits} at once. */
  private Envelope<V> bypassLoad(String key, String part, Duration ttl, CacheLoader<V> loader, Envelope<V> stale) {
    loads.beginBypass("get");
    try {
      return loadDirect(key, part, ttl, loader, stale);
    } finally {
      loads.endBypass();
    }
  }

  private Envelope<V> refreshEarly(String part, String key, Duration ttl, CacheLoader<V> loader, Envelope<V> current) {
    CompletableFuture<Envelope<V>> mine = new CompletableFuture<>();
    if (flights.putIfAbsent(part, mine) != null) {
      return current; // someone in this JVM is already loading it
    }
    Envelope<V> result = current;
    try {
      String token = Leases.newToken();
      Acquired reply;
      try {
        reply = leases.acquire(part, token, current.raw());
        redis.succeeded();
      } catch (RuntimeException e) {
        redis.failed("lease", e);
        return current;
      }
      switch (reply.outcome()) {
        case FOUND -> {
          Envelope<V> newer = codec.decode(reply.entry());
          result = newer != null && newer.freshUntil() > current.freshUntil() ? newer : current;
        }
        case LEASED -> {
          counters.earlyRefreshes.increment();
          result = loadAndPut(part, key, ttl, loader, token, current);
        }
        case BUSY -> result = current; // another instance refreshes it
      }
      return result;
    } catch (RuntimeException | Error e) {
      result = null;
      mine.completeExceptionally(e);
      throw e;
    } finally {
      if (result != null) {
        mine.complete(result);
      }
      flights.remove(part, mine);
    }
  }

  private boolean shouldRefreshEarly(Envelope<V> entry, long now) {
    if (cfg.earlyRefreshBeta() <= 0) {
      return false;
    }
    double delta = Math.max(1, entry.loadMillis());
    double r = 1.0 - cfg.random().nextDouble(); // (0, 1]
    return now - delta * cfg.earlyRefreshBeta() * Math.log(r) >= entry.freshUntil();
  }

  private void corrupt(String valueKey) {
    counters.corruptValues.increment();
    errorLog.warn("cache '" + name + "': an entry was not a value this cache wrote (garbage, foreign or "
        + "incompatible JSON); deleted and loaded again", null);
    try {
      redis.client().del(valueKey);
      counters.evictions.increment();
    } catch (RuntimeException e) {
      redis.failed("DEL", e);
    }
  }

  private void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheException("cache '" + name + "': interrupted while waiting for another instance's load", e);
    }
  }
}
