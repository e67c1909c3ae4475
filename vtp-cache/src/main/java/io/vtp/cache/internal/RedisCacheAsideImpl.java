package io.vtp.cache.internal;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vtp.cache.BulkLoader;
import io.vtp.cache.CacheAside;
import io.vtp.cache.CacheException;
import io.vtp.cache.CacheLoadException;
import io.vtp.cache.CacheLoader;
import io.vtp.cache.CacheOverloadedException;
import io.vtp.cache.CacheStats;
import io.vtp.cache.Loaded;
import io.vtp.cache.internal.EnvelopeCodec.Envelope;
import io.vtp.redis.RedisScript;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.ScanIteration;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The Redis cache-aside. Read path: L1, one {@code GET}, then (on a miss) single flight in this JVM and the
 * cross-instance lease ({@code acquire.lua}), the loader, and a token-checked write ({@code put.lua}).
 *
 * @param <V> the value type
 */
public final class RedisCacheAsideImpl<V> implements CacheAside<V> {
  private static final Logger LOG = LoggerFactory.getLogger("io.vtp.cache.RedisCacheAside");
  private static final RedisScript ACQUIRE = RedisScript.fromResource(RedisCacheAsideImpl.class, "acquire.lua");
  private static final RedisScript PUT = RedisScript.fromResource(RedisCacheAsideImpl.class, "put.lua");
  private static final RedisScript RELEASE = RedisScript.fromResource(RedisCacheAsideImpl.class, "release.lua");
  private static final RedisScript INVALIDATE = RedisScript.fromResource(RedisCacheAsideImpl.class, "invalidate.lua");
  private static final int MAX_PENDING_INVALIDATIONS = 100_000;
  private static final long FIRST_POLL_MILLIS = 2;
  private static final long MAX_POLL_MILLIS = 50;

  private final UnifiedJedis redis;
  private final CacheConfig cfg;
  private final String name;
  private final KeyScheme keys;
  private final EnvelopeCodec<V> codec;
  private final CircuitBreaker breaker;
  private final ThrottledLog errorLog;
  private final Semaphore bypass;
  private final L1Cache<V> l1;
  private final InvalidationListener listener;
  private final ConcurrentHashMap<String, CompletableFuture<Envelope<V>>> flights = new ConcurrentHashMap<>();
  private final Set<String> pendingInvalidations = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean pendingInvalidateAll = new AtomicBoolean();
  private final AtomicBoolean flushing = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final String leaseMillis;

  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder l1Hits = new LongAdder();
  private final LongAdder l1Misses = new LongAdder();
  private final LongAdder loadSuccesses = new LongAdder();
  private final LongAdder loadFailures = new LongAdder();
  private final LongAdder loadNanos = new LongAdder();
  private final LongAdder coalesced = new LongAdder();
  private final LongAdder puts = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final LongAdder staleServed = new LongAdder();
  private final LongAdder earlyRefreshes = new LongAdder();
  private final LongAdder backendErrors = new LongAdder();
  private final LongAdder corruptValues = new LongAdder();
  private final LongAdder bypassLoads = new LongAdder();
  private final LongAdder bypassRejected = new LongAdder();

