package io.vtp.cache;

/**
 * A snapshot of one cache's counters since it was built. All counts are monotonic. Immutable and thread-safe.
 *
 * @param hits reads answered from the cache (L1 or Redis), "not found" entries included
 * @param misses reads that had to go past Redis (absent, expired, corrupt, or Redis unavailable)
 * @param l1Hits reads answered by the in-process L1 without a Redis command (0 without L1)
 * @param l1Misses reads the L1 could not answer (0 without L1)
 * @param loadSuccesses loader calls that returned
 * @param loadFailures loader calls that threw
 * @param totalLoadNanos time spent in loaders, in nanoseconds
 * @param coalescedLoads reads that got their value from another caller's load: in this JVM (single flight) or on
 *     another instance (the lease holder wrote it while this one waited)
 * @param puts entries written to Redis
 * @param evictions entries deleted by {@code invalidate}, {@code invalidateAll} or because they were corrupt
 * @param staleServed reads answered with an expired value because the loader failed within the grace window
 * @param earlyRefreshes loads started before expiry (probabilistic early refresh)
 * @param backendErrors failed Redis calls: errors, timeouts, {@code CLUSTERDOWN}, unexpected replies
 * @param corruptValues entries that could not be decoded (garbage, foreign or incompatible JSON) and were deleted
 * @param bypassLoads loads run straight against the source because Redis was unavailable
 * @param bypassRejected reads refused with {@link CacheOverloadedException} because the bypass was full
 * @param circuitOpen whether the circuit breaker currently keeps calls away from Redis
 */
public record CacheStats(
    long hits,
    long misses,
    long l1Hits,
    long l1Misses,
    long loadSuccesses,
    long loadFailures,
    long totalLoadNanos,
    long coalescedLoads,
    long puts,
    long evictions,
    long staleServed,
    long earlyRefreshes,
    long backendErrors,
    long corruptValues,
    long bypassLoads,
    long bypassRejected,
    boolean circuitOpen) {}
