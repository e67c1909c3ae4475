package io.vtp.cache.internal;

import io.vtp.cache.CacheStats;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one cache, one {@link LongAdder} per {@link CacheStats} component, incremented by the read, bulk,
 * invalidation and Redis-access parts and read together by {@link #snapshot(boolean)}. Thread-safe; a snapshot is
 * not atomic across counters (each one is monotonic).
 */
final class CacheCounters {
  final LongAdder hits = new LongAdder();
  final LongAdder misses = new LongAdder();
  final LongAdder l1Hits = new LongAdder();
  final LongAdder l1Misses = new LongAdder();
  final LongAdder loadSuccesses = new LongAdder();
  final LongAdder loadFailures = new LongAdder();
  final LongAdder loadNanos = new LongAdder();
  final LongAdder coalesced = new LongAdder();
  final LongAdder puts = new LongAdder();
  final LongAdder evictions = new LongAdder();
  final LongAdder staleServed = new LongAdder();
  final LongAdder earlyRefreshes = new LongAdder();
  final LongAdder backendErrors = new LongAdder();
  final LongAdder corruptValues = new LongAdder();
  final LongAdder bypassLoads = new LongAdder();
  final LongAdder bypassRejected = new LongAdder();

  /** Returns the counters now, with the breaker's state (which is not a counter). */
  CacheStats snapshot(boolean circuitOpen) {
    return new CacheStats(hits.sum(), misses.sum(), l1Hits.sum(), l1Misses.sum(), loadSuccesses.sum(),
        loadFailures.sum(), loadNanos.sum(), coalesced.sum(), puts.sum(), evictions.sum(), staleServed.sum(),
        earlyRefreshes.sum(), backendErrors.sum(), corruptValues.sum(), bypassLoads.sum(), bypassRejected.sum(),
        circuitOpen);
  }
}
