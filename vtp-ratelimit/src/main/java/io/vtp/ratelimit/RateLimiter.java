package io.vtp.ratelimit;

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
