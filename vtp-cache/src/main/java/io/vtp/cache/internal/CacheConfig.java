package io.vtp.cache.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Validated configuration of one cache, made by {@code RedisCacheAside.Builder}.
 *
 * @param l1Ttl {@code null} when L1 is off
 */
public record CacheConfig(
    String name,
    String keyPrefix,
    Duration ttl,
    Duration notFoundTtl,
    double jitter,
    Duration staleGrace,
    double earlyRefreshBeta,
    Duration leaseTtl,
    Duration leaseWait,
    int valueVersion,
    int maxKeyLength,
    Clock clock,
    RandomGenerator random,
    int failureThreshold,
    Duration openDuration,
    int bypassPermits,
    Duration bypassWait,
    Duration errorLogInterval,
    long l1MaximumSize,
    Duration l1Ttl) {

  /** Returns whether the in-process L1 is on. */
  public boolean l1Enabled() {
    return l1Ttl != null;
  }
}
