package io.vtp.ratelimit;

import io.vtp.redis.PipelinedCall;

/**
 * A rate limiter for one policy, shared by every instance of a horizontally scaled service: each decision is one
 * atomic Redis call computed on the Redis server clock.
 *
 * <p>Create one with {@link RedisRateLimiter#builder(redis.clients.jedis.UnifiedJedis)} and share it; it is
 * thread-safe. Decisions never throw for Redis trouble: the limiter's {@link FailureMode} answers instead, within
 * its timeout.
 *
 * <pre>{@code
 * RateLimiter perUser = RedisRateLimiter.builder(jedis)
 *     .name("api").limit(100).window(Duration.ofMinutes(1))
 *     .build();
 * Decision d = perUser.tryAcquire(userId);
 * if (!d.allowed()) {
 *   // answer RateLimitHttp.rejectionStatus(d) with RateLimitHttp.headers(d) and RateLimitHttp.problemJson(d)
 * }
 * }</pre>
 */
public interface RateLimiter extends AutoCloseable {

  /**
   * Returns the limiter's name (also its policy's name).
   *
   * @return the limiter's name (also its policy's name); never {@code null}
   */
  String name();

  /**
   * Returns the limiter's policy.
   *
   * @return the limiter's policy; never {@code null}
   */
  RateLimitPolicy policy();

  /**
   * Asks for one permit for {@code key}.
   *
   * @param key who is limited, e.g. a user id or client address; not {@code null}, not empty. Keys longer than 200
   *     characters are replaced by their SHA-256 in Redis (distinct keys stay distinct)
   * @return the decision; never {@code null}
   * @throws NullPointerException when {@code key} is {@code null}
   * @throws IllegalArgumentException when the key is empty, as {@code rate limit '<name>': key must not be empty}
   * @throws IllegalStateException when the limiter is closed
   */
  default Decision tryAcquire(String key) {
    return tryAcquire(key, 1);
  }

  /**
   * Asks for {@code permits} permits for {@code key}, all or none.
   *
   * @param key who is limited; see {@link #tryAcquire(String)}
   * @param permits how many; 1 to {@link RateLimitPolicy#maxPermits()}
   * @return the decision; never {@code null}
   * @throws NullPointerException when {@code key} is {@code null}
   * @throws IllegalArgumentException when the key is empty or {@code permits} is out of range; the message names
   *     the limiter
   * @throws IllegalStateException when the limiter is closed
   */
  Decision tryAcquire(String key, int permits);

  /**
   * Prepares {@link #tryAcquire(String) tryAcquire(key)} to share a Redis round trip with other libraries' calls:
   * pass it to {@link io.vtp.redis.RoundTrip#send(PipelinedCall...)}, then read {@link PipelinedCall#result()}, a
   * decision exactly as {@code tryAcquire(key)} would answer (same script, same key, same local deny cache, circuit
   * breaker, failure mode and listener events). Differences: a decision the local deny cache or the open circuit
   * breaker answers is made when the call is created (it then sends nothing), and the wait for Redis is bounded by
   * the client's socket timeout rather than by this limiter's own timeout (the round trip is shared, and the other
   * calls in it wait as long). A failed round trip is answered by the failure mode, never thrown.
   *
   * <p>The permit is taken when the round trip runs, whatever the other calls in it find: charge a key only when the
   * request is entitled to be charged to it whatever the other calls answer.
   *
   * <p>The default implementation makes no shared round trip: it calls {@code tryAcquire(key)} when the call is
   * completed, so its argument and closed-limiter exceptions come from {@link PipelinedCall#result()}.
   *
   * @param key who is limited; see {@link #tryAcquire(String)}
   * @return the call, to be sent once; never {@code null}
   * @throws NullPointerException when {@code key} is {@code null}
   * @throws IllegalArgumentException when the key is empty
   * @throws IllegalStateException when the limiter is closed
   */
  default PipelinedCall<Decision> acquireCall(String key) {
    java.util.Objects.requireNonNull(key, "key");
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
      protected Decision complete(redis.clients.jedis.exceptions.JedisException failure) {
        return tryAcquire(key, 1);
      }
    };
  }

  /**
   * Asks for one permit and says only whether the request may proceed.
   *
   * @param key who is limited; see {@link #tryAcquire(String)}
   * @return {@code tryAcquire(key).allowed()}
   * @throws NullPointerException when {@code key} is {@code null}
   * @throws IllegalArgumentException when the key is empty
   * @throws IllegalStateException when the limiter is closed
   */
  default boolean allow(String key) {
    return tryAcquire(key, 1).allowed();
  }

  /** Stops the limiter's own threads, if it has any. Idempotent. Does not close the Redis client. */
  @Override
  void close();
}
