package io.vtp.ratelimit;

import java.util.List;

/**
 * Several policies checked for one request in one atomic Redis call, all or nothing: when any policy denies,
 * nothing is consumed from any of them. For example per user 100 per minute and per client address 1,000 per
 * minute on a login route.
 *
 * <p>On Redis Cluster every key of one multi-policy limiter shares the hash tag {@code {name}}, so they live in
 * one slot (one node). That is the price of one atomic round trip; single-policy limiters spread their keys over
 * the cluster.
 *
 * <p>Create one with {@link RedisRateLimiter.Builder#buildMulti(RateLimitPolicy, RateLimitPolicy...)}; it is
 * thread-safe.
 */
public interface MultiRateLimiter extends AutoCloseable {

  /**
   * Returns the limiter's name.
   *
   * @return the limiter's name; never {@code null}
   */
  String name();

  /**
   * Returns the policies, in the order {@link #tryAcquire(List, int)} expects their keys.
   *
   * @return the policies, in the order {@link #tryAcquire(List, int)} expects their keys; never {@code null}
   */
  List<RateLimitPolicy> policies();

  /**
   * Asks for one permit from every policy.
   *
   * @param keys one key per policy, in policy order; each as in {@link RateLimiter#tryAcquire(String)}
   * @return the combined decision, with one entry per policy in {@link Decision#policies()}; never {@code null}
   * @throws NullPointerException when {@code keys} or one of its keys is {@code null} (the message names the
   *     policy)
   * @throws IllegalArgumentException when the number of keys differs from the number of policies or a key is
   *     empty; the message names the limiter
   * @throws IllegalStateException when the limiter is closed
   */
  default Decision tryAcquire(List<String> keys) {
    return tryAcquire(keys, 1);
  }

  /**
   * Asks for {@code permits} permits from every policy, all or none.
   *
   * @param keys one key per policy, in policy order
   * @param permits how many; 1 to the smallest {@link RateLimitPolicy#maxPermits()}
   * @return the combined decision; never {@code null}
   * @throws NullPointerException when {@code keys} or one of its keys is {@code null}
   * @throws IllegalArgumentException when the keys or permits are invalid; the message names the limiter
   * @throws IllegalStateException when the limiter is closed
   */
  Decision tryAcquire(List<String> keys, int permits);

  /** Stops the limiter's own threads, if it has any. Idempotent. Does not close the Redis client. */
  @Override
  void close();
}
