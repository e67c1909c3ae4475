package io.vtp.cache.internal;

import io.vtp.redis.RedisScript;
import io.vtp.redis.internal.ThrottledLog;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.ScanIteration;
import redis.clients.jedis.resps.ScanResult;

/**
 * Invalidation of one cache: this instance's L1 at once, then Redis ({@code invalidate.lua} deletes the entry and
 * its lease and publishes the key for the other instances' L1). An invalidation that cannot reach Redis is kept
 * (bounded: past {@value #MAX_PENDING} keys it becomes "invalidate all") and sent before this instance's next Redis
 * command, which is why {@link #redisAllowed()} is the gate of every read. Thread-safe.
 */
final class Invalidations {
  private static final RedisScript INVALIDATE = RedisScript.fromResource(Invalidations.class, "invalidate.lua");
  static final int MAX_PENDING = 100_000;

  private final RedisAccess redis;
  private final KeyScheme keys;
  private final String name;
  private final L1Cache<?> l1;
  private final ThrottledLog errorLog;
  private final CacheCounters counters;
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean pendingAll = new AtomicBoolean();
  private final AtomicBoolean flushing = new AtomicBoolean();

  /**
   * Creates the invalidation side of one cache.
   *
   * @param l1 the L1, or {@code null} without one
   */
  Invalidations(RedisAccess redis, KeyScheme keys, String name, L1Cache<?> l1, ThrottledLog errorLog,
      CacheCounters counters) {
    this.redis = redis;
    this.keys = keys;
    this.name = name;
    this.l1 = l1;
    this.errorLog = errorLog;
    this.counters = counters;
  }

  /**
   * Returns whether a read may use Redis now: the breaker allows it, and invalidations kept while Redis was
   * unreachable have been sent first (so no read serves an entry that an earlier invalidation should have removed).
   */
  boolean redisAllowed() {
    if (!redis.breakerAllows()) {
      return false;
    }
    if (!pending.isEmpty() || pendingAll.get()) {
      flushPending();
      return !redis.circuitOpen();
    }
    return true;
  }

  void invalidate(String part) {
    if (l1 != null) {
      l1.invalidate(part);
    }
    if (!redisAllowed()) {
      remember(part);
      return;
    }
    if (invalidateNow(part)) {
      counters.evictions.increment();
    }
  }

  void invalidateAll() {
    if (l1 != null) {
      l1.clear();
    }
    if (!redisAllowed() || !invalidateAllNow()) {
      pendingAll.set(true);
    }
  }

  private boolean invalidateNow(String part) {
    try {
      INVALIDATE.eval(redis.client(), List.of(keys.valueKey(part), keys.leaseKey(part)), List.of(keys.channel(), part));
      redis.succeeded();
      return true;
    } catch (RuntimeException e) {
      redis.failed("invalidate", e);
      remember(part);
      return false;
    }
  }

  private void remember(String part) {
    if (pending.size() >= MAX_PENDING) {
      pendingAll.set(true);
    } else {
      pending.add(part);
    }
    errorLog.warn("cache '" + name + "': invalidation could not reach Redis; it is retried before this instance's "
        + "next Redis command", null);
  }

  private boolean invalidateAllNow() {
    try {
      ScanIteration scan = redis.client().scanIteration(500, keys.pattern());
      while (!scan.isIterationCompleted()) {
        ScanResult<String> page = scan.nextBatch();
        List<String> found = page.getResult();
        if (!found.isEmpty()) {
          try (AbstractPipeline pipeline = redis.client().pipelined()) {
            found.forEach(pipeline::del);
            pipeline.sync();
          }
          counters.evictions.add(found.stream().filter(k -> !k.endsWith("}:lease")).count());
        }
      }
      redis.client().publish(keys.channel(), InvalidationListener.ALL);
      redis.succeeded();
      return true;
    } catch (RuntimeException e) {
      redis.failed("invalidateAll", e);
      return false;
    }
  }

  /** Sends the invalidations that could not reach Redis before; only one thread at a time does it. */
  private void flushPending() {
    if (!flushing.compareAndSet(false, true)) {
      return;
    }
    try {
      if (pendingAll.get()) {
        if (!invalidateAllNow()) {
          return;
        }
        pendingAll.set(false);
        pending.clear();
      }
      for (String part : List.copyOf(pending)) {
        pending.remove(part);
        if (!invalidateNow(part)) {
          return;
        }
        counters.evictions.increment();
      }
    } finally {
      flushing.set(false);
    }
  }
}
