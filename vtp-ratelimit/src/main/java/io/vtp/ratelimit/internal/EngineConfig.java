package io.vtp.ratelimit.internal;

import io.vtp.ratelimit.FailureMode;
import io.vtp.ratelimit.RateLimitListener;
import io.vtp.ratelimit.RateLimitPolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import redis.clients.jedis.UnifiedJedis;

/**
 * Everything a limiter needs, validated by {@code RedisRateLimiter.Builder} before it gets here.
 *
 * @param name the limiter's name
 * @param policies one or more policies
 * @param multi whether keys are laid out for a multi-policy limiter (one shared hash tag)
 * @param jedis the Redis client
 * @param keyPrefix prefix of every Redis key
 * @param failureMode what to answer when Redis is unavailable
 * @param expectedInstances instances sharing the limit, for the local fallback
 * @param timeout the longest a decision waits for Redis
 * @param redisCalls how Redis calls are bounded
 * @param executor the executor for {@link RedisCalls#EXECUTOR}, or null to create one
 * @param executorThreads threads of the executor the limiter creates
 * @param breakerFailures consecutive failures that open the circuit breaker
 * @param breakerOpen how long the breaker stays open before a probe
 * @param shadow whether to never deny
 * @param denyCacheSize entries of the local deny cache, 0 to disable it
 * @param fallbackLogInterval at most one warning per this interval while Redis is unavailable
 * @param listener the metrics listener
 * @param clock the clock for local decisions (deny cache, breaker, fallback, log throttle)
 */
public record EngineConfig(
    String name,
    List<RateLimitPolicy> policies,
    boolean multi,
    UnifiedJedis jedis,
    String keyPrefix,
    FailureMode failureMode,
    int expectedInstances,
    Duration timeout,
    RedisCalls redisCalls,
    ExecutorService executor,
    int executorThreads,
    int breakerFailures,
    Duration breakerOpen,
    boolean shadow,
    int denyCacheSize,
    Duration fallbackLogInterval,
    RateLimitListener listener,
    Clock clock) {

  /** How the decision timeout is enforced. */
  public enum RedisCalls {
    /** On a worker thread, the caller waiting at most the timeout. */
    EXECUTOR,
    /** On the caller's thread, bounded by the Redis client's own timeouts. */
    CALLER_THREAD
  }
}