  /**
   * Creates the cache; use {@code RedisCacheAside.builder} instead.
   *
   * @param redis the caller's client
   * @param cfg validated configuration
   * @param mapper the base mapper (copied and locked down)
   * @param type resolves the value type against the mapper
   */
  public RedisCacheAsideImpl(UnifiedJedis redis, CacheConfig cfg, ObjectMapper mapper,
      Function<ObjectMapper, JavaType> type) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.cfg = cfg;
    this.name = cfg.name();
    this.keys = new KeyScheme(cfg.keyPrefix(), cfg.name(), cfg.maxKeyLength());
    this.codec = new EnvelopeCodec<>(mapper, type, cfg.valueVersion());
    this.breaker = new CircuitBreaker(cfg.clock(), cfg.failureThreshold(), cfg.openDuration());
    this.errorLog = new ThrottledLog(LOG, cfg.clock(), cfg.errorLogInterval());
    this.bypass = new Semaphore(cfg.bypassPermits());
    this.leaseMillis = Long.toString(Math.max(1, cfg.leaseTtl().toMillis()));
    if (cfg.l1Enabled()) {
      this.l1 = new L1Cache<>(cfg.l1MaximumSize(), cfg.l1Ttl());
      this.listener = new InvalidationListener(redis, keys.channel(), l1, errorLog, name);
      listener.start(Duration.ofSeconds(2));
    } else {
      this.l1 = null;
      this.listener = null;
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Optional<V> get(String key, CacheLoader<V> loader) {
    return get(key, cfg.ttl(), loader);
  }

  @Override
  public Optional<V> get(String key, Duration ttl, CacheLoader<V> loader) {
    String part = keys.part(key);
    Objects.requireNonNull(ttl, "ttl");
    Objects.requireNonNull(loader, "loader");
    if (ttl.isZero() || ttl.isNegative()) {
      throw new IllegalArgumentException("cache '" + name + "': ttl must be > 0 but was " + ttl);
    }
    long epoch = 0;
    if (l1 != null) {
      Envelope<V> local = l1.get(part, cfg.clock().millis());
      if (local != null) {
        l1Hits.increment();
        hits.increment();
        return Optional.ofNullable(local.value());
      }
      l1Misses.increment();
      epoch = l1.epoch();
    }
    Envelope<V> entry = read(part, key, ttl, loader);
    if (l1 != null) {
      l1.put(part, entry, epoch);
    }
    return Optional.ofNullable(entry.value());
  }

  private Envelope<V> read(String part, String key, Duration ttl, CacheLoader<V> loader) {
    if (!redisAllowed()) {
      misses.increment();
      return flight(part, () -> bypassLoad(key, part, ttl, loader, null));
    }
    String valueKey = keys.valueKey(part);
    String raw;
    try {
      raw = redis.get(valueKey);
      onRedisSuccess();
    } catch (RuntimeException e) {
      onRedisFailure("GET", e);
      misses.increment();
      return flight(part, () -> bypassLoad(key, part, ttl, loader, null));
    }
    Envelope<V> stale = null;
    if (raw != null) {
      Envelope<V> entry = codec.decode(raw);
      long now = cfg.clock().millis();
      if (entry == null) {
        corrupt(valueKey);
      } else if (entry.freshUntil() > now) {
        hits.increment();
        if (shouldRefreshEarly(entry, now)) {
          return refreshEarly(part, key, ttl, loader, entry);
        }
        return entry;
      } else {
        stale = entry;
      }
    }
    misses.increment();
    Envelope<V> fallback = stale;
    return flight(part, () -> loadWithLease(part, key, ttl, loader, fallback));
  }

  /** Runs {@code load} once per key in this JVM; concurrent callers wait for and share its outcome. */
  private Envelope<V> flight(String part, Supplier<Envelope<V>> load) {
    CompletableFuture<Envelope<V>> mine = new CompletableFuture<>();
    CompletableFuture<Envelope<V>> running = flights.putIfAbsent(part, mine);
    if (running != null) {
      coalesced.increment();
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
    List<String> leaseKeys = List.of(keys.valueKey(part), keys.leaseKey(part));
    String token = newToken();
    String ignore = stale == null ? "" : stale.raw();
    long deadline = System.nanoTime() + cfg.leaseWait().toNanos();
    long pause = FIRST_POLL_MILLIS;
    boolean waited = false;
    int corruptSeen = 0;
    while (true) {
      Reply reply;
      try {
        reply = Reply.of(ACQUIRE.eval(redis, leaseKeys, List.of(token, leaseMillis, ignore)));
        onRedisSuccess();
      } catch (RuntimeException e) {
        onRedisFailure("lease", e);
        return bypassLoad(key, part, ttl, loader, stale);
      }
      if (reply.code == 2) {
        return loadAndPut(part, key, ttl, loader, token, stale);
      }
      if (reply.code == 1) {
        Envelope<V> entry = codec.decode(reply.value);
        if (entry == null) {
          corruptValues.increment();
          ignore = reply.value; // the lease holder will overwrite it
          if (++corruptSeen > 3) {
            return loadDirect(key, part, ttl, loader, stale);
          }
          continue;
        }
        if (entry.freshUntil() > cfg.clock().millis()) {
          if (waited) {
            coalesced.increment();
          }
          return entry;
        }
        stale = entry;
        ignore = entry.raw();
        continue;
      }
      // Another caller (usually another instance) holds the lease: poll for its value, briefly.
      if (System.nanoTime() >= deadline) {
        return loadDirect(key, part, ttl, loader, stale);
      }
      waited = true;
      pause(pause);
      pause = Math.min(pause * 2, MAX_POLL_MILLIS);
    }
  }

  /** Loads while holding the lease and writes the entry back unless an invalidation took the lease meanwhile. */
  private Envelope<V> loadAndPut(String part, String key, Duration ttl, CacheLoader<V> loader, String token,
      Envelope<V> fallback) {
    List<String> leaseKeys = List.of(keys.valueKey(part), keys.leaseKey(part));
    Envelope<V> entry;
    try {
      entry = load(key, part, ttl, loader);
    } catch (RuntimeException | Error e) {
      release(part, token);
      Envelope<V> served = fallback(fallback, e);
      if (served == null) {
        throw e;
      }
      return served;
    }
    if (entry.raw() == null) {
      release(part, token);
      return entry;
    }
    try {
      Object written = PUT.eval(redis, leaseKeys, List.of(token, entry.raw(), Long.toString(redisTtlMillis(entry))));
      onRedisSuccess();
      if (Long.valueOf(1L).equals(written)) {
        puts.increment();
      }
    } catch (RuntimeException e) {
      onRedisFailure("put", e);
    }
    return entry;
  }

  /** Loads without writing back: the lease holder is slow or dead, and only the holder may write. */
  private Envelope<V> loadDirect(String key, String part, Duration ttl, CacheLoader<V> loader, Envelope<V> stale) {
    try {
      return load(key, part, ttl, loader);
    } catch (RuntimeException | Error e) {
      Envelope<V> served = fallback(stale, e);
      if (served == null) {
        throw e;
      }
      return served;
    }
  }

  /** Loads straight from the source while Redis is unavailable, at most {@code bypassPermits} at once. */
  private Envelope<V> bypassLoad(String key, String part, Duration ttl, CacheLoader<V> loader, Envelope<V> stale) {
    acquireBypass(stale);
    try {
      bypassLoads.increment();
      return loadDirect(key, part, ttl, loader, stale);
    } finally {
      bypass.release();
    }
  }

  private void acquireBypass(Envelope<V> stale) {
    boolean acquired;
    try {
      acquired = bypass.tryAcquire(cfg.bypassWait().toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheException("cache '" + name + "': interrupted while waiting for a bypass slot", e);
    }
    if (!acquired) {
      bypassRejected.increment();
      throw new CacheOverloadedException("cache '" + name + "': Redis is unavailable and " + cfg.bypassPermits()
          + " loads already bypass it; none finished within " + cfg.bypassWait()
          + " (raise bypass(permits, wait) if the database can take more)");
    }
  }

  private Envelope<V> refreshEarly(String part, String key, Duration ttl, CacheLoader<V> loader, Envelope<V> current) {
    CompletableFuture<Envelope<V>> mine = new CompletableFuture<>();
    if (flights.putIfAbsent(part, mine) != null) {
      return current; // someone in this JVM is already loading it
    }
    Envelope<V> result = current;
    try {
      String token = newToken();
      Reply reply;
      try {
        reply = Reply.of(ACQUIRE.eval(redis, List.of(keys.valueKey(part), keys.leaseKey(part)),
            List.of(token, leaseMillis, current.raw())));
        onRedisSuccess();
      } catch (RuntimeException e) {
        onRedisFailure("lease", e);
        return current;
      }
      if (reply.code == 1) {
        Envelope<V> newer = codec.decode(reply.value);
        result = newer != null && newer.freshUntil() > current.freshUntil() ? newer : current;
      } else if (reply.code == 2) {
        earlyRefreshes.increment();
        result = loadAndPut(part, key, ttl, loader, token, current);
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

  /** Returns the value to serve when a load failed (and counts it), or {@code null} to rethrow. */
  private Envelope<V> fallback(Envelope<V> previous, Throwable failure) {
    if (previous == null || failure instanceof Error) {
      return null;
    }
    long now = cfg.clock().millis();
    if (previous.freshUntil() > now) {
      errorLog.warn("cache '" + name + "': early refresh failed; serving the current value", failure);
      return previous;
    }
    if (now <= previous.freshUntil() + cfg.staleGrace().toMillis()) {
      staleServed.increment();
      errorLog.warn("cache '" + name + "': loader failed; serving a stale value within the grace window", failure);
      return previous;
    }
    return null;
  }

  /** Calls the loader and makes the entry to store; never returns {@code null}. */
  private Envelope<V> load(String key, String part, Duration ttl, CacheLoader<V> loader) {
    long start = System.nanoTime();
    Loaded<V> loaded;
    try {
      loaded = loader.load(key);
      if (loaded == null) {
        throw new NullPointerException("cache '" + name + "': loader returned null for key " + part
            + "; return Loaded.notFound() instead");
      }
    } catch (RuntimeException e) {
      loadFailures.increment();
      throw e;
    } catch (Exception e) {
      loadFailures.increment();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new CacheLoadException("cache '" + name + "': loader failed for key " + part + ": " + e, e);
    }
    long nanos = System.nanoTime() - start;
    loadSuccesses.increment();
    loadNanos.add(nanos);
    return entryFor(loaded.toOptional().orElse(null), loaded.isFound() ? ttl : cfg.notFoundTtl(),
        TimeUnit.NANOSECONDS.toMillis(nanos));
  }

  private Envelope<V> entryFor(V value, Duration ttl, long loadMillis) {
    long freshUntil = cfg.clock().millis() + jittered(ttl);
    String raw;
    try {
      raw = codec.encode(value, freshUntil, loadMillis);
    } catch (RuntimeException e) {
      LOG.error("cache '{}': value of {} cannot be serialised to JSON, so it is not cached", name,
          value == null ? "null" : value.getClass().getName(), e);
      raw = null;
    }
    return new Envelope<>(value, freshUntil, loadMillis, raw);
  }

  long jittered(Duration ttl) {
    long millis = ttl.toMillis();
    if (cfg.jitter() == 0) {
      return Math.max(1, millis);
    }
    double factor = 1 + cfg.jitter() * (2 * cfg.random().nextDouble() - 1);
    return Math.max(1, Math.round(millis * factor));
  }

  private long redisTtlMillis(Envelope<V> entry) {
    return Math.max(1, entry.freshUntil() - cfg.clock().millis()) + cfg.staleGrace().toMillis();
  }

  // ---- bulk ----

  @Override
  public Map<String, V> getAll(Collection<String> requested, BulkLoader<V> loader) {
    Objects.requireNonNull(requested, "keys");
    Objects.requireNonNull(loader, "loader");
    Map<String, String> parts = new LinkedHashMap<>();
    for (String key : requested) {
      parts.put(key, keys.part(key));
    }
    Map<String, Envelope<V>> found = new HashMap<>();
    List<String> remaining = new ArrayList<>();
    long epoch = 0;
    long now = cfg.clock().millis();
    if (l1 != null) {
      epoch = l1.epoch();
      for (Map.Entry<String, String> e : parts.entrySet()) {
        Envelope<V> local = l1.get(e.getValue(), now);
        if (local != null) {
          l1Hits.increment();
          hits.increment();
          found.put(e.getKey(), local);
        } else {
          l1Misses.increment();
          remaining.add(e.getKey());
        }
      }
    } else {
      remaining.addAll(parts.keySet());
    }
    Map<String, Envelope<V>> stale = new HashMap<>();
    Map<String, String> ignore = new HashMap<>();
    List<String> missed = new ArrayList<>();
    boolean redisUp = !remaining.isEmpty() && redisAllowed();
    if (redisUp) {
      try {
        List<String> raws = mget(remaining.stream().map(k -> keys.valueKey(parts.get(k))).toList());
        onRedisSuccess();
        for (int i = 0; i < remaining.size(); i++) {
          String key = remaining.get(i);
          String raw = raws.get(i);
          Envelope<V> entry = raw == null ? null : codec.decode(raw);
          if (entry != null && entry.freshUntil() > now) {
            hits.increment();
            found.put(key, entry);
            continue;
          }
          if (raw != null) {
            ignore.put(key, raw); // the write-back replaces an expired or corrupt entry
            if (entry == null) {
              corruptValues.increment();
            } else {
              stale.put(key, entry);
            }
          }
          missed.add(key);
        }
      } catch (RuntimeException e) {
        onRedisFailure("MGET", e);
        redisUp = false;
        missed = new ArrayList<>(remaining);
      }
    } else {
      missed = new ArrayList<>(remaining);
    }
    if (!missed.isEmpty()) {
      misses.add(missed.size());
      loadMissed(parts, missed, loader, redisUp, stale, ignore, found);
    }
    Map<String, V> result = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : parts.entrySet()) {
      Envelope<V> entry = found.get(e.getKey());
      if (entry != null) {
        if (l1 != null) {
          l1.put(e.getValue(), entry, epoch);
        }
        if (entry.value() != null) {
          result.put(e.getKey(), entry.value());
        }
      }
    }
    return result;
  }

  private void loadMissed(Map<String, String> parts, List<String> missed, BulkLoader<V> loader, boolean redisUp,
      Map<String, Envelope<V>> stale, Map<String, String> ignore, Map<String, Envelope<V>> found) {
    Map<String, String> tokens = new HashMap<>();
    if (redisUp) {
      redisUp = takeLeases(parts, missed, ignore, tokens, found);
    }
    if (missed.isEmpty()) {
      return;
    }
    if (!redisUp) {
      acquireBypass(null);
      bypassLoads.increment();
    }
    Map<String, V> loaded;
    long start = System.nanoTime();
    try {
      loaded = loader.loadAll(Collections.unmodifiableSet(new LinkedHashSet<>(missed)));
      Objects.requireNonNull(loaded, "bulk loader returned null");
      loadSuccesses.increment();
      loadNanos.add(System.nanoTime() - start);
    } catch (Exception e) {
      loadFailures.increment();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      if (redisUp) {
        releaseAll(parts, tokens);
      }
      if (missed.stream().allMatch(k -> stale.containsKey(k) && fallback(stale.get(k), e) != null)) {
        missed.forEach(k -> found.put(k, stale.get(k)));
        return;
      }
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new CacheLoadException("cache '" + name + "': bulk loader failed for " + missed.size() + " keys: " + e, e);
    } finally {
      if (!redisUp) {
        bypass.release();
      }
    }
    long loadMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    Map<String, Envelope<V>> toWrite = new LinkedHashMap<>();
    for (String key : missed) {
      V value = loaded.get(key);
      Envelope<V> entry = entryFor(value, value == null ? cfg.notFoundTtl() : cfg.ttl(), loadMillis);
      found.put(key, entry);
      if (tokens.containsKey(key) && entry.raw() != null) {
        toWrite.put(key, entry);
      }
    }
    if (redisUp && !tokens.isEmpty()) {
      writeBack(parts, tokens, toWrite);
    }
  }

  /** Takes the leases of the missed keys in one pipeline; keys whose entry appeared meanwhile leave {@code missed}. */
  private boolean takeLeases(Map<String, String> parts, List<String> missed, Map<String, String> ignore,
      Map<String, String> tokens, Map<String, Envelope<V>> found) {
    List<List<String>> keyLists = new ArrayList<>();
    List<List<String>> argLists = new ArrayList<>();
    for (String key : missed) {
      String part = parts.get(key);
      String token = newToken();
      tokens.put(key, token);
      keyLists.add(List.of(keys.valueKey(part), keys.leaseKey(part)));
      argLists.add(List.of(token, leaseMillis, ignore.getOrDefault(key, "")));
    }
    List<Object> replies;
    try {
      replies = evalPipelined(ACQUIRE, keyLists, argLists);
      onRedisSuccess();
    } catch (RuntimeException e) {
      onRedisFailure("lease", e);
      tokens.clear();
      return false;
    }
    long now = cfg.clock().millis();
    List<String> stillMissed = new ArrayList<>();
    for (int i = 0; i < missed.size(); i++) {
      String key = missed.get(i);
      Reply reply;
      try {
        reply = Reply.of(replies.get(i));
      } catch (RuntimeException e) {
        onRedisFailure("lease", e);
        tokens.remove(key);
        stillMissed.add(key);
        continue;
      }
      if (reply.code != 2) {
        tokens.remove(key);
      }
      if (reply.code == 1) {
        Envelope<V> entry = codec.decode(reply.value);
        if (entry != null && entry.freshUntil() > now) {
          coalesced.increment();
          found.put(key, entry);
          continue;
        }
      }
      stillMissed.add(key);
    }
    missed.clear();
    missed.addAll(stillMissed);
    return true;
  }

  private void writeBack(Map<String, String> parts, Map<String, String> tokens, Map<String, Envelope<V>> entries) {
    List<List<String>> keyLists = new ArrayList<>();
    List<List<String>> argLists = new ArrayList<>();
    for (Map.Entry<String, String> t : tokens.entrySet()) {
      String part = parts.get(t.getKey());
      Envelope<V> entry = entries.get(t.getKey());
      keyLists.add(List.of(keys.valueKey(part), keys.leaseKey(part)));
      argLists.add(entry == null
          ? List.of(t.getValue(), "", "0") // not writable: put.lua is not used, release instead
          : List.of(t.getValue(), entry.raw(), Long.toString(redisTtlMillis(entry))));
    }
    try {
      List<Object> replies = evalPipelinedMixed(keyLists, argLists);
      onRedisSuccess();
      for (Object r : replies) {
        if (Long.valueOf(1L).equals(r)) {
          puts.increment();
        }
      }
    } catch (RuntimeException e) {
      onRedisFailure("put", e);
    }
  }

  /** Pipelines {@code put.lua} for writable entries and {@code release.lua} for the others. */
  private List<Object> evalPipelinedMixed(List<List<String>> keyLists, List<List<String>> argLists) {
    List<RedisScript> scripts = new ArrayList<>();
    List<List<String>> ks = new ArrayList<>();
    List<List<String>> as = new ArrayList<>();
    for (int i = 0; i < keyLists.size(); i++) {
      List<String> args = argLists.get(i);
      if (args.get(1).isEmpty()) {
        scripts.add(RELEASE);
        ks.add(List.of(keyLists.get(i).get(1)));
        as.add(List.of(args.get(0)));
      } else {
        scripts.add(PUT);
        ks.add(keyLists.get(i));
        as.add(args);
      }
    }
    return evalPipelined(scripts, ks, as);
  }

  private List<Object> evalPipelined(RedisScript script, List<List<String>> keyLists, List<List<String>> argLists) {
    return evalPipelined(Collections.nCopies(keyLists.size(), script), keyLists, argLists);
  }

  /**
   * Runs scripts in one pipeline; a script a node does not know yet ({@code NOSCRIPT}) is run again on its own
   * with {@link RedisScript#eval}, which loads it.
   */
  private List<Object> evalPipelined(List<RedisScript> scripts, List<List<String>> keyLists,
      List<List<String>> argLists) {
    List<Response<Object>> responses = new ArrayList<>(keyLists.size());
    try (AbstractPipeline pipeline = redis.pipelined()) {
      for (int i = 0; i < keyLists.size(); i++) {
        responses.add(pipeline.evalsha(scripts.get(i).sha1(), keyLists.get(i), argLists.get(i)));
      }
      pipeline.sync();
    }
    List<Object> replies = new ArrayList<>(responses.size());
    for (int i = 0; i < responses.size(); i++) {
      try {
        replies.add(responses.get(i).get());
      } catch (JedisDataException e) {
        if (e.getMessage() == null || !e.getMessage().startsWith("NOSCRIPT")) {
          throw e;
        }
        replies.add(scripts.get(i).eval(redis, keyLists.get(i), argLists.get(i)));
      }
    }
    return replies;
  }

  /** One {@code MGET}; on a Cluster one per hash slot, sent in one pipeline. */
  private List<String> mget(List<String> redisKeys) {
    if (!(redis instanceof RedisClusterClient)) {
      return redis.mget(redisKeys.toArray(String[]::new));
    }
    Map<Integer, List<Integer>> bySlot = new LinkedHashMap<>();
    for (int i = 0; i < redisKeys.size(); i++) {
      bySlot.computeIfAbsent(JedisClusterCRC16.getSlot(redisKeys.get(i)), s -> new ArrayList<>()).add(i);
    }
    List<Response<List<String>>> responses = new ArrayList<>();
    List<List<Integer>> groups = new ArrayList<>(bySlot.values());
    try (AbstractPipeline pipeline = redis.pipelined()) {
      for (List<Integer> group : groups) {
        responses.add(pipeline.mget(group.stream().map(redisKeys::get).toArray(String[]::new)));
      }
      pipeline.sync();
    }
    String[] out = new String[redisKeys.size()];
    for (int g = 0; g < groups.size(); g++) {
      List<String> values = responses.get(g).get();
      List<Integer> group = groups.get(g);
      for (int j = 0; j < group.size(); j++) {
        out[group.get(j)] = values.get(j);
      }
    }
    return java.util.Arrays.asList(out);
  }

  // ---- invalidation ----

  @Override
  public void invalidate(String key) {
    String part = keys.part(key);
    if (l1 != null) {
      l1.invalidate(part);
    }
    if (!redisAllowed()) {
      remember(part);
      return;
    }
    if (invalidateNow(part)) {
      evictions.increment();
    }
  }

  private boolean invalidateNow(String part) {
    try {
      INVALIDATE.eval(redis, List.of(keys.valueKey(part), keys.leaseKey(part)), List.of(keys.channel(), part));
      onRedisSuccess();
      return true;
    } catch (RuntimeException e) {
      onRedisFailure("invalidate", e);
      remember(part);
      return false;
    }
  }

  private void remember(String part) {
    if (pendingInvalidations.size() >= MAX_PENDING_INVALIDATIONS) {
      pendingInvalidateAll.set(true);
    } else {
      pendingInvalidations.add(part);
    }
    errorLog.warn("cache '" + name + "': invalidation could not reach Redis; it is retried before this instance's "
        + "next Redis command", null);
  }

  @Override
  public void invalidateAll() {
    if (l1 != null) {
      l1.clear();
    }
    if (!redisAllowed() || !invalidateAllNow()) {
      pendingInvalidateAll.set(true);
    }
  }

  private boolean invalidateAllNow() {
    try {
      ScanIteration scan = redis.scanIteration(500, keys.pattern());
      while (!scan.isIterationCompleted()) {
        ScanResult<String> page = scan.nextBatch();
        List<String> found = page.getResult();
        if (!found.isEmpty()) {
          try (AbstractPipeline pipeline = redis.pipelined()) {
            found.forEach(pipeline::del);
            pipeline.sync();
          }
          evictions.add(found.stream().filter(k -> !k.endsWith("}:lease")).count());
        }
      }
      redis.publish(keys.channel(), InvalidationListener.ALL);
      onRedisSuccess();
      return true;
    } catch (RuntimeException e) {
      onRedisFailure("invalidateAll", e);
      return false;
    }
  }

  /** Runs invalidations that could not reach Redis before; only one thread at a time does it. */
  private void flushPending() {
    if (!flushing.compareAndSet(false, true)) {
      return;
    }
    try {
      if (pendingInvalidateAll.get()) {
        if (!invalidateAllNow()) {
          return;
        }
        pendingInvalidateAll.set(false);
        pendingInvalidations.clear();
      }
      for (String part : List.copyOf(pendingInvalidations)) {
        pendingInvalidations.remove(part);
        if (!invalidateNow(part)) {
          return;
        }
        evictions.increment();
      }
    } finally {
      flushing.set(false);
    }
  }

  // ---- Redis health ----

  private boolean redisAllowed() {
    if (!breaker.allow()) {
      return false;
    }
    if (!pendingInvalidations.isEmpty() || pendingInvalidateAll.get()) {
      flushPending();
      return !breaker.isOpen();
    }
    return true;
  }

  private void onRedisSuccess() {
    if (breaker.onSuccess()) {
      LOG.info("cache '{}': Redis answers again; circuit breaker closed", name);
    }
  }

  private void onRedisFailure(String operation, RuntimeException e) {
    backendErrors.increment();
    breaker.onFailure();
    errorLog.warn("cache '" + name + "': Redis " + operation + " failed (" + backendErrors.sum()
        + " failures so far, circuit " + (breaker.isOpen() ? "open" : "closed") + "); reading through to the loader", e);
  }

  private void corrupt(String valueKey) {
    corruptValues.increment();
    errorLog.warn("cache '" + name + "': an entry was not a value this cache wrote (garbage, foreign or "
        + "incompatible JSON); deleted and loaded again", null);
    try {
      redis.del(valueKey);
      evictions.increment();
    } catch (RuntimeException e) {
      onRedisFailure("DEL", e);
    }
  }

  private void release(String part, String token) {
    try {
      RELEASE.eval(redis, List.of(keys.leaseKey(part)), List.of(token));
    } catch (RuntimeException e) {
      onRedisFailure("release", e);
    }
  }

  private void releaseAll(Map<String, String> parts, Map<String, String> tokens) {
    if (tokens.isEmpty()) {
      return;
    }
    List<List<String>> ks = new ArrayList<>();
    List<List<String>> as = new ArrayList<>();
    tokens.forEach((key, token) -> {
      ks.add(List.of(keys.leaseKey(parts.get(key))));
      as.add(List.of(token));
    });
    try {
      evalPipelined(RELEASE, ks, as);
    } catch (RuntimeException e) {
      onRedisFailure("release", e);
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

  private static String newToken() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return Long.toHexString(r.nextLong()) + Long.toHexString(r.nextLong());
  }

  @Override
  public CacheStats stats() {
    return new CacheStats(hits.sum(), misses.sum(), l1Hits.sum(), l1Misses.sum(), loadSuccesses.sum(),
        loadFailures.sum(), loadNanos.sum(), coalesced.sum(), puts.sum(), evictions.sum(), staleServed.sum(),
        earlyRefreshes.sum(), backendErrors.sum(), corruptValues.sum(), bypassLoads.sum(), bypassRejected.sum(),
        breaker.isOpen());
  }

  /** Returns the L1's estimated size (0 without L1); for metrics. */
  public long l1Size() {
    return l1 == null ? 0 : l1.size();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && listener != null) {
      listener.close();
    }
  }

  @Override
  public String toString() {
    return "RedisCacheAside[" + name + ", l1=" + (l1 != null) + ", circuit=" + (breaker.isOpen() ? "open" : "closed")
        + "]";
  }

  /** A decoded {@code acquire.lua} reply. */
  private static final class Reply {
    final int code;
    final String value;

    private Reply(int code, String value) {
      this.code = code;
      this.value = value;
    }

    static Reply of(Object raw) {
      if (!(raw instanceof List<?> list) || list.isEmpty() || !(list.get(0) instanceof Long code)
          || code < 1 || code > 3 || (code == 1 && list.size() < 2)) {
        throw new IllegalStateException("unexpected reply from acquire.lua: " + raw);
      }
      Object v = code == 1 ? list.get(1) : null;
      String value = v instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : (String) v;
      return new Reply(code.intValue(), value);
    }
  }
}
