package io.vtp.ratelimit.internal;

import java.time.Clock;

/**
 * Lets one log line through per interval and counts the ones it held back, so an outage produces one warning per
 * interval instead of one per request.
 *
 * <p>Thread-safe.
 */
final class LogThrottle {
  private final long intervalMillis;
  private final Clock clock;
  private boolean logged;
  private long nextAt;
  private long suppressed;

  LogThrottle(long intervalMillis, Clock clock) {
    this.intervalMillis = intervalMillis;
    this.clock = clock;
  }

  /**
   * Records one event.
   *
   * @return -1 when this event should not be logged, otherwise how many events were held back since the last
   *     logged one
   */
  synchronized long tryAcquire() {
    long now = clock.millis();
    if (logged && now < nextAt) {
      suppressed++;
      return -1;
    }
    logged = true;
    nextAt = now + intervalMillis;
    long held = suppressed;
    suppressed = 0;
    return held;
  }
}
