package io.vtp.app;

import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

/**
 * The start-up check of the Redis that holds sessions, rate-limit counters and rooms: with any
 * {@code maxmemory-policy} but {@code noeviction}, Redis under memory pressure evicts sessions (they have TTLs) as
 * readily as cache entries, so users are logged out and limits reset because the cache grew. The app warns once; it
 * does not refuse to start (a managed Redis may not let the operator change the policy).
 */
final class EvictionPolicyCheck {
  private static final Logger LOG = LoggerFactory.getLogger(EvictionPolicyCheck.class);

  private EvictionPolicyCheck() {}

  /**
   * Returns the warning for this Redis, if its policy evicts.
   *
   * @param sessionRedis the client of the Redis that holds sessions
   * @param separateCache whether the cache has a Redis of its own (changes the advice)
   * @return the warning, or empty for {@code noeviction}, or when {@code CONFIG GET} is disabled, renamed or fails
   */
  static Optional<String> warning(UnifiedJedis sessionRedis, boolean separateCache) {
    String policy;
    try {
      Map<String, String> answer = sessionRedis.configGet("maxmemory-policy");
      policy = answer.get("maxmemory-policy");
    } catch (RuntimeException e) {
      // CONFIG is often disabled or renamed on managed Redis, and Redis may be down at start: nothing to judge.
      LOG.debug("maxmemory-policy of the session Redis not readable: {}", e.toString());
      return Optional.empty();
    }
    if (policy == null || policy.equals("noeviction")) {
      return Optional.empty();
    }
    return Optional.of("the Redis that holds sessions and rate-limit counters (REDIS_URL) has maxmemory-policy "
        + policy + ": under memory pressure it evicts sessions (users are logged out) and limiter state (limits "
        + "reset); set maxmemory-policy noeviction there"
        + (separateCache ? "" : " and give the cache a Redis of its own with REDIS_CACHE_URL (allkeys-lru)"));
  }

  /** Logs {@link #warning} at WARN, once, with the instance id. */
  static void warnIfEvicting(UnifiedJedis sessionRedis, String instanceId, boolean separateCache) {
    warning(sessionRedis, separateCache).ifPresent(w -> LOG.warn("instance={} {}", instanceId, w));
  }
}
