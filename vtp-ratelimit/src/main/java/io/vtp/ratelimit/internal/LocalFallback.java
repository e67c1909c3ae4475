package io.vtp.ratelimit.internal;

import io.vtp.ratelimit.RateLimitPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The in-process limiter used while Redis is unavailable: GCRA (whatever the policy's algorithm) at
 * {@code limit / instances} and {@code burst / instances} (at least 1 each), so N instances together stay near
 * the policy's limit. All or nothing across policies, like the Redis script.
 *
 * <p>Bounded: when more than {@code maxKeys} keys are tracked, keys whose bucket is full again are dropped.
 * Thread-safe (one lock; this path only runs while Redis is down).
 */
final class LocalFallback {
  private final long[] interval;
  private final long[] burst;
  private final long[] limit;
  private final int maxKeys;
  private final List<Map<String, Long>> tats = new ArrayList<>();

  LocalFallback(List<RateLimitPolicy> policies, int instances, int maxKeys) {
    int n = policies.size();
    interval = new long[n];
    burst = new long[n];
    limit = new long[n];
    this.maxKeys = maxKeys;
    for (int i = 0; i < n; i++) {
      RateLimitPolicy p = policies.get(i);
      limit[i] = Math.max(1, p.limit() / instances);
      burst[i] = Math.max(1, p.burst() / instances);
      interval[i] = Gcra.interval(p.window().toNanos() / 1000, limit[i]);
      tats.add(new HashMap<>());
    }
  }

  long limit(int policy) {
    return limit[policy];
  }

  /** Checks all policies at {@code nowMicros}; returns one result per policy and consumes only if all allow. */
  synchronized Gcra.Result[] decide(String[] keys, long permits, long nowMicros) {
    Gcra.Result[] results = new Gcra.Result[keys.length];
    long[] stored = new long[keys.length];
    boolean all = true;
    for (int i = 0; i < keys.length; i++) {
      Long tat = tats.get(i).get(keys[i]);
      stored[i] = tat == null ? Long.MIN_VALUE : tat;
      if (permits > burst[i]) {
        // More than this instance's share of the burst can never be granted locally.
        long pre = Math.max(stored[i], nowMicros);
        results[i] = new Gcra.Result(false, pre, Math.floorDiv(nowMicros + burst[i] * interval[i] - pre, interval[i]),
            pre - nowMicros, burst[i] * interval[i]);
      } else {
        results[i] = Gcra.check(stored[i], nowMicros, interval[i], burst[i], permits);
      }
      all &= results[i].allowed();
    }
    if (all) {
      for (int i = 0; i < keys.length; i++) {
        Map<String, Long> map = tats.get(i);
        if (map.size() >= maxKeys) {
          map.values().removeIf(t -> t <= nowMicros);
        }
        map.put(keys[i], results[i].tat());
      }
      return results;
    }
    for (int i = 0; i < keys.length; i++) {
      if (results[i].allowed()) {
        // Nothing was consumed: report this policy as it stands.
        long pre = Math.max(stored[i], nowMicros);
        results[i] = new Gcra.Result(true, pre, Math.floorDiv(nowMicros + burst[i] * interval[i] - pre, interval[i]),
            pre - nowMicros, 0);
      }
    }
    return results;
  }
}
