package io.vtp.cache.internal;

import io.vtp.cache.BulkLoader;
import io.vtp.cache.CacheLoadException;
import io.vtp.cache.internal.EnvelopeCodec.Envelope;
import io.vtp.cache.internal.Leases.Acquired;
import io.vtp.cache.internal.Leases.LeaseEnd;
import io.vtp.cache.internal.Leases.Release;
import io.vtp.cache.internal.Leases.Write;
import io.vtp.cache.internal.RedisAccess.ScriptCall;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The bulk read of one cache: L1, one {@code MGET} (one per hash slot on a Cluster, in one pipeline), the leases of
 * the misses in one pipeline, one call of the bulk loader for the keys still missed, and one pipelined write-back
 * that ends every lease taken. Keys whose lease another caller holds are loaded but not written. Thread-safe.
 *
 * @param <V> the value type
 */
final class BulkPath<V> {
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

  /**
   * Creates the bulk path of one cache.
   *
   * @param l1 the L1, or {@code null} without one
   */
  BulkPath(CacheConfig cfg, KeyScheme keys, EnvelopeCodec<V> codec, RedisAccess redis, Leases leases, Loads<V> loads,
      Invalidations invalidations, L1Cache<V> l1, CacheCounters counters) {
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
  }

  /** See {@link io.vtp.cache.CacheAside#getAll}. */
  Map<String, V> getAll(Collection<String> requested, BulkLoader<V> loader) {
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
          counters.l1Hits.increment();
          counters.hits.increment();
          found.put(e.getKey(), local);
        } else {
          counters.l1Misses.increment();
          remaining.add(e.getKey());
        }
      }
    } else {
      remaining.addAll(parts.keySet());
    }
    Map<String, Envelope<V>> stale = new HashMap<>();
    Map<String, String> skip = new HashMap<>();
    List<String> missed = new ArrayList<>();
    boolean redisUp = !remaining.isEmpty() && invalidations.redisAllowed();
    if (redisUp) {
      try {
        List<String> raws = redis.mget(remaining.stream().map(k -> keys.valueKey(parts.get(k))).toList());
        redis.succeeded();
        for (int i = 0; i < remaining.size(); i++) {
          String key = remaining.get(i);
          String raw = raws.get(i);
          Envelope<V> entry = raw == null ? null : codec.decode(raw);
          if (entry != null && entry.freshUntil() > now) {
            counters.hits.increment();
            found.put(key, entry);
            continue;
          }
          if (raw != null) {
            skip.put(key, raw); // the write-back replaces an expired or corrupt entry
            if (entry == null) {
              counters.corruptValues.increment();
            } else {
              stale.put(key, entry);
            }
          }
          missed.add(key);
        }
      } catch (RuntimeException e) {
        redis.failed("MGET", e);
        redisUp = false;
        missed = new ArrayList<>(remaining);
      }
    } else {
      missed = new ArrayList<>(remaining);
    }
    if (!missed.isEmpty()) {
      counters.misses.add(missed.size());
      loadMissed(parts, missed, loader, redisUp, stale, skip, found);
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
      Map<String, Envelope<V>> stale, Map<String, String> skip, Map<String, Envelope<V>> found) {
    Map<String, String> tokens = new HashMap<>();
    if (redisUp) {
      redisUp = takeLeases(parts, missed, skip, tokens, found);
    }
    if (missed.isEmpty()) {
      return;
    }
    if (!redisUp) {
      loads.beginBypass("getAll");
    }
    Map<String, V> loaded;
    long start = System.nanoTime();
    try {
      loaded = loader.loadAll(Collections.unmodifiableSet(new LinkedHashSet<>(missed)));
      Objects.requireNonNull(loaded, "bulk loader returned null");
      counters.loadSuccesses.increment();
      counters.loadNanos.add(System.nanoTime() - start);
    } catch (Exception e) {
      counters.loadFailures.increment();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      if (redisUp) {
        List<Release> releases = new ArrayList<>(tokens.size());
        tokens.forEach((key, token) -> releases.add(new Release(parts.get(key), token)));
        leases.releaseAll(releases);
      }
      if (missed.stream().allMatch(k -> stale.containsKey(k) && loads.fallback(stale.get(k), e) != null)) {
        missed.forEach(k -> found.put(k, stale.get(k)));
        return;
      }
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new CacheLoadException("cache '" + name + "': bulk loader failed for " + missed.size() + " keys: " + e, e);
    } finally {
      if (!redisUp) {
        loads.endBypass();
      }
    }
    long loadMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    for (String key : missed) {
      V value = loaded.get(key);
      Envelope<V> entry = loads.entryFor(value, value == null ? cfg.notFoundTtl() : cfg.ttl(), loadMillis);
      found.put(key, entry);
    }
    if (redisUp) {
      // Every lease taken ends here: written when its entry could be serialised, else released.
      List<LeaseEnd> ends = new ArrayList<>(tokens.size());
      tokens.forEach((key, token) -> {
        Envelope<V> entry = found.get(key);
        ends.add(entry.raw() != null ? new Write(parts.get(key), token, entry) : new Release(parts.get(key), token));
      });
      leases.endAll(ends);
    }
  }

  /** Takes the leases of the missed keys in one pipeline; keys whose entry appeared meanwhile leave {@code missed}. */
  private boolean takeLeases(Map<String, String> parts, List<String> missed, Map<String, String> skip,
      Map<String, String> tokens, Map<String, Envelope<V>> found) {
    List<ScriptCall> calls = new ArrayList<>(missed.size());
    for (String key : missed) {
      String token = Leases.newToken();
      tokens.put(key, token);
      calls.add(leases.acquireCall(parts.get(key), token, skip.get(key)));
    }
    List<Object> replies;
    try {
      replies = redis.evalPipelined(calls);
      redis.succeeded();
    } catch (RuntimeException e) {
      redis.failed("lease", e);
      tokens.clear();
      return false;
    }
    long now = cfg.clock().millis();
    List<String> stillMissed = new ArrayList<>();
    for (int i = 0; i < missed.size(); i++) {
      String key = missed.get(i);
      Acquired reply;
      try {
        reply = Acquired.decode(replies.get(i));
      } catch (RuntimeException e) {
        redis.failed("lease", e);
        tokens.remove(key);
        stillMissed.add(key);
        continue;
      }
      if (reply.outcome() != Acquired.Outcome.LEASED) {
        tokens.remove(key);
      }
      if (reply.outcome() == Acquired.Outcome.FOUND) {
        Envelope<V> entry = codec.decode(reply.entry());
        if (entry != null && entry.freshUntil() > now) {
          counters.coalesced.increment();
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
}
