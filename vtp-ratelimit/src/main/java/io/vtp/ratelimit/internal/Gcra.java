package io.vtp.ratelimit.internal;

/**
 * The generic cell rate algorithm as pure integer arithmetic, in microseconds. {@code ratelimit.lua} computes the
 * same thing on the Redis server clock; the in-process fallback limiter uses this class directly.
 *
 * <p>State is one number, the theoretical arrival time {@code tat}: the moment the bucket would be full again.
 * A request for {@code n} permits at {@code now} is allowed when {@code max(tat, now) + n * interval - burst *
 * interval <= now}, and then moves {@code tat} forward by {@code n * interval}.
 */
public final class Gcra {
  private Gcra() {}

  /**
   * The result of one check.
   *
   * @param allowed whether the permits were granted
   * @param tat the new theoretical arrival time (unchanged when denied)
   * @param remaining permits available after this check
   * @param resetAfter microseconds until the bucket is full again (also the state's time to live)
   * @param retryAfter microseconds until the same request could be allowed; 0 when allowed
   */
  public record Result(boolean allowed, long tat, long remaining, long resetAfter, long retryAfter) {}

  /**
   * Checks a request.
   *
   * @param storedTat the stored theoretical arrival time, or {@code Long.MIN_VALUE} when there is none
   * @param now the current time, microseconds
   * @param interval the emission interval, {@code ceil(window / limit)} microseconds, at least 1
   * @param burst permits available at once, at least 1
   * @param permits permits asked for, at least 1
   * @return the result; never {@code null}
   */
  public static Result check(long storedTat, long now, long interval, long burst, long permits) {
    long tat = Math.max(storedTat, now);
    long span = burst * interval;
    long newTat = tat + permits * interval;
    long allowAt = newTat - span;
    if (now >= allowAt) {
      return new Result(true, newTat, Math.floorDiv(now + span - newTat, interval), newTat - now, 0);
    }
    return new Result(false, tat, Math.floorDiv(now + span - tat, interval), tat - now, allowAt - now);
  }

  /**
   * Returns the emission interval of a policy: {@code ceil(windowMicros / limit)}, rounded up so that rounding
   * never grants more than the limit.
   *
   * @param windowMicros the window in microseconds
   * @param limit permits per window
   * @return the interval in microseconds, at least 1
   */
  public static long interval(long windowMicros, long limit) {
    return Math.max(1, (windowMicros + limit - 1) / limit);
  }
}
